/**
 * Lists (GET /v1/whatsapp/messages, GET /v1/whatsapp/conversations): indexes in list order,
 * newest first by (created_at, id), for the keyset pagination of domain/cursor.ts; and the
 * environment of an inbound message, derived from what is stored: a message simulated in the
 * sandbox (`content.simulated`, domain/sandbox-inbound.ts) belongs to test mode, one delivered
 * by WhatsApp to live mode. A generated column, so every writer of inbound messages keeps
 * writing what it writes today. Never edit once landed.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE inbound_messages ADD COLUMN environment text NOT NULL
    GENERATED ALWAYS AS (CASE WHEN content @> '{"simulated": true}'::jsonb THEN 'test' ELSE 'live' END) STORED`);
  await knex.raw('CREATE INDEX messages_list ON messages (organization_id, environment, created_at DESC, id DESC)');
  await knex.raw('CREATE INDEX inbound_messages_list ON inbound_messages (created_at DESC, id DESC)');
  await knex.raw('CREATE INDEX inbound_messages_conversation_environment ON inbound_messages (conversation_id, environment)');
  await knex.raw('CREATE INDEX conversations_list ON conversations (organization_id, created_at DESC, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX conversations_list');
  await knex.raw('DROP INDEX inbound_messages_conversation_environment');
  await knex.raw('DROP INDEX inbound_messages_list');
  await knex.raw('DROP INDEX messages_list');
  await knex.raw('ALTER TABLE inbound_messages DROP COLUMN environment');
}
