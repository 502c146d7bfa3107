// Authenticating a request's key, counting it against its rate limit and touching
// `last_used_at`, in ONE database round trip. No cache: a revocation holds on the very next
// request of every server process.
import type { Knex } from 'knex';
import type { AttachedQuery, KeyColumns } from '../../core/attached-query.ts';
import { preparedQuery } from '../../db/prepared.ts';
import { hashApiKey, type KeyEnvironment } from './key-format.ts';

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 60;
const RATE_WINDOW_SECONDS = 60;

export interface KeyLookup {
  readonly keyId: string;
  readonly organizationId: string;
  readonly environment: KeyEnvironment;
  readonly scopes: readonly string[];
  readonly agentIds: readonly string[] | null;
  readonly plan: string;
  readonly revokedAt: Date | null;
  readonly expiresAt: Date | null;
  /** Present for a usable (not revoked, not expired) key. */
  readonly rate: RateWindow | null;
  /** The attached lookup's row (decoded), for a usable key; null when it found none or none was attached. */
  readonly attached: unknown;
}

/**
 * The key's columns as an attached lookup sees them (core/attached-query.ts): expressions over
 * the key query's `k`, passed to the lookup's `sql` so that it never names that alias itself.
 */
const KEY_COLUMNS: KeyColumns = { organizationId: 'k.organization_id', environment: 'k.environment', agentIds: 'k.agent_ids' };

export interface RateWindow {
  readonly limit: number;
  /** Requests counted in this window, this one included. */
  readonly count: number;
  /** Unix seconds at which the window ends. */
  readonly resetAt: number;
  /** Seconds from the database's now to the end of the window (at least 1). */
  readonly retryAfter: number;
}

interface Row {
  id: string;
  organization_id: string;
  environment: KeyEnvironment;
  scopes: string[];
  agent_ids: string[] | null;
  plan: string;
  revoked_at: Date | null;
  expires_at: Date | null;
  rate_limit: number;
  window_end: string;
  retry_after: string;
  request_count: number | null;
  attached?: Record<string, unknown> | null;
}

// Fixed 60-second windows aligned on the database clock (shared by every server process).
// The counter is incremented only for a usable key; last_used_at is written at most once a
// minute per key, to keep the hot path to one cheap write.
const SQL = `
WITH k AS (
  SELECT ak.id, ak.organization_id, ak.environment, ak.scopes, ak.agent_ids, ak.revoked_at, ak.expires_at,
         ak.last_used_at, coalesce(ak.rate_limit_per_minute, ?::int) AS rate_limit, o.plan,
         now() AS now, date_trunc('minute', now()) AS window_start,
         (ak.revoked_at IS NULL AND (ak.expires_at IS NULL OR ak.expires_at > now())) AS usable
  FROM api_keys ak JOIN organizations o ON o.id = ak.organization_id
  WHERE ak.key_hash = ?
), counted AS (
  INSERT INTO rate_limit_windows AS w (api_key_id, window_start, request_count)
  SELECT id, window_start, 1 FROM k WHERE usable
  ON CONFLICT (api_key_id, window_start) DO UPDATE SET request_count = w.request_count + 1
  RETURNING request_count
), touched AS (
  UPDATE api_keys SET last_used_at = k.now FROM k
  WHERE api_keys.id = k.id AND k.usable AND (k.last_used_at IS NULL OR k.last_used_at < k.now - interval '1 minute')
)
SELECT k.id, k.organization_id, k.environment, k.scopes, k.agent_ids, k.plan, k.revoked_at, k.expires_at, k.rate_limit,
       extract(epoch FROM k.window_start)::bigint + ${RATE_WINDOW_SECONDS} AS window_end,
       greatest(1, ceil(extract(epoch FROM (k.window_start + interval '${RATE_WINDOW_SECONDS} seconds' - k.now))))::int AS retry_after,
       (SELECT request_count FROM counted) AS request_count`;

const SQL_ALONE = `${SQL}\nFROM k`;

/** Looks the key up by its hash (and makes the attached lookup); null when no key has this hash. */
export async function lookupAndCountKey(db: Knex, plaintextKey: string, attached?: AttachedQuery<unknown>): Promise<KeyLookup | null> {
  const bindings = [DEFAULT_RATE_LIMIT_PER_MINUTE, hashApiKey(plaintextKey), ...(attached?.bindings ?? [])];
  const rows = attached
    ? await preparedQuery<Row>(
        db,
        `mojeeb_authenticate_key+${attached.name}`,
        `${SQL},\n  CASE WHEN k.usable THEN (SELECT to_jsonb(a) FROM (${attached.sql(KEY_COLUMNS)}) a LIMIT 1) END AS attached\nFROM k`,
        bindings,
      )
    : await preparedQuery<Row>(db, 'mojeeb_authenticate_key', SQL_ALONE, bindings);
  const row = rows[0];
  if (!row) return null;
  return {
    keyId: row.id,
    organizationId: row.organization_id,
    environment: row.environment,
    scopes: row.scopes,
    agentIds: row.agent_ids,
    plan: row.plan,
    revokedAt: row.revoked_at,
    expiresAt: row.expires_at,
    rate:
      row.request_count === null
        ? null
        : { limit: row.rate_limit, count: row.request_count, resetAt: Number(row.window_end), retryAfter: Number(row.retry_after) },
    attached: attached && row.attached ? attached.decode(row.attached) : null,
  };
}

/** Drops counters of windows that ended; run periodically by the server. */
export async function pruneRateLimitWindows(db: Knex): Promise<number> {
  return db('rate_limit_windows').where('window_start', '<', db.raw(`now() - interval '5 minutes'`)).delete();
}
