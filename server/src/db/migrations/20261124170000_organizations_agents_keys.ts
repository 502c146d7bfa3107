/**
 * Organizations, their agents and WhatsApp numbers, and API keys; plus the per-key rate-limit
 * counters. Never edit once landed: add a new migration.
 *
 * - API keys are stored as a SHA-256 hash only (plus a display prefix and the last four
 *   characters); `agent_ids` NULL means every agent of the organization, including future ones.
 * - A WhatsApp connection's Meta access token is stored encrypted (AES-256-GCM, see
 *   domain/secrets.ts); a connection without credentials delivers through the sandbox.
 * - `rate_limit_windows` is UNLOGGED: counters are disposable (a crash resets the current
 *   minute), and skipping the WAL makes the per-request increment cheap.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('organizations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('plan').notNullable();
    t.integer('monthly_message_quota').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE organizations
    ADD CONSTRAINT organizations_plan_check CHECK (plan IN ('free','starter','professional','business','enterprise')),
    ADD CONSTRAINT organizations_quota_check CHECK (monthly_message_quota >= 0),
    ADD CONSTRAINT organizations_name_check CHECK (length(name) BETWEEN 1 AND 200)`);

  await knex.schema.createTable('agents', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['organization_id']);
  });
  await knex.raw(`ALTER TABLE agents ADD CONSTRAINT agents_name_check CHECK (length(name) BETWEEN 1 AND 200)`);

  await knex.schema.createTable('whatsapp_connections', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.uuid('agent_id').notNullable().references('agents.id').onDelete('CASCADE');
    t.text('phone_number').notNullable();
    t.text('phone_number_id');
    t.text('waba_id');
    t.text('access_token_encrypted');
    t.boolean('active').notNullable().defaultTo(true);
    t.integer('messages_per_second').notNullable().defaultTo(80);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['agent_id']);
  });
  await knex.raw(`ALTER TABLE whatsapp_connections
    ADD CONSTRAINT whatsapp_connections_phone_check CHECK (phone_number ~ '^\\+[1-9][0-9]{7,14}$'),
    ADD CONSTRAINT whatsapp_connections_mps_check CHECK (messages_per_second BETWEEN 1 AND 10000),
    ADD CONSTRAINT whatsapp_connections_meta_ids_check CHECK ((phone_number_id IS NULL) = (access_token_encrypted IS NULL))`);
  // A number sends for one agent at a time; a Meta phone-number id belongs to one connection.
  await knex.raw(`CREATE UNIQUE INDEX whatsapp_connections_active_number ON whatsapp_connections (phone_number) WHERE active`);
  await knex.raw(`CREATE UNIQUE INDEX whatsapp_connections_phone_number_id ON whatsapp_connections (phone_number_id) WHERE phone_number_id IS NOT NULL`);

  await knex.schema.createTable('api_keys', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('environment').notNullable();
    t.text('key_hash').notNullable().unique();
    t.text('display_prefix').notNullable();
    t.text('last_four').notNullable();
    t.specificType('scopes', 'text[]').notNullable();
    t.specificType('agent_ids', 'uuid[]');
    t.integer('rate_limit_per_minute');
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.text('revoked_reason');
    t.uuid('replaced_by_key_id');
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['organization_id']);
  });
  await knex.raw(`ALTER TABLE api_keys
    ADD CONSTRAINT api_keys_environment_check CHECK (environment IN ('live','test')),
    ADD CONSTRAINT api_keys_scopes_check CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['whatsapp:send','whatsapp:read','messenger:send','instagram:send','*']::text[]),
    ADD CONSTRAINT api_keys_rate_limit_check CHECK (rate_limit_per_minute IS NULL OR rate_limit_per_minute BETWEEN 1 AND 1000000),
    ADD CONSTRAINT api_keys_name_check CHECK (length(name) BETWEEN 1 AND 100),
    ADD CONSTRAINT api_keys_reason_check CHECK (revoked_reason IS NULL OR length(revoked_reason) <= 200)`);

  await knex.raw(`CREATE UNLOGGED TABLE rate_limit_windows (
    api_key_id uuid NOT NULL,
    window_start timestamptz NOT NULL,
    request_count integer NOT NULL,
    PRIMARY KEY (api_key_id, window_start)
  )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rate_limit_windows');
  await knex.schema.dropTable('api_keys');
  await knex.schema.dropTable('whatsapp_connections');
  await knex.schema.dropTable('agents');
  await knex.schema.dropTable('organizations');
}
