-- The deliveries of an event: one per enabled endpoint of its organization and environment that
-- takes its type, in the caller's transaction, and for each endpoint its drain job
-- (`mojeeb_enqueue_event_drain`, delivery/queue.sql: one job per endpoint, not per event, in the
-- endpoint's own queue, so at most one delivery is in flight per endpoint). Returns how many
-- deliveries it created.
--
-- The endpoints are locked FOR KEY SHARE: an endpoint being deleted at the same moment is
-- waited for and then skipped, instead of failing the event's transaction (a send, a customer's
-- message) on the deliveries' foreign key.
CREATE OR REPLACE FUNCTION mojeeb_fan_out_event(p_event text, p_organization uuid, p_environment text, p_type text) RETURNS integer
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
    FOR KEY SHARE OF e
    ON CONFLICT (event_id, endpoint_id) DO NOTHING
    RETURNING id, endpoint_id
  LOOP
    PERFORM mojeeb_enqueue_event_drain(d.endpoint_id);
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;
