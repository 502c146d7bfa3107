/**
 * Status events are recorded once per UPDATE statement instead of once per row: the trigger of
 * migration 20261201140000 ran a PL/pgSQL function for every changed message (an INSERT into
 * `events`, a look-up of the organization's endpoints and, for each matching endpoint, an
 * `add_job`), which tripled the cost of the worker's batched status updates. The statement
 * trigger sees the changed rows in its transition tables and writes all their events, all their
 * deliveries and all their `deliver_event` jobs with three set-based statements.
 *
 * What is recorded is unchanged: an event `message.<status>` whenever a message's status
 * actually changes (and is not `queued`), with a snapshot of the message as it is then, in the
 * same transaction; one delivery per matching enabled endpoint, whose job runs in the endpoint's
 * named queue. Transition tables cannot be combined with a column list (`UPDATE OF status`), so
 * the trigger fires for every UPDATE of `messages` and filters on the status itself.
 * Never edit once landed: add a new migration.
 */
import type { Knex } from 'knex';

const ROW_TRIGGER_FUNCTION = `
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
    END $$`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER messages_status_event ON messages');
  await knex.raw('DROP FUNCTION mojeeb_message_status_event()');
  await knex.raw(`
    CREATE FUNCTION mojeeb_message_status_events() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
      v_jobs integer;
    BEGIN
      WITH changed AS (
        SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE o.status IS DISTINCT FROM n.status AND n.status <> 'queued'
      ), recorded AS (
        INSERT INTO events (id, organization_id, environment, type, message_id, data)
        SELECT 'evt_' || replace(gen_random_uuid()::text, '-', ''), c.organization_id, c.environment, 'message.' || c.status, c.id,
          jsonb_build_object(
            'id', c.id, 'status', c.status, 'agent_id', c.agent_id, 'from_number', c.from_number,
            'to_number', c.to_number, 'type', c.type, 'conversation_id', c.conversation_id,
            'platform_message_id', c.platform_message_id, 'error_code', c.error_code,
            'error_message', c.error_message, 'meta_error_code', c.meta_error_code,
            'created_at', c.created_at, 'sent_at', c.sent_at, 'delivered_at', c.delivered_at,
            'read_at', c.read_at, 'failed_at', c.failed_at)
        FROM changed c
        RETURNING id, organization_id, environment, type
      ), fanned AS (
        INSERT INTO event_deliveries (event_id, endpoint_id, next_attempt_at)
        SELECT r.id, e.id, now()
        FROM recorded r
        JOIN webhook_endpoints e ON e.organization_id = r.organization_id AND e.environment = r.environment AND NOT e.disabled
          AND (r.type = ANY (e.enabled_events) OR '*' = ANY (e.enabled_events))
        ON CONFLICT (event_id, endpoint_id) DO NOTHING
        RETURNING id, endpoint_id
      )
      SELECT count(*) INTO v_jobs
      FROM (
        SELECT array_agg(ROW('deliver_event', json_build_object('delivery_id', f.id, 'attempt', 0), 'webhook:' || f.endpoint_id::text,
            NULL, 1000, NULL, NULL, NULL)::graphile_worker.job_spec) AS specs
        FROM fanned f
        HAVING count(*) > 0
      ) s
      CROSS JOIN LATERAL graphile_worker.add_jobs(s.specs) j;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER messages_status_events AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mojeeb_message_status_events()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER messages_status_events ON messages');
  await knex.raw('DROP FUNCTION mojeeb_message_status_events()');
  await knex.raw(ROW_TRIGGER_FUNCTION);
  await knex.raw(`
    CREATE TRIGGER messages_status_event AFTER UPDATE OF status ON messages
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status <> 'queued')
    EXECUTE FUNCTION mojeeb_message_status_event()`);
}
