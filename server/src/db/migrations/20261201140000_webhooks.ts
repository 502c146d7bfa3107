/**
 * Webhooks: the endpoints an organization registers (per environment), the events of its
 * messages and customers, one delivery per (event, endpoint), and every delivery attempt.
 * Never edit once landed: add a new migration.
 *
 * - An event is recorded in the same transaction as what causes it: a trigger on `messages`
 *   records `message.<status>` whenever the status actually changes (statuses only move
 *   forward, so a repeated or late status records nothing), with a snapshot of the message as
 *   it is then; the inbound path records `message.received` itself (domain/webhooks/events.ts).
 * - `mojeeb_fan_out_event` creates the deliveries of an event to the matching enabled
 *   endpoints, each with its `deliver_event` job, in that same transaction. The job runs in the
 *   named queue of its endpoint, so an endpoint has at most one delivery in flight and a slow
 *   one only delays itself.
 * - Keys may carry the scope `webhooks:manage`.
 * - Signing secrets are stored so that they can sign (encrypted with the service's key when it
 *   has one); after a rotation the previous secret signs too until `previous_secret_expires_at`.
 */
import type { Knex } from 'knex';

const SCOPES_BEFORE = `'whatsapp:send','whatsapp:read','messenger:send','instagram:send','*'`;
const SCOPES_AFTER = `'whatsapp:send','whatsapp:read','messenger:send','instagram:send','webhooks:manage','*'`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check,
    ADD CONSTRAINT api_keys_scopes_check CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY[${SCOPES_AFTER}]::text[])`);
  await knex.schema.createTable('webhook_endpoints', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('environment').notNullable();
    t.text('url').notNullable();
    t.text('description');
    t.specificType('enabled_events', 'text[]').notNullable();
    t.boolean('disabled').notNullable().defaultTo(false);
    t.text('disabled_reason');
    t.text('secret').notNullable();
    t.text('previous_secret');
    t.timestamp('previous_secret_expires_at', { useTz: true });
    t.timestamp('last_success_at', { useTz: true });
    t.timestamp('last_failure_at', { useTz: true });
    t.timestamp('failing_since', { useTz: true });
    t.integer('consecutive_failures').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['organization_id', 'environment', 'created_at', 'id']);
  });
  await knex.raw(`ALTER TABLE webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_environment_check CHECK (environment IN ('live','test'))`);

  await knex.schema.createTable('events', (t) => {
    t.text('id').primary();
    t.uuid('organization_id').notNullable();
    t.text('environment').notNullable();
    t.text('type').notNullable();
    t.uuid('message_id');
    t.uuid('inbound_message_id');
    t.jsonb('data').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['organization_id', 'environment', 'created_at', 'id']);
  });

  await knex.schema.createTable('event_deliveries', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('event_id').notNullable().references('events.id').onDelete('CASCADE');
    t.uuid('endpoint_id').notNullable().references('webhook_endpoints.id').onDelete('CASCADE');
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true });
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['event_id', 'endpoint_id']);
    t.index(['endpoint_id']);
  });
  await knex.raw(`ALTER TABLE event_deliveries
    ADD CONSTRAINT event_deliveries_status_check CHECK (status IN ('pending','succeeded','failed'))`);

  await knex.schema.createTable('event_delivery_attempts', (t) => {
    t.bigIncrements('id');
    t.uuid('delivery_id').notNullable().references('event_deliveries.id').onDelete('CASCADE');
    t.text('event_id').notNullable();
    t.uuid('endpoint_id').notNullable();
    t.timestamp('attempted_at', { useTz: true }).notNullable();
    t.integer('http_status');
    t.integer('latency_ms').notNullable();
    t.text('error');
    t.index(['event_id', 'attempted_at']);
  });

  await knex.raw(`
    CREATE FUNCTION mojeeb_fan_out_event(p_event text, p_organization uuid, p_environment text, p_type text) RETURNS integer
    LANGUAGE plpgsql AS $$
    DECLARE
      d record;
      n integer := 0;
    BEGIN
      FOR d IN
        INSERT INTO event_deliveries (event_id, endpoint_id, next_attempt_at)
        SELECT p_event, e.id, now() FROM webhook_endpoints e
        WHERE e.organization_id = p_organization AND e.environment = p_environment AND NOT e.disabled
          AND (p_type = ANY (e.enabled_events) OR '*' = ANY (e.enabled_events))
        ON CONFLICT (event_id, endpoint_id) DO NOTHING
        RETURNING id, endpoint_id
      LOOP
        PERFORM graphile_worker.add_job('deliver_event', json_build_object('delivery_id', d.id, 'attempt', 0),
          queue_name => 'webhook:' || d.endpoint_id::text, max_attempts => 1000);
        n := n + 1;
      END LOOP;
      RETURN n;
    END $$`);

  await knex.raw(`
    CREATE FUNCTION mojeeb_message_status_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
      v_id text := 'evt_' || replace(gen_random_uuid()::text, '-', '');
      v_type text := 'message.' || NEW.status;
    BEGIN
      INSERT INTO events (id, organization_id, environment, type, message_id, data)
      VALUES (v_id, NEW.organization_id, NEW.environment, v_type, NEW.id, jsonb_build_object(
        'id', NEW.id, 'status', NEW.status, 'agent_id', NEW.agent_id, 'from_number', NEW.from_number,
        'to_number', NEW.to_number, 'type', NEW.type, 'conversation_id', NEW.conversation_id,
        'platform_message_id', NEW.platform_message_id, 'error_code', NEW.error_code,
        'error_message', NEW.error_message, 'meta_error_code', NEW.meta_error_code,
        'created_at', NEW.created_at, 'sent_at', NEW.sent_at, 'delivered_at', NEW.delivered_at,
        'read_at', NEW.read_at, 'failed_at', NEW.failed_at));
      IF EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.organization_id = NEW.organization_id AND e.environment = NEW.environment AND NOT e.disabled) THEN
        PERFORM mojeeb_fan_out_event(v_id, NEW.organization_id, NEW.environment, v_type);
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER messages_status_event AFTER UPDATE OF status ON messages
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status <> 'queued')
    EXECUTE FUNCTION mojeeb_message_status_event()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER messages_status_event ON messages');
  await knex.raw('DROP FUNCTION mojeeb_message_status_event()');
  await knex.raw('DROP FUNCTION mojeeb_fan_out_event(text, uuid, text, text)');
  await knex.raw(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check,
    ADD CONSTRAINT api_keys_scopes_check CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY[${SCOPES_BEFORE}]::text[])`);
  for (const table of ['event_delivery_attempts', 'event_deliveries', 'events', 'webhook_endpoints']) await knex.schema.dropTable(table);
}
