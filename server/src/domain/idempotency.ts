/**
 * Idempotency of sends (openapi.yaml, "Idempotency"): keys are scoped to the API key and kept 24
 * hours (`mojeeb_idempotency_ttl()`, db/sql/send_rules.sql, the one place that says so). The
 * claim, the replay and the stored record are part of the send's one statement
 * (`mojeeb_accept_send`, db/sql/accept_send.sql): a transaction-scoped advisory lock on (API
 * key, Idempotency-Key) marks the request as in flight, so a concurrent duplicate is answered 409
 * at once; a later one finds the record, written in the same transaction as the message and its
 * delivery job, and replays it. A crash rolls everything back together, so there is never a
 * message without its record, nor the reverse. This module hashes requests and prunes records.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

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

/** Drops records older than the retention; run periodically. */
export async function pruneIdempotencyKeys(db: Knex): Promise<number> {
  return db('idempotency_keys').where('created_at', '<', db.raw('now() - mojeeb_idempotency_ttl()')).delete();
}
