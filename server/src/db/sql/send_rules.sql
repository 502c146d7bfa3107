-- The constants and the template check of a send, in one place. mojeeb_accept_send
-- (accept_send.sql) uses them; the TypeScript reads the constants from here too (the idempotency
-- prune, the window of an inbound message), so each rule is written once.

-- How long an Idempotency-Key is remembered (openapi.yaml, "Idempotency").
CREATE OR REPLACE FUNCTION mojeeb_idempotency_ttl() RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT interval '24 hours' $$;

-- How long the customer-service window stays open after the customer's latest message.
CREATE OR REPLACE FUNCTION mojeeb_customer_service_window() RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT interval '24 hours' $$;

-- Rows per organization and month that count live sends (each database connection writes one).
CREATE OR REPLACE FUNCTION mojeeb_usage_shards() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 8 $$;

-- The first way a send's `template` object (as sent: json keeps the order of its keys) does not
-- fit the stored template, or NULL when it fits: parameters (named or positional), header
-- parameters, header media and dynamic buttons. The answer names the field (`param`), the
-- `reason` and the facts the error message is written from (domain/messages.ts).
CREATE OR REPLACE FUNCTION mojeeb_template_mismatch(t templates, r json) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $fn$
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
$fn$;

-- The keys of a JSON object in the order given (none for anything else).
CREATE OR REPLACE FUNCTION mojeeb_json_keys(value json) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN json_typeof(value) = 'object' THEN ARRAY(SELECT json_object_keys(value)) ELSE '{}'::text[] END
$$;
