/**
 * Data retention (domain/retention.ts): indexes that let each batch find its oldest deletable
 * rows without scanning the table.
 *
 * - messages: a partial index of settled messages (`delivered`, `read`, `failed`) by creation
 *   time. A send inserts a `queued` message, outside the index, so the send path pays nothing.
 * - message_events: the status events that never found their message, by arrival.
 * - events: by creation time (webhook events are kept a shorter time than messages).
 * - event_delivery_attempts: by delivery, for the cascade from event_deliveries (until now it
 *   had no index, so deleting a delivery scanned every attempt).
 *
 * Built CONCURRENTLY, outside a transaction, so that creating them on a large database never
 * blocks sends or status updates; each is dropped first in case an earlier, interrupted build
 * left it invalid. Never edit once landed.
 */
import type { Knex } from 'knex';

export const config = { transaction: false };

const INDEXES: ReadonlyArray<readonly [name: string, definition: string]> = [
  ['messages_retention', `messages (created_at) WHERE status IN ('delivered', 'read', 'failed')`],
  ['message_events_unmatched_received_at', 'message_events (received_at) WHERE message_id IS NULL'],
  ['events_created_at', 'events (created_at)'],
  ['event_delivery_attempts_delivery_id', 'event_delivery_attempts (delivery_id)'],
];

export async function up(knex: Knex): Promise<void> {
  for (const [name, definition] of INDEXES) {
    await knex.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
    await knex.raw(`CREATE INDEX CONCURRENTLY ${name} ON ${definition}`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [name] of [...INDEXES].reverse()) await knex.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
}
