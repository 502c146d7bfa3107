/**
 * Event deliveries waiting for their first attempt, by endpoint and age: the index the event
 * runner's drain reads (delivery/events/deliver-event.ts) to take an endpoint's next events in
 * the job that holds its queue, without scanning the endpoint's delivered ones. Partial, so a
 * delivery leaves it with its first attempt.
 *
 * Built CONCURRENTLY, outside a transaction (no lock on a busy table), dropped first in case an
 * interrupted build left it invalid. Never edit once landed.
 */
import type { Knex } from 'knex';

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS event_deliveries_backlog');
  await knex.raw(
    `CREATE INDEX CONCURRENTLY event_deliveries_backlog ON event_deliveries (endpoint_id, created_at, id) WHERE status = 'pending' AND attempts = 0`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS event_deliveries_backlog');
}
