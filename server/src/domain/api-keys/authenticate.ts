// Authenticating a request's key and counting it against its rate limit. The key comes from
// this process's cache (key-cache.ts) when it is there, else from one SELECT; the request is
// counted against a block of the window's budget leased from the database (rate-leases.ts), so
// that most requests cost no database round trip at all for their key.
import type { Knex } from 'knex';
import { preparedQuery } from '../../db/prepared.ts';
import type { KeyCache, KeyRecordForAuth } from './key-cache.ts';
import { hashApiKey } from './key-format.ts';
import { RateLeases, type RateWindow } from './rate-leases.ts';

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 60;

export type { RateWindow } from './rate-leases.ts';

export interface KeyLookup extends KeyRecordForAuth {
  /** Present for a usable (not revoked, not expired) key: this request, counted. */
  readonly rate: RateWindow | null;
}

interface Row {
  id: string;
  organization_id: string;
  environment: KeyRecordForAuth['environment'];
  scopes: string[];
  agent_ids: string[] | null;
  plan: string;
  revoked_at: Date | null;
  expires_at: Date | null;
  rate_limit: number;
}

const SQL = `SELECT ak.id, ak.organization_id, ak.environment, ak.scopes, ak.agent_ids, ak.revoked_at, ak.expires_at,
       coalesce(ak.rate_limit_per_minute, ?::int) AS rate_limit, o.plan
FROM api_keys ak JOIN organizations o ON o.id = ak.organization_id
WHERE ak.key_hash = ?`;

/** The key with this hash as authentication needs it; null when there is none. */
export async function findKeyByHash(db: Knex, keyHash: string): Promise<KeyRecordForAuth | null> {
  const rows = await preparedQuery<Row>(db, 'mojeeb_authenticate_key', SQL, [DEFAULT_RATE_LIMIT_PER_MINUTE, keyHash]);
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
    rateLimit: row.rate_limit,
  };
}

export class KeyAuthentication {
  private readonly leases: RateLeases;

  /** Without a cache, every request looks its key up. */
  constructor(
    private readonly db: Knex,
    private readonly cache: KeyCache | null,
  ) {
    this.leases = new RateLeases(db);
  }

  /** Finds the key and, if it is usable, counts the request; null when no key has this value. */
  async lookupAndCount(plaintextKey: string): Promise<KeyLookup | null> {
    const hash = hashApiKey(plaintextKey);
    let key = this.cache?.get(hash);
    if (key === undefined) {
      const generation = this.cache?.begin() ?? 0;
      const startedAt = Date.now();
      const found = await findKeyByHash(this.db, hash);
      if (found === null) return null;
      this.cache?.keep(hash, found, generation, startedAt);
      key = found;
    }
    // Expiry by this process's clock, on every use: a cached key expires on time.
    const usable = key.revokedAt === null && (key.expiresAt === null || key.expiresAt.getTime() > Date.now());
    return { ...key, rate: usable ? await this.leases.take(key.keyId, key.rateLimit) : null };
  }
}

/** Drops the budgets of windows that ended; run periodically by the server. */
export async function pruneRateLimitWindows(db: Knex): Promise<number> {
  return db('rate_limit_windows').where('window_start', '<', db.raw(`now() - interval '5 minutes'`)).delete();
}
