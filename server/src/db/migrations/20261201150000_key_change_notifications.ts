/**
 * Key change notifications: every server process keeps the keys it authenticated in memory for
 * a short time (domain/api-keys/key-cache.ts) and drops them when PostgreSQL notifies it on the
 * channel `mojeeb_key_changes`. The triggers are on the tables, so every path that changes a key
 * (the API, the admin CLI, raw SQL) notifies. NOTIFY is transactional: it is delivered at commit,
 * and not at all when the change is rolled back.
 *
 * Payloads: `key:<api_keys.id>` when a key's revocation, expiry, scopes, agent allow-list, rate
 * limit, hash, organization or environment change, or the key is deleted;
 * `organization:<organizations.id>` when an organization's plan changes or it is deleted.
 * Writes of `last_used_at` (and `updated_at` alone) notify nothing. Inserts notify nothing: an
 * unknown key is never kept, so a new key works on its first request.
 * Never edit once landed: add a new migration.
 */
import type { Knex } from 'knex';

const KEY_COLUMNS = ['revoked_at', 'expires_at', 'scopes', 'agent_ids', 'rate_limit_per_minute', 'key_hash', 'organization_id', 'environment'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION mojeeb_notify_key_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('mojeeb_key_changes', TG_ARGV[0] || ':' || OLD.id::text);
      RETURN NULL;
    END $$`);
  const changed = KEY_COLUMNS.map((c) => `OLD.${c} IS DISTINCT FROM NEW.${c}`).join(' OR ');
  await knex.raw(`
    CREATE TRIGGER api_keys_notify_update AFTER UPDATE ON api_keys
    FOR EACH ROW WHEN (${changed})
    EXECUTE FUNCTION mojeeb_notify_key_change('key')`);
  await knex.raw(`
    CREATE TRIGGER api_keys_notify_delete AFTER DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION mojeeb_notify_key_change('key')`);
  await knex.raw(`
    CREATE TRIGGER organizations_notify_plan AFTER UPDATE OF plan ON organizations
    FOR EACH ROW WHEN (OLD.plan IS DISTINCT FROM NEW.plan)
    EXECUTE FUNCTION mojeeb_notify_key_change('organization')`);
  await knex.raw(`
    CREATE TRIGGER organizations_notify_delete AFTER DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION mojeeb_notify_key_change('organization')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER organizations_notify_delete ON organizations');
  await knex.raw('DROP TRIGGER organizations_notify_plan ON organizations');
  await knex.raw('DROP TRIGGER api_keys_notify_delete ON api_keys');
  await knex.raw('DROP TRIGGER api_keys_notify_update ON api_keys');
  await knex.raw('DROP FUNCTION mojeeb_notify_key_change()');
}
