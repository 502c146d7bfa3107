/**
 * Messaging: conversations (one per business number and customer, with the 24-hour window),
 * inbound and outbound messages, each number's templates, idempotency records and monthly
 * usage. Never edit once landed: add a new migration.
 *
 * - `messages.environment` keeps test-mode (`mk_test_`) and live messages apart: a key only
 *   ever sees messages of its own environment.
 * - `idempotency_keys` holds the stored 202 of a send, keyed by (API key, Idempotency-Key),
 *   written in the same transaction as the message and its delivery job.
 * - `organization_usage` counts accepted sends per organization and calendar month (UTC).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('conversations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('business_number').notNullable();
    t.text('customer_number').notNullable();
    t.uuid('agent_id').notNullable().references('agents.id').onDelete('CASCADE');
    t.timestamp('last_inbound_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['organization_id', 'business_number', 'customer_number']);
  });

  await knex.schema.createTable('inbound_messages', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('conversation_id').notNullable().references('conversations.id').onDelete('CASCADE');
    t.text('platform_message_id').unique();
    t.text('type').notNullable();
    t.jsonb('content').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['conversation_id', 'received_at']);
  });

  await knex.schema.createTable('messages', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('environment').notNullable();
    t.uuid('agent_id').notNullable().references('agents.id').onDelete('CASCADE');
    t.uuid('connection_id').notNullable().references('whatsapp_connections.id').onDelete('CASCADE');
    t.uuid('conversation_id').notNullable().references('conversations.id').onDelete('CASCADE');
    t.uuid('api_key_id');
    t.text('type').notNullable();
    t.text('from_number').notNullable();
    t.text('to_number').notNullable();
    t.jsonb('content').notNullable();
    t.text('status').notNullable().defaultTo('queued');
    t.text('platform_message_id');
    t.text('platform_message_status');
    t.text('error_code');
    t.text('error_message');
    t.integer('meta_error_code');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('read_at', { useTz: true });
    t.timestamp('failed_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['conversation_id', 'created_at']);
  });
  await knex.raw(`ALTER TABLE messages
    ADD CONSTRAINT messages_environment_check CHECK (environment IN ('live','test')),
    ADD CONSTRAINT messages_type_check CHECK (type IN ('text','template')),
    ADD CONSTRAINT messages_status_check CHECK (status IN ('queued','sent','delivered','read','failed'))`);
  await knex.raw(`CREATE UNIQUE INDEX messages_platform_message_id ON messages (platform_message_id) WHERE platform_message_id IS NOT NULL`);

  await knex.schema.createTable('templates', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('connection_id').notNullable().references('whatsapp_connections.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('language').notNullable();
    t.text('status').notNullable();
    t.text('category');
    t.text('parameter_format').notNullable();
    t.specificType('body_parameters', 'text[]').notNullable();
    t.text('header_format').notNullable().defaultTo('NONE');
    t.specificType('header_parameters', 'text[]').notNullable().defaultTo('{}');
    t.jsonb('buttons').notNullable().defaultTo('[]');
    t.jsonb('components');
    t.text('meta_template_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['connection_id', 'name', 'language']);
  });
  await knex.raw(`ALTER TABLE templates
    ADD CONSTRAINT templates_status_check CHECK (status IN ('APPROVED','PENDING','REJECTED','PAUSED','DISABLED','IN_APPEAL','PENDING_DELETION','DELETED','LIMIT_EXCEEDED')),
    ADD CONSTRAINT templates_parameter_format_check CHECK (parameter_format IN ('NAMED','POSITIONAL')),
    ADD CONSTRAINT templates_header_format_check CHECK (header_format IN ('NONE','TEXT','IMAGE','VIDEO','DOCUMENT','LOCATION'))`);

  await knex.schema.createTable('idempotency_keys', (t) => {
    t.uuid('api_key_id').notNullable();
    t.text('idempotency_key').notNullable();
    t.text('operation_id').notNullable();
    t.text('request_hash').notNullable();
    t.text('correlation_id').notNullable();
    t.integer('response_status').notNullable();
    t.jsonb('response_body').notNullable();
    t.uuid('message_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['api_key_id', 'idempotency_key']);
    t.index(['created_at']);
  });

  await knex.schema.createTable('organization_usage', (t) => {
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.date('period_start').notNullable();
    t.integer('messages_sent').notNullable().defaultTo(0);
    t.primary(['organization_id', 'period_start']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['organization_usage', 'idempotency_keys', 'templates', 'messages', 'inbound_messages', 'conversations']) {
    await knex.schema.dropTable(table);
  }
}
