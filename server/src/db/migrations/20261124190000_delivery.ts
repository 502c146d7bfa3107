/**
 * Delivery: every status event WhatsApp reports (deduplicated on (wamid, status), kept even
 * when no message matches yet, for reconciliation), the delivery attempt marker the worker sets
 * before it calls Meta, and each number's next free sending slot for pacing. Never edit once
 * landed.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('message_events', (t) => {
    t.bigIncrements('id');
    t.uuid('message_id').references('messages.id').onDelete('CASCADE');
    t.text('platform_message_id').notNullable();
    t.text('status').notNullable();
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.text('callback_data');
    t.jsonb('error');
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['platform_message_id', 'status']);
    t.index(['message_id']);
  });
  await knex.raw(`CREATE INDEX message_events_unmatched ON message_events (platform_message_id) WHERE message_id IS NULL`);
  await knex.raw(`ALTER TABLE message_events ADD CONSTRAINT message_events_status_check CHECK (status IN ('sent','delivered','read','failed'))`);

  await knex.schema.alterTable('messages', (t) => {
    t.timestamp('send_attempted_at', { useTz: true });
    t.integer('delivery_attempts').notNullable().defaultTo(0);
  });

  await knex.raw(`CREATE UNLOGGED TABLE send_pacing (
    connection_id uuid PRIMARY KEY,
    next_slot timestamptz NOT NULL
  )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE send_pacing');
  await knex.schema.alterTable('messages', (t) => {
    t.dropColumn('send_attempted_at');
    t.dropColumn('delivery_attempts');
  });
  await knex.schema.dropTable('message_events');
}
