-- Accepting a send in ONE statement: mojeeb_accept_send(...) runs every rule of a send in the
-- order openapi.yaml documents and, when all pass, writes the conversation, the message, its
-- delivery job and the idempotency record, in the statement's own transaction. The server makes
-- one call per send (domain/messages.ts) and only turns the outcome into a response.
--
-- Outcomes (the `outcome` column), in the order they are checked:
--   agent_not_found        the agent is not one of the organization's
--   in_progress            another request with this Idempotency-Key is in flight
--   stored                 the record of an earlier request with this key (detail: what it was);
--                          the caller compares the request hash and replays or refuses it
--   from_phone_not_found   `from` is not an active number of the agent
--   template_not_found     no template of that name and language on the number
--   template_not_approved  detail.status: the template's status at Meta
--   template_mismatch      detail: the first field that does not fit (mojeeb_template_mismatch)
--   window_closed          detail: last_inbound_at, expires_at (free-form text outside the window)
--   quota_exceeded         detail: quota, resets_at (live sends only)
--   accepted               message_id, conversation_id, created_at
--
-- Idempotency: a transaction-scoped advisory lock on (API key, Idempotency-Key) marks the request
-- as in flight; once it is taken, the record of an earlier request is looked up (each statement
-- sees what committed before it started). Records are kept mojeeb_idempotency_ttl().
--
-- The monthly quota is exact without one row that every live send of an organization locks until
-- its commit: usage is counted in mojeeb_usage_shards() rows per organization and month (`shard`,
-- chosen by the database connection), and a send holds a SHARED advisory lock on the
-- organization's quota while it counts. Far from the quota (more messages left than
-- max_connections, the most sends that can be in flight at once) that is all. Closer, the send
-- gives the shared lock back (it was taken in a subtransaction, rolled back) and takes the
-- EXCLUSIVE lock, which waits for every send in flight, then counts what committed: the last
-- messages of a quota are counted one by one, still in the same call.
--
-- This file is applied by server/src/db/repeatable.ts after the migrations whenever its checksum
-- changes (CREATE OR REPLACE); schema changes go in migrations.
CREATE OR REPLACE FUNCTION mojeeb_accept_send(
  p_task text,  -- the delivery task (delivery/queue.ts DELIVERY_TASK)
  p_organization_id uuid,
  p_environment text,
  p_api_key_id uuid,
  p_agent_id uuid,
  p_from text,
  p_to text,
  p_type text,
  p_content jsonb,
  p_template json DEFAULT NULL,
  p_idempotency_key text DEFAULT NULL,
  p_operation_id text DEFAULT NULL,
  p_request_hash text DEFAULT NULL,
  p_correlation_id text DEFAULT NULL)
RETURNS TABLE (outcome text, message_id uuid, conversation_id uuid, created_at timestamptz, detail jsonb)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_connection_id uuid;
  v_template templates;
  v_mismatch jsonb;
  v_last_inbound timestamptz;
  v_period date;
  v_quota_lock bigint;
  v_quota integer;
  v_used bigint;
  v_conversation_id uuid;
  v_message_id uuid;
  v_created_at timestamptz;
BEGIN
  -- 422 agent_not_found: the agent belongs to the key's organization.
  IF NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = p_agent_id AND a.organization_id = p_organization_id) THEN
    RETURN QUERY SELECT 'agent_not_found'::text, NULL::uuid, NULL::uuid, NULL::timestamptz, NULL::jsonb;
    RETURN;
  END IF;

  -- 409 idempotency_key_in_progress, or the record of an earlier request.
  IF p_idempotency_key IS NOT NULL THEN
    IF NOT pg_try_advisory_xact_lock(hashtextextended(p_api_key_id::text || ':' || p_idempotency_key, 0)) THEN
      RETURN QUERY SELECT 'in_progress'::text, NULL::uuid, NULL::uuid, NULL::timestamptz, NULL::jsonb;
      RETURN;
    END IF;
    RETURN QUERY
      SELECT 'stored'::text, k.message_id, m.conversation_id, m.created_at,
             jsonb_build_object('operation_id', k.operation_id, 'request_hash', k.request_hash, 'correlation_id', k.correlation_id,
                                'status', k.response_status, 'body', k.response_body)
        FROM idempotency_keys k LEFT JOIN messages m ON m.id = k.message_id
       WHERE k.api_key_id = p_api_key_id AND k.idempotency_key = p_idempotency_key
         AND k.created_at > now() - mojeeb_idempotency_ttl();
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;

  -- 422 from_phone_not_found_for_agent.
  SELECT c.id INTO v_connection_id FROM whatsapp_connections c
   WHERE c.organization_id = p_organization_id AND c.agent_id = p_agent_id AND c.phone_number = p_from AND c.active;
  IF v_connection_id IS NULL THEN
    RETURN QUERY SELECT 'from_phone_not_found'::text, NULL::uuid, NULL::uuid, NULL::timestamptz, NULL::jsonb;
    RETURN;
  END IF;

  IF p_type = 'template' THEN
    -- 422 template_not_found, template_not_approved, invalid_template_parameters.
    SELECT t.* INTO v_template FROM templates t
     WHERE t.connection_id = v_connection_id AND t.name = p_content -> 'template' ->> 'name' AND t.language = p_content -> 'template' ->> 'language';
    IF v_template.id IS NULL THEN
      RETURN QUERY SELECT 'template_not_found'::text, NULL::uuid, NULL::uuid, NULL::timestamptz, NULL::jsonb;
      RETURN;
    END IF;
    IF v_template.status <> 'APPROVED' THEN
      RETURN QUERY SELECT 'template_not_approved'::text, NULL::uuid, NULL::uuid, NULL::timestamptz, jsonb_build_object('status', v_template.status);
      RETURN;
    END IF;
    v_mismatch := mojeeb_template_mismatch(v_template, p_template);
    IF v_mismatch IS NOT NULL THEN
      RETURN QUERY SELECT 'template_mismatch'::text, NULL::uuid, NULL::uuid, NULL::timestamptz, v_mismatch;
      RETURN;
    END IF;
  ELSE
    -- 422 customer_service_window_closed: free-form text only within the window.
    SELECT cv.last_inbound_at INTO v_last_inbound FROM conversations cv
     WHERE cv.organization_id = p_organization_id AND cv.business_number = p_from AND cv.customer_number = p_to;
    IF v_last_inbound IS NULL OR v_last_inbound + mojeeb_customer_service_window() <= now() THEN
      RETURN QUERY SELECT 'window_closed'::text, NULL::uuid, NULL::uuid, NULL::timestamptz,
                          jsonb_build_object('last_inbound_at', v_last_inbound, 'expires_at', v_last_inbound + mojeeb_customer_service_window());
      RETURN;
    END IF;
  END IF;

  -- 402 message_quota_exceeded (live sends only); see the header for the two lock modes.
  IF p_environment = 'live' THEN
    v_period := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    v_quota_lock := hashtextextended('quota:' || p_organization_id::text, 0);
    SELECT o.monthly_message_quota INTO v_quota FROM organizations o WHERE o.id = p_organization_id;
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(v_quota_lock);
      v_used := (SELECT coalesce(sum(u.messages_sent), 0) FROM organization_usage u WHERE u.organization_id = p_organization_id AND u.period_start = v_period);
      IF v_used < v_quota AND v_quota - v_used <= current_setting('max_connections')::int THEN
        RAISE EXCEPTION USING ERRCODE = 'MJQ01', MESSAGE = 'close to the quota: count exactly';
      END IF;
    EXCEPTION WHEN SQLSTATE 'MJQ01' THEN
      -- The subtransaction's rollback gave the shared lock back.
      PERFORM pg_advisory_xact_lock(v_quota_lock);
      v_used := (SELECT coalesce(sum(u.messages_sent), 0) FROM organization_usage u WHERE u.organization_id = p_organization_id AND u.period_start = v_period);
    END;
    IF v_used >= v_quota THEN
      RETURN QUERY SELECT 'quota_exceeded'::text, NULL::uuid, NULL::uuid, NULL::timestamptz,
                          jsonb_build_object('quota', v_quota,
                                             'resets_at', (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC');
      RETURN;
    END IF;
    INSERT INTO organization_usage AS u (organization_id, period_start, shard, messages_sent)
    VALUES (p_organization_id, v_period, pg_backend_pid() % mojeeb_usage_shards(), 1)
    ON CONFLICT (organization_id, period_start, shard) DO UPDATE SET messages_sent = u.messages_sent + 1;
  END IF;

  INSERT INTO conversations AS cv (organization_id, business_number, customer_number, agent_id)
  VALUES (p_organization_id, p_from, p_to, p_agent_id)
  ON CONFLICT (organization_id, business_number, customer_number) DO UPDATE SET agent_id = EXCLUDED.agent_id, updated_at = now()
  RETURNING cv.id INTO v_conversation_id;

  INSERT INTO messages AS m (organization_id, environment, agent_id, connection_id, conversation_id, api_key_id, type, from_number, to_number, content)
  VALUES (p_organization_id, p_environment, p_agent_id, v_connection_id, v_conversation_id, p_api_key_id, p_type, p_from, p_to, p_content)
  RETURNING m.id, m.created_at INTO v_message_id, v_created_at;

  PERFORM mojeeb_enqueue_delivery(p_task, v_message_id);

  IF p_idempotency_key IS NOT NULL THEN
    INSERT INTO idempotency_keys AS k (api_key_id, idempotency_key, operation_id, request_hash, correlation_id, response_status, response_body, message_id)
    VALUES (p_api_key_id, p_idempotency_key, p_operation_id, p_request_hash, p_correlation_id, 202, NULL, v_message_id)
    ON CONFLICT (api_key_id, idempotency_key) DO UPDATE SET
      operation_id = EXCLUDED.operation_id, request_hash = EXCLUDED.request_hash, correlation_id = EXCLUDED.correlation_id,
      response_status = EXCLUDED.response_status, response_body = NULL, message_id = EXCLUDED.message_id, created_at = now();
  END IF;

  RETURN QUERY SELECT 'accepted'::text, v_message_id, v_conversation_id, v_created_at, NULL::jsonb;
END
$fn$;
