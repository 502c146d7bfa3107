/**
 * Idempotency of sends (openapi.yaml, "Idempotency"): keys are scoped to the API key and kept 24
 * hours. Within the send's transaction, a transaction-scoped advisory lock on (API key,
 * Idempotency-Key) marks the request as in flight: a concurrent duplicate cannot take it and is
 * answered 409 at once; a later one finds the stored response, written in the same transaction
 * as the message and its delivery job, and replays it. A crash rolls everything back together,
 * so there is never a message without its stored response, nor the reverse.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

export const IDEMPOTENCY_TTL_HOURS = 24;

/** SHA-256 of the operation and the body as canonical JSON (object members sorted). */
export function requestHash(operationId: string, body: unknown): string {
  return createHash('sha256').update(operationId).update('\n').update(canonicalJson(body)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface StoredResponse {
  readonly operationId: string;
  readonly requestHash: string;
  readonly correlationId: string;
  readonly status: number;
  readonly body: unknown;
}

export type Claim = { readonly kind: 'claimed' } | { readonly kind: 'in_progress' } | { readonly kind: 'stored'; readonly response: StoredResponse };

/** Takes the key for this transaction, or says why not. */
export async function claimIdempotencyKey(trx: Knex.Transaction, apiKeyId: string, key: string): Promise<Claim> {
  const result = await trx.raw<{ rows: Array<{ locked: boolean; stored: null | Record<string, unknown> }> }>(
    `SELECT pg_try_advisory_xact_lock(hashtextextended(?::text || ':' || ?::text, 0)) AS locked,
            (SELECT json_build_object('operation_id', operation_id, 'request_hash', request_hash, 'correlation_id', correlation_id,
                                      'status', response_status, 'body', response_body)
               FROM idempotency_keys
              WHERE api_key_id = ? AND idempotency_key = ? AND created_at > now() - interval '${IDEMPOTENCY_TTL_HOURS} hours') AS stored`,
    [apiKeyId, key, apiKeyId, key],
  );
  const row = result.rows[0]!;
  if (!row.locked) return { kind: 'in_progress' };
  if (row.stored) {
    const s = row.stored;
    return {
      kind: 'stored',
      response: {
        operationId: String(s.operation_id),
        requestHash: String(s.request_hash),
        correlationId: String(s.correlation_id),
        status: Number(s.status),
        body: s.body,
      },
    };
  }
  return { kind: 'claimed' };
}

/** Stores the response of a claimed key (replacing an expired record of the same key). */
export async function storeIdempotentResponse(
  trx: Knex.Transaction,
  apiKeyId: string,
  key: string,
  response: StoredResponse & { readonly messageId: string | null },
): Promise<void> {
  await trx.raw(
    `INSERT INTO idempotency_keys (api_key_id, idempotency_key, operation_id, request_hash, correlation_id, response_status, response_body, message_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (api_key_id, idempotency_key) DO UPDATE SET
       operation_id = EXCLUDED.operation_id, request_hash = EXCLUDED.request_hash, correlation_id = EXCLUDED.correlation_id,
       response_status = EXCLUDED.response_status, response_body = EXCLUDED.response_body, message_id = EXCLUDED.message_id,
       created_at = now()`,
    [apiKeyId, key, response.operationId, response.requestHash, response.correlationId, response.status, JSON.stringify(response.body), response.messageId],
  );
}

/** Drops records older than the retention; run periodically. */
export async function pruneIdempotencyKeys(db: Knex): Promise<number> {
  return db('idempotency_keys').where('created_at', '<', db.raw(`now() - interval '${IDEMPOTENCY_TTL_HOURS} hours'`)).delete();
}
