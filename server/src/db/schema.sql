-- The schema of a freshly migrated database (public schema), from server/src/db/schema-dump.ts.
-- Generated: npm run db:schema. A test compares it with the migrations and repeatable SQL files.


CREATE TABLE agents (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL,
  name text NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT agents_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
  CONSTRAINT agents_organization_id_foreign FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE,
  CONSTRAINT agents_pkey PRIMARY KEY (id)
);
CREATE INDEX agents_organization_id_index ON public.agents USING btree (organization_id);
CREATE TRIGGER agents_delete_messages BEFORE DELETE ON public.agents FOR EACH ROW EXECUTE FUNCTION mojeeb_delete_messages_of_parent();

CREATE TABLE api_keys (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL,
  name text NOT NULL,
  environment text NOT NULL,
  key_hash text NOT NULL,
  display_prefix text NOT NULL,
  last_four text NOT NULL,
  scopes text[] NOT NULL,
  agent_ids uuid[],
  rate_limit_per_minute integer,
  expires_at timestamp with time zone,
  revoked_at timestamp with time zone,
  revoked_reason text,
  replaced_by_key_id uuid,
  last_used_at timestamp with time zone,
  created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT api_keys_environment_check CHECK ((environment = ANY (ARRAY['live'::text, 'test'::text]))),
  CONSTRAINT api_keys_key_hash_unique UNIQUE (key_hash),
  CONSTRAINT api_keys_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100))),
  CONSTRAINT api_keys_organization_id_foreign FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE,
  CONSTRAINT api_keys_pkey PRIMARY KEY (id),
  CONSTRAINT api_keys_rate_limit_check CHECK (((rate_limit_per_minute IS NULL) OR ((rate_limit_per_minute >= 1) AND (rate_limit_per_minute <= 1000000)))),
  CONSTRAINT api_keys_reason_check CHECK (((revoked_reason IS NULL) OR (length(revoked_reason) <= 200))),
  CONSTRAINT api_keys_scopes_check CHECK (((cardinality(scopes) > 0) AND (scopes <@ ARRAY['whatsapp:send'::text, 'whatsapp:read'::text, 'messenger:send'::text, 'instagram:send'::text, 'webhooks:manage'::text, '*'::text])))
);
CREATE INDEX api_keys_organization_id_index ON public.api_keys USING btree (organization_id);
CREATE TRIGGER api_keys_notify_delete AFTER DELETE ON public.api_keys FOR EACH ROW EXECUTE FUNCTION mojeeb_notify_key_change('key');
CREATE TRIGGER api_keys_notify_update AFTER UPDATE ON public.api_keys FOR EACH ROW WHEN (((old.revoked_at IS DISTINCT FROM new.revoked_at) OR (old.expires_at IS DISTINCT FROM new.expires_at) OR (old.scopes IS DISTINCT FROM new.scopes) OR (old.agent_ids IS DISTINCT FROM new.agent_ids) OR (old.rate_limit_per_minute IS DISTINCT FROM new.rate_limit_per_minute) OR (old.key_hash IS DISTINCT FROM new.key_hash) OR (old.organization_id IS DISTINCT FROM new.organization_id) OR (old.environment IS DISTINCT FROM new.environment))) EXECUTE FUNCTION mojeeb_notify_key_change('key');

CREATE TABLE conversations (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL,
  business_number text NOT NULL,
  customer_number text NOT NULL,
  agent_id uuid NOT NULL,
  last_inbound_at timestamp with time zone,
  created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT conversations_organization_id_business_number_customer_number_u UNIQUE (organization_id, business_number, customer_number),
  CONSTRAINT conversations_pkey PRIMARY KEY (id)
);
CREATE INDEX conversations_list ON public.conversations USING btree (organization_id, created_at DESC, id DESC);

CREATE UNLOGGED TABLE delivery_workers (
  worker_id text NOT NULL,
  heartbeat_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT delivery_workers_pkey PRIMARY KEY (worker_id)
);

CREATE TABLE event_deliveries (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  event_id text NOT NULL,
  endpoint_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'pending'::text,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamp with time zone,
  delivered_at timestamp with time zone,
  created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT event_deliveries_endpoint_id_foreign FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  CONSTRAINT event_deliveries_event_id_endpoint_id_unique UNIQUE (event_id, endpoint_id),
  CONSTRAINT event_deliveries_event_id_foreign FOREIGN KEY (event_id) REFERENCES events(id) ON DELETE CASCADE,
  CONSTRAINT event_deliveries_pkey PRIMARY KEY (id),
  CONSTRAINT event_deliveries_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'succeeded'::text, 'failed'::text])))
);
CREATE INDEX event_deliveries_backlog ON public.event_deliveries USING btree (endpoint_id, created_at, id) WHERE ((status = 'pending'::text) AND (attempts = 0));
CREATE INDEX event_deliveries_endpoint_id_index ON public.event_deliveries USING btree (endpoint_id);

CREATE TABLE event_delivery_attempts (
  id bigint NOT NULL DEFAULT nextval('event_delivery_attempts_id_seq'::regclass),
  delivery_id uuid NOT NULL,
  event_id text NOT NULL,
  endpoint_id uuid NOT NULL,
  attempted_at timestamp with time zone NOT NULL,
  http_status integer,
  latency_ms integer NOT NULL,
  error text,
  CONSTRAINT event_delivery_attempts_delivery_id_foreign FOREIGN KEY (delivery_id) REFERENCES event_deliveries(id) ON DELETE CASCADE,
  CONSTRAINT event_delivery_attempts_pkey PRIMARY KEY (id)
);
CREATE INDEX event_delivery_attempts_delivery_id ON public.event_delivery_attempts USING btree (delivery_id);
CREATE INDEX event_delivery_attempts_event_id_attempted_at_index ON public.event_delivery_attempts USING btree (event_id, attempted_at);

CREATE TABLE events (
  id text NOT NULL,
  organization_id uuid NOT NULL,
  environment text NOT NULL,
  type text NOT NULL,
  message_id uuid,
  inbound_message_id uuid,
  data jsonb NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT events_pkey PRIMARY KEY (id)
);
CREATE INDEX events_created_at ON public.events USING btree (created_at);
CREATE INDEX events_organization_id_environment_created_at_id_index ON public.events USING btree (organization_id, environment, created_at, id);

CREATE TABLE idempotency_keys (
  api_key_id uuid NOT NULL,
  idempotency_key text NOT NULL,
  operation_id text NOT NULL,
  request_hash text NOT NULL,
  correlation_id text NOT NULL,
  response_status integer NOT NULL,
  response_body jsonb,
  message_id uuid,
  created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT idempotency_keys_pkey PRIMARY KEY (api_key_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created_at_index ON public.idempotency_keys USING btree (created_at);

CREATE TABLE inbound_messages (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  conversation_id uuid NOT NULL,
  platform_message_id text,
  type text NOT NULL,
  content jsonb NOT NULL,
  received_at timestamp with time zone NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  environment text NOT NULL DEFAULT 
CASE
    WHEN (content @> '{"simulated": true}'::jsonb) THEN 'test'::text
    ELSE 'live'::text
END,
  CONSTRAINT inbound_messages_conversation_id_foreign FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE CASCADE,
  CONSTRAINT inbound_messages_pkey PRIMARY KEY (id),
  CONSTRAINT inbound_messages_platform_message_id_unique UNIQUE (platform_message_id)
);
CREATE INDEX inbound_messages_conversation_environment ON public.inbound_messages USING btree (conversation_id, environment);
CREATE INDEX inbound_messages_conversation_id_received_at_index ON public.inbound_messages USING btree (conversation_id, received_at);
CREATE INDEX inbound_messages_list ON public.inbound_messages USING btree (created_at DESC, id DESC);

CREATE TABLE knex_migrations (
  id integer NOT NULL DEFAULT nextval('knex_migrations_id_seq'::regclass),
  name character varying(255),
  batch integer,
  migration_time timestamp with time zone,
  CONSTRAINT knex_migrations_pkey PRIMARY KEY (id)
);

CREATE TABLE knex_migrations_lock (
  index integer NOT NULL DEFAULT nextval('knex_migrations_lock_index_seq'::regclass),
  is_locked integer,
  CONSTRAINT knex_migrations_lock_pkey PRIMARY KEY (index)
);

CREATE TABLE message_events (
  id bigint NOT NULL DEFAULT nextval('message_events_id_seq'::regclass),
  message_id uuid,
  platform_message_id text NOT NULL,
  status text NOT NULL,
  occurred_at timestamp with time zone NOT NULL,
  callback_data text,
  error jsonb,
  received_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT message_events_message_id_foreign FOREIGN KEY (message_id) REFERENCES messages(id) ON DELETE CASCADE,
  CONSTRAINT message_events_pkey PRIMARY KEY (id),
  CONSTRAINT message_events_platform_message_id_status_unique UNIQUE (platform_message_id, status),
  CONSTRAINT message_events_status_check CHECK ((status = ANY (ARRAY['sent'::text, 'delivered'::text, 'read'::text, 'failed'::text])))
);
CREATE INDEX message_events_message_id_index ON public.message_events USING btree (message_id);
CREATE INDEX message_events_unmatched ON public.message_events USING btree (platform_message_id) WHERE (message_id IS NULL);
CREATE INDEX message_events_unmatched_received_at ON public.message_events USING btree (received_at) WHERE (message_id IS NULL);

CREATE TABLE messages (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL,
  environment text NOT NULL,
  agent_id uuid NOT NULL,
  connection_id uuid NOT NULL,
  conversation_id uuid NOT NULL,
  api_key_id uuid,
  type text NOT NULL,
  from_number text NOT NULL,
  to_number text NOT NULL,
  content jsonb NOT NULL,
  status text NOT NULL DEFAULT 'queued'::text,
  platform_message_id text,
  platform_message_status text,
  error_code text,
  error_message text,
  meta_error_code integer,
  created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  sent_at timestamp with time zone,
  delivered_at timestamp with time zone,
  read_at timestamp with time zone,
  failed_at timestamp with time zone,
  updated_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  send_attempted_at timestamp with time zone,
  delivery_attempts integer NOT NULL DEFAULT 0,
  CONSTRAINT messages_conversation_id_foreign FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE CASCADE,
  CONSTRAINT messages_environment_check CHECK ((environment = ANY (ARRAY['live'::text, 'test'::text]))),
  CONSTRAINT messages_pkey PRIMARY KEY (id),
  CONSTRAINT messages_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'sent'::text, 'delivered'::text, 'read'::text, 'failed'::text]))),
  CONSTRAINT messages_type_check CHECK ((type = ANY (ARRAY['text'::text, 'template'::text])))
);
CREATE INDEX messages_conversation_id_created_at_index ON public.messages USING btree (conversation_id, created_at);
CREATE INDEX messages_list ON public.messages USING btree (organization_id, environment, created_at DESC, id DESC);
CREATE UNIQUE INDEX messages_platform_message_id ON public.messages USING btree (platform_message_id) WHERE (platform_message_id IS NOT NULL);
CREATE INDEX messages_retention ON public.messages USING btree (created_at) WHERE (status = ANY (ARRAY['delivered'::text, 'read'::text, 'failed'::text]));
CREATE TRIGGER messages_status_event AFTER UPDATE OF status ON public.messages FOR EACH ROW WHEN (((old.status IS DISTINCT FROM new.status) AND (new.status <> 'queued'::text))) EXECUTE FUNCTION mojeeb_message_status_event();

CREATE TABLE mojeeb_sql_files (
  name text NOT NULL,
  sha256 text NOT NULL,
  applied_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT mojeeb_sql_files_pkey PRIMARY KEY (name)
);

CREATE TABLE organization_usage (
  organization_id uuid NOT NULL,
  period_start date NOT NULL,
  messages_sent integer NOT NULL DEFAULT 0,
  shard smallint NOT NULL DEFAULT 0,
  CONSTRAINT organization_usage_organization_id_foreign FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE,
  CONSTRAINT organization_usage_pkey PRIMARY KEY (organization_id, period_start, shard)
);

CREATE TABLE organizations (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL,
  plan text NOT NULL,
  monthly_message_quota integer NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT organizations_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
  CONSTRAINT organizations_pkey PRIMARY KEY (id),
  CONSTRAINT organizations_plan_check CHECK ((plan = ANY (ARRAY['free'::text, 'starter'::text, 'professional'::text, 'business'::text, 'enterprise'::text]))),
  CONSTRAINT organizations_quota_check CHECK ((monthly_message_quota >= 0))
);
CREATE TRIGGER organizations_delete_messages BEFORE DELETE ON public.organizations FOR EACH ROW EXECUTE FUNCTION mojeeb_delete_messages_of_parent();
CREATE TRIGGER organizations_notify_delete AFTER DELETE ON public.organizations FOR EACH ROW EXECUTE FUNCTION mojeeb_notify_key_change('organization');
CREATE TRIGGER organizations_notify_plan AFTER UPDATE OF plan ON public.organizations FOR EACH ROW WHEN ((old.plan IS DISTINCT FROM new.plan)) EXECUTE FUNCTION mojeeb_notify_key_change('organization');

CREATE UNLOGGED TABLE rate_limit_windows (
  api_key_id uuid NOT NULL,
  window_start timestamp with time zone NOT NULL,
  request_count integer NOT NULL,
  CONSTRAINT rate_limit_windows_pkey PRIMARY KEY (api_key_id, window_start)
);

CREATE UNLOGGED TABLE send_pacing (
  connection_id uuid NOT NULL,
  next_slot timestamp with time zone NOT NULL,
  CONSTRAINT send_pacing_pkey PRIMARY KEY (connection_id)
);

CREATE TABLE service_metadata (
  key text NOT NULL,
  value text NOT NULL,
  updated_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT service_metadata_pkey PRIMARY KEY (key)
);

CREATE TABLE templates (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  connection_id uuid NOT NULL,
  name text NOT NULL,
  language text NOT NULL,
  status text NOT NULL,
  category text,
  parameter_format text NOT NULL,
  body_parameters text[] NOT NULL,
  header_format text NOT NULL DEFAULT 'NONE'::text,
  header_parameters text[] NOT NULL DEFAULT '{}'::text[],
  buttons jsonb NOT NULL DEFAULT '[]'::jsonb,
  components jsonb,
  meta_template_id text,
  created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT templates_connection_id_foreign FOREIGN KEY (connection_id) REFERENCES whatsapp_connections(id) ON DELETE CASCADE,
  CONSTRAINT templates_connection_id_name_language_unique UNIQUE (connection_id, name, language),
  CONSTRAINT templates_header_format_check CHECK ((header_format = ANY (ARRAY['NONE'::text, 'TEXT'::text, 'IMAGE'::text, 'VIDEO'::text, 'DOCUMENT'::text, 'LOCATION'::text]))),
  CONSTRAINT templates_parameter_format_check CHECK ((parameter_format = ANY (ARRAY['NAMED'::text, 'POSITIONAL'::text]))),
  CONSTRAINT templates_pkey PRIMARY KEY (id),
  CONSTRAINT templates_status_check CHECK ((status = ANY (ARRAY['APPROVED'::text, 'PENDING'::text, 'REJECTED'::text, 'PAUSED'::text, 'DISABLED'::text, 'IN_APPEAL'::text, 'PENDING_DELETION'::text, 'DELETED'::text, 'LIMIT_EXCEEDED'::text])))
);

CREATE TABLE webhook_endpoints (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL,
  environment text NOT NULL,
  url text NOT NULL,
  description text,
  enabled_events text[] NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  disabled_reason text,
  secret text NOT NULL,
  previous_secret text,
  previous_secret_expires_at timestamp with time zone,
  last_success_at timestamp with time zone,
  last_failure_at timestamp with time zone,
  failing_since timestamp with time zone,
  consecutive_failures integer NOT NULL DEFAULT 0,
  created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT webhook_endpoints_environment_check CHECK ((environment = ANY (ARRAY['live'::text, 'test'::text]))),
  CONSTRAINT webhook_endpoints_organization_id_foreign FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE,
  CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id)
);
CREATE INDEX webhook_endpoints_organization_id_environment_created_at_id_ind ON public.webhook_endpoints USING btree (organization_id, environment, created_at, id);

CREATE TABLE whatsapp_connections (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL,
  agent_id uuid NOT NULL,
  phone_number text NOT NULL,
  phone_number_id text,
  waba_id text,
  access_token_encrypted text,
  active boolean NOT NULL DEFAULT true,
  messages_per_second integer NOT NULL DEFAULT 80,
  created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
  last_delivery_error jsonb,
  last_delivery_error_at timestamp with time zone,
  CONSTRAINT whatsapp_connections_agent_id_foreign FOREIGN KEY (agent_id) REFERENCES agents(id) ON DELETE CASCADE,
  CONSTRAINT whatsapp_connections_meta_ids_check CHECK (((phone_number_id IS NULL) = (access_token_encrypted IS NULL))),
  CONSTRAINT whatsapp_connections_mps_check CHECK (((messages_per_second >= 1) AND (messages_per_second <= 10000))),
  CONSTRAINT whatsapp_connections_organization_id_foreign FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE,
  CONSTRAINT whatsapp_connections_phone_check CHECK ((phone_number ~ '^\+[1-9][0-9]{7,14}$'::text)),
  CONSTRAINT whatsapp_connections_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX whatsapp_connections_active_number ON public.whatsapp_connections USING btree (phone_number) WHERE active;
CREATE INDEX whatsapp_connections_agent_id_index ON public.whatsapp_connections USING btree (agent_id);
CREATE UNIQUE INDEX whatsapp_connections_phone_number_id ON public.whatsapp_connections USING btree (phone_number_id) WHERE (phone_number_id IS NOT NULL);
CREATE TRIGGER whatsapp_connections_delete_messages BEFORE DELETE ON public.whatsapp_connections FOR EACH ROW EXECUTE FUNCTION mojeeb_delete_messages_of_parent();

CREATE SEQUENCE event_delivery_attempts_id_seq;

CREATE SEQUENCE knex_migrations_id_seq;

CREATE SEQUENCE knex_migrations_lock_index_seq;

CREATE SEQUENCE message_events_id_seq;

CREATE OR REPLACE FUNCTION public.mojeeb_accept_send(p_task text, p_organization_id uuid, p_environment text, p_api_key_id uuid, p_agent_id uuid, p_from text, p_to text, p_type text, p_content jsonb, p_template json DEFAULT NULL::json, p_idempotency_key text DEFAULT NULL::text, p_operation_id text DEFAULT NULL::text, p_request_hash text DEFAULT NULL::text, p_correlation_id text DEFAULT NULL::text)
 RETURNS TABLE(outcome text, message_id uuid, conversation_id uuid, created_at timestamp with time zone, detail jsonb)
 LANGUAGE plpgsql
AS $function$
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
$function$;

CREATE OR REPLACE FUNCTION public.mojeeb_customer_service_window()
 RETURNS interval
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ SELECT interval '24 hours' $function$;

CREATE OR REPLACE FUNCTION public.mojeeb_delete_messages_of_parent()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF TG_TABLE_NAME = 'organizations' THEN
    DELETE FROM messages WHERE organization_id = OLD.id;
    DELETE FROM conversations WHERE organization_id = OLD.id;
  ELSIF TG_TABLE_NAME = 'agents' THEN
    DELETE FROM messages WHERE agent_id = OLD.id;
    DELETE FROM conversations WHERE agent_id = OLD.id;
  ELSE
    DELETE FROM messages WHERE connection_id = OLD.id;
  END IF;
  RETURN OLD;
END
$function$;

CREATE OR REPLACE FUNCTION public.mojeeb_enqueue_delivery(p_task text, p_message_id uuid)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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
$function$;

CREATE OR REPLACE FUNCTION public.mojeeb_enqueue_event_drain(p_endpoint uuid)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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
$function$;

CREATE OR REPLACE FUNCTION public.mojeeb_fan_out_event(p_event text, p_organization uuid, p_environment text, p_type text)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
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
END $function$;

CREATE OR REPLACE FUNCTION public.mojeeb_idempotency_ttl()
 RETURNS interval
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ SELECT interval '24 hours' $function$;

CREATE OR REPLACE FUNCTION public.mojeeb_json_keys(value json)
 RETURNS text[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT CASE WHEN json_typeof(value) = 'object' THEN ARRAY(SELECT json_object_keys(value)) ELSE '{}'::text[] END
$function$;

CREATE OR REPLACE FUNCTION public.mojeeb_lease_rate(p_key uuid, p_limit integer, p_wanted integer)
 RETURNS TABLE(granted integer, used integer, window_end bigint, ms_left integer)
 LANGUAGE plpgsql
AS $function$
DECLARE
  v_start timestamptz := date_trunc('minute', now());
  v_block integer := least(greatest(p_wanted, 1), greatest(1, p_limit / 10));
  v_before integer;
BEGIN
  LOOP
    SELECT w.request_count INTO v_before FROM rate_limit_windows w
    WHERE w.api_key_id = p_key AND w.window_start = v_start FOR UPDATE;
    IF FOUND THEN
      granted := least(v_block, greatest(0, p_limit - v_before));
      IF granted > 0 THEN
        UPDATE rate_limit_windows w SET request_count = v_before + granted
        WHERE w.api_key_id = p_key AND w.window_start = v_start;
      END IF;
      used := v_before + granted;
      EXIT;
    END IF;
    granted := least(v_block, p_limit);
    INSERT INTO rate_limit_windows (api_key_id, window_start, request_count) VALUES (p_key, v_start, granted)
    ON CONFLICT (api_key_id, window_start) DO NOTHING;
    IF FOUND THEN
      used := granted;
      EXIT;
    END IF;
  END LOOP;
  IF granted > 0 THEN
    UPDATE api_keys k SET last_used_at = now()
    WHERE k.id = p_key AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
  END IF;
  window_end := extract(epoch FROM v_start)::bigint + 60;
  -- Rounded down: a process never uses the block after the window ended.
  ms_left := greatest(0, floor(extract(epoch FROM (v_start + interval '60 seconds' - now())) * 1000))::integer;
  RETURN NEXT;
END $function$;

CREATE OR REPLACE FUNCTION public.mojeeb_message_status_event()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
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
    END $function$;

CREATE OR REPLACE FUNCTION public.mojeeb_notify_key_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
    BEGIN
      PERFORM pg_notify('mojeeb_key_changes', TG_ARGV[0] || ':' || OLD.id::text);
      RETURN NULL;
    END $function$;

CREATE OR REPLACE FUNCTION public.mojeeb_template_mismatch(t templates, r json)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
AS $function$
DECLARE
  v_given text[];
  v_name text;
  v_request jsonb := r::jsonb;  -- parsed once; `r` is read again only for the order of its keys
  v_media boolean := t.header_format IN ('IMAGE', 'VIDEO', 'DOCUMENT');
  v_position integer := 0;
  v_button jsonb;
  v_index integer;
  v_definition jsonb;
  v_seen integer[] := '{}';
BEGIN
  -- Body parameters: every placeholder given, and nothing else.
  v_given := mojeeb_json_keys(r -> 'parameters');
  FOREACH v_name IN ARRAY t.body_parameters LOOP
    IF NOT v_name = ANY (v_given) THEN
      RETURN jsonb_build_object('param', 'template.parameters.' || v_name, 'reason', 'missing_parameter', 'name', v_name, 'header', false,
                                'positional', t.parameter_format = 'POSITIONAL');
    END IF;
  END LOOP;
  FOREACH v_name IN ARRAY v_given LOOP
    IF NOT v_name = ANY (t.body_parameters) THEN
      RETURN jsonb_build_object('param', 'template.parameters.' || v_name, 'reason', 'unknown_parameter', 'name', v_name, 'header', false,
                                'expected', to_jsonb(t.body_parameters));
    END IF;
  END LOOP;

  -- Header parameters: only for a text header, and then all of them.
  v_given := CASE WHEN v_request ? 'header_parameters' THEN mojeeb_json_keys(r -> 'header_parameters') ELSE '{}' END;
  IF t.header_format = 'TEXT' THEN
    FOREACH v_name IN ARRAY t.header_parameters LOOP
      IF NOT v_name = ANY (v_given) THEN
        RETURN jsonb_build_object('param', 'template.header_parameters.' || v_name, 'reason', 'missing_parameter', 'name', v_name, 'header', true,
                                  'positional', t.parameter_format = 'POSITIONAL');
      END IF;
    END LOOP;
    FOREACH v_name IN ARRAY v_given LOOP
      IF NOT v_name = ANY (t.header_parameters) THEN
        RETURN jsonb_build_object('param', 'template.header_parameters.' || v_name, 'reason', 'unknown_parameter', 'name', v_name, 'header', true,
                                  'expected', to_jsonb(t.header_parameters));
      END IF;
    END LOOP;
  ELSIF cardinality(v_given) > 0 THEN
    RETURN jsonb_build_object('param', 'template.header_parameters', 'reason', 'no_text_header');
  END IF;

  -- Header media: required by an image, video or document header, refused otherwise.
  IF v_media AND NOT v_request ? 'header_media_url' THEN
    RETURN jsonb_build_object('param', 'template.header_media_url', 'reason', 'media_required', 'header_format', t.header_format);
  END IF;
  IF NOT v_media AND v_request ? 'header_media_url' THEN
    RETURN jsonb_build_object('param', 'template.header_media_url', 'reason', 'no_media_header');
  END IF;

  -- Buttons: each given one is a dynamic button of that type, given once; url buttons are required.
  IF jsonb_typeof(v_request -> 'buttons') = 'array' THEN
    FOR v_button IN SELECT b FROM jsonb_array_elements(v_request -> 'buttons') AS b LOOP
      v_index := (v_button ->> 'index')::integer;
      SELECT d INTO v_definition FROM jsonb_array_elements(t.buttons) AS d WHERE (d ->> 'index')::integer = v_index LIMIT 1;
      IF v_index = ANY (v_seen) THEN
        RETURN jsonb_build_object('param', format('template.buttons[%s].index', v_position), 'reason', 'button_twice', 'index', v_index);
      END IF;
      v_seen := v_seen || v_index;
      IF v_definition IS NULL OR NOT (v_definition ->> 'dynamic')::boolean THEN
        RETURN jsonb_build_object('param', format('template.buttons[%s].index', v_position), 'reason', 'no_dynamic_button', 'index', v_index);
      END IF;
      IF v_definition ->> 'type' IS DISTINCT FROM v_button ->> 'type' THEN
        RETURN jsonb_build_object('param', format('template.buttons[%s].type', v_position), 'reason', 'button_type', 'index', v_index,
                                  'type', v_definition ->> 'type');
      END IF;
      v_position := v_position + 1;
    END LOOP;
  END IF;
  IF t.buttons @> '[{"type": "url", "dynamic": true}]' THEN
    SELECT (d ->> 'index')::integer INTO v_index FROM jsonb_array_elements(t.buttons) WITH ORDINALITY AS e(d, n)
     WHERE d ->> 'type' = 'url' AND (d ->> 'dynamic')::boolean AND NOT (d ->> 'index')::integer = ANY (v_seen)
     ORDER BY n LIMIT 1;
    IF FOUND THEN
      RETURN jsonb_build_object('param', 'template.buttons', 'reason', 'button_required', 'index', v_index);
    END IF;
  END IF;
  RETURN NULL;
END
$function$;

CREATE OR REPLACE FUNCTION public.mojeeb_usage_shards()
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ SELECT 8 $function$;
