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
