"""Schemathesis hooks for the Mojeeb contract run (loaded through `hooks` in schemathesis.toml).

Four adjustments, each narrow (the first three are reported by Schemathesis itself when they act;
the fourth lives in webhook_data.py):

1. Text media types are validated as TEXT. The contract describes the bodies of
   `GET /openapi.yaml` (application/yaml, schema `OpenApiDocumentText`: type string, "an OpenAPI
   document as YAML text") and `GET /docs` (text/html, schema `HtmlPage`: type string) as
   strings, and our own contract harness (test/support/contract.ts) validates them that way.
   Schemathesis would otherwise parse the YAML into an object (and fail `type: string`) and skip
   the HTML (no deserializer). Both now get the decoded text, so their schemas are checked.

2. Idempotency keys are not reused across test cases. A key is scoped to the API key for 24
   hours, and a second request with the same key and another body is refused with `422
   idempotency_key_in_use_with_different_params` — correct behaviour, but Schemathesis draws the
   same few values (the spec's example, boundary strings) for many different bodies. The FIRST
   request with a value is sent as generated (so odd but valid keys are still tried); a value
   seen before is replaced by a fresh one of the same validity (a UUID-based key, 1–255 chars).

3. `positive_data_acceptance` (valid per the schema ⇒ not refused) does not count refusals that
   the contract documents as business rules, which no schema can express: the agent does not
   exist or the number is not its own, the template is unknown or its parameters do not fit,
   the 24-hour window is closed, the idempotency key was used with another body. A schema-valid
   request refused with a SCHEMA code (missing_required_field, unknown_field,
   invalid_field_value, invalid_agent_id, invalid_phone_number, invalid_from_phone,
   invalid_text_body, invalid_template_name, invalid_template_language,
   invalid_idempotency_key) still fails the run: that is the server's validation disagreeing
   with the contract. Dropped failures are counted in Schemathesis's summary. The webhook
   operations add their own business rules: an endpoint URL that does not resolve or resolves to
   a forbidden address (`webhook_url_invalid`, `webhook_url_forbidden`: DNS and the SSRF rules,
   which no schema can express), the 16-endpoint limit, a redelivery to an endpoint id that
   does not exist (`webhook_endpoint_unknown`), and a cursor the endpoint or event list never
   gave (`422 invalid_field_value` with `param: cursor`; see CURSOR_422_OPERATIONS).

4. Positive data reaches the webhook, event, conversation and window operations
   (webhook_data.py): generated endpoint URLs are mostly replaced by a loopback URL (allowed for
   the test-mode key), generated ids mostly by ids of objects the fixture seeded, and a DELETE
   gets an endpoint of its own; the endpoints the run creates are pruned so it never meets the
   limit by accident. Only values that are already valid for the schema are replaced, so a
   negative case stays negative.
"""

import json
import os
import sys
import uuid

import schemathesis
from schemathesis.core import media_types
from schemathesis.core.deserialization import register_deserializer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import webhook_data  # noqa: E402  (beside this file, which Schemathesis loads by path)


def _as_text(_ctx, response):
    return response.content.decode(response.encoding or "utf-8")


register_deserializer(_as_text, *media_types.YAML_MEDIA_TYPES, "text/html")


_seen_idempotency_keys: set[str] = set()


@schemathesis.hook
def before_call(context, case, kwargs):
    webhook_data.substitute(case)
    headers = case.headers
    if not headers:
        return
    for name in list(headers):
        if name.lower() != "idempotency-key":
            continue
        value = headers[name]
        if not isinstance(value, str) or not 1 <= len(value) <= 255:
            continue  # a negative case: send it as generated
        if value in _seen_idempotency_keys:
            headers[name] = f"st-{uuid.uuid4()}"
        _seen_idempotency_keys.add(headers[name])


# Documented 422 codes that depend on data, not on the request's shape (see the error catalog in
# openapi.yaml). Keep this list to business rules only.
BUSINESS_RULE_422_CODES = frozenset(
    {
        "agent_not_found",
        "from_phone_not_found_for_agent",
        "template_not_found",
        "template_not_approved",
        "invalid_template_parameters",
        "customer_service_window_closed",
        "idempotency_key_in_use_with_different_params",
        # `to` equal to `from`: a rule between two fields, which the schema cannot express.
        "recipient_is_sender",
        # An endpoint URL is any string to the schema; whether its host resolves, and to which
        # addresses, is DNS and the SSRF rules (webhook_data.py keeps most URLs on loopback).
        "webhook_url_invalid",
        "webhook_url_forbidden",
        "webhook_endpoint_limit_reached",
        # A redelivery's endpoint_id is any string to the schema; only the key's endpoints exist.
        "webhook_endpoint_unknown",
    }
)


@schemathesis.hook
def after_call(context, case, response):
    webhook_data.observe(case, response)


# Documented 4xx codes of list queries that depend on data: a list's `cursor` is any string to
# the schema, but only the `next_cursor` of a page is accepted (400 invalid_cursor); an
# `agent_id` filter outside a restricted key's agents is 403 agent_not_authorized.
BUSINESS_RULE_LIST_CODES = frozenset({"invalid_cursor", "agent_not_authorized"})


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if type(failure).__name__ != "RejectedPositiveData" or response.status_code not in (400, 403, 422):
        return True
    try:
        code = json.loads(response.content)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return True
    if response.status_code == 422:
        if code == "invalid_field_value" and _param(response) == "cursor" and _operation_id(case) in CURSOR_422_OPERATIONS:
            return False
        return code not in BUSINESS_RULE_422_CODES
    return code not in BUSINESS_RULE_LIST_CODES


# The webhook endpoint and event lists answer a cursor they never gave with `422
# invalid_field_value` (param `cursor`, documented in ListQueryUnprocessable) rather than the
# WhatsApp lists' `400 invalid_cursor`: the same data-dependent rule, so it is not counted either.
CURSOR_422_OPERATIONS = frozenset({"listWebhookEndpoints", "listEvents"})


def _param(response):
    try:
        return json.loads(response.content)["error"].get("param")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _operation_id(case):
    raw = getattr(case.operation.definition, "raw", None)
    return raw.get("operationId") if isinstance(raw, dict) else None
