-- The delivery job of an accepted message, written in the send's own transaction
-- (mojeeb_accept_send). See server/src/delivery/queue.ts for the graphile-worker internals this
-- relies on and the canary test that watches them (test/integration/queue-canary.test.ts).
--
-- The row goes straight into graphile-worker's job table, without the NOTIFY that
-- graphile_worker.add_job makes in every transaction (NOTIFY serializes the commits of every
-- notifying transaction on one database-wide lock); the server wakes the workers once per batch
-- of sends after commit instead (queue.ts, WorkerWakeup). The first job of the task on a database
-- goes through add_job, which registers the task.
CREATE OR REPLACE FUNCTION mojeeb_enqueue_delivery(p_task text, p_message_id uuid) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  v_payload json := json_build_object('message_id', p_message_id::text);
  v_key text := p_task || ':' || p_message_id::text;
BEGIN
  INSERT INTO graphile_worker._private_jobs (task_id, payload, key)
  SELECT tk.id, v_payload, v_key FROM graphile_worker._private_tasks tk WHERE tk.identifier = p_task;
  IF NOT FOUND THEN
    PERFORM graphile_worker.add_job(p_task, v_payload, job_key => v_key);
  END IF;
END
$fn$;

-- The drain job of a webhook endpoint (delivery/events/deliver-event.ts): one `deliver_events`
-- job per endpoint, keyed `mojeeb_event_endpoint:<endpoint id>`, in the endpoint's queue; it
-- delivers every delivery of the endpoint that waits for its first attempt. An event's fan-out
-- (fan_out_event.sql) calls this for each endpoint it creates a delivery for: when the endpoint
-- already has a drain job waiting (not yet running), that job will find the new delivery and
-- nothing is added — no job and no NOTIFY per event; otherwise (none, or the one there is
-- running) graphile_worker.add_job adds one (for a running one it creates the next).
--
-- The check reads without locking, so a waiting drain job may start, find its backlog empty
-- and finish between the check and the commit of the event's transaction: that delivery then
-- has no job until the event runner's sweep (every few seconds, delivery/events/runner.ts)
-- calls this again for every endpoint with a delivery waiting for longer than the sweep period.
CREATE OR REPLACE FUNCTION mojeeb_enqueue_event_drain(p_endpoint uuid) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  v_key text := 'mojeeb_event_endpoint:' || p_endpoint::text;
  -- The endpoints this transaction already saw to (a batch of status changes fans out many
  -- events to one endpoint): a transaction-local setting, gone at commit or rollback.
  v_seen text := coalesce(current_setting('mojeeb.event_drains', true), '');
BEGIN
  IF strpos(v_seen, p_endpoint::text) > 0 THEN
    RETURN;
  END IF;
  PERFORM set_config('mojeeb.event_drains', v_seen || p_endpoint::text || ',', true);
  IF EXISTS (SELECT 1 FROM graphile_worker.jobs j WHERE j.key = v_key AND j.locked_at IS NULL) THEN
    RETURN;
  END IF;
  PERFORM graphile_worker.add_job('deliver_events', json_build_object('endpoint_id', p_endpoint::text),
    queue_name => 'webhook:' || p_endpoint::text, job_key => v_key, max_attempts => 1000);
END
$fn$;
