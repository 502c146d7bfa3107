/**
 * The functions of the service's rules move out of migrations into `.sql` files applied by a
 * repeatable step (db/repeatable.ts): this records which version of each file a database has, and
 * drops the send function of migration 20261129220000 (18 positional parameters; the new one in
 * db/sql/accept_send.sql takes named parameters and answers in one call).
 */
import type { Knex } from 'knex';

const OLD_ACCEPT_SEND = 'mojeeb_accept_send(uuid, text, uuid, uuid, text, text, text, jsonb, text, text, text, bigint, boolean, text, text, text, text, text)';

/** Every function the repeatable files define (all overloads are dropped on the way down). */
const REPEATABLE_FUNCTIONS = [
  'mojeeb_accept_send', 'mojeeb_template_mismatch', 'mojeeb_json_keys', 'mojeeb_idempotency_ttl',
  'mojeeb_customer_service_window', 'mojeeb_usage_shards', 'mojeeb_enqueue_delivery',
];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE mojeeb_sql_files (
    name text PRIMARY KEY,
    sha256 text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  await knex.raw(`DROP FUNCTION ${OLD_ACCEPT_SEND}`);
}

export async function down(knex: Knex): Promise<void> {
  const { rows } = await knex.raw<{ rows: Array<{ signature: string }> }>(
    `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = current_schema() AND p.proname = ANY(?::text[])`,
    [REPEATABLE_FUNCTIONS],
  );
  for (const { signature } of rows) await knex.raw(`DROP FUNCTION ${signature}`);
  await knex.raw(`DROP TABLE mojeeb_sql_files`);
  // Migration 20261129220000's down drops the old function by its signature: it is put back, as
  // a function that refuses to run (its body is that migration's, not restored here).
  await knex.raw(`CREATE FUNCTION ${OLD_ACCEPT_SEND}
    RETURNS TABLE (outcome text, message_id uuid, conversation_id uuid, created_at timestamptz, detail jsonb)
    LANGUAGE plpgsql AS $fn$ BEGIN RAISE EXCEPTION 'mojeeb_accept_send was replaced; migrate to the latest version'; END $fn$`);
}
