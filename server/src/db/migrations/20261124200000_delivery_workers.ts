/**
 * Delivery workers announce themselves with a heartbeat, so that the jobs a crashed worker had
 * locked are released by the others within seconds (instead of graphile-worker's 4-hour lock
 * timeout). Never edit once landed.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE UNLOGGED TABLE delivery_workers (
    worker_id text PRIMARY KEY,
    heartbeat_at timestamptz NOT NULL DEFAULT now()
  )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE delivery_workers');
}
