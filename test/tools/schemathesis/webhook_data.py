"""Positive data for the webhook, event, conversation and window operations (see hooks.py, 4).

The fixture (test/support/tools-fixture.ts) seeded one webhook endpoint, one event and one
conversation for the run's test key; run-tool.mjs passes their ids as MOJEEB_* variables.
Schemathesis's generated values would almost never name them (a random string is `404`), and
a generated endpoint URL would almost never be one the test-mode key may register (its host
does not resolve). So, three times out of four, a value that is valid for the schema is
replaced by one that names a real object:

- an endpoint URL (create, update)    → the fixture's loopback URL, with the generated path kept
                                         when it is a plain one;
- a webhook endpoint id (get, update, rotate) and a redelivery's `endpoint_id` → the seeded one;
- an endpoint id to DELETE            → a fresh endpoint made for it, so the seeded one stays;
- an event id (get, redeliver)        → the seeded event;
- a conversation id                   → the seeded conversation;
- the window's `from` and `to`        → the fixture's pair, whose window is open.

The fourth value of each kind is sent as generated, so unknown ids (`404`) and unresolvable or
forbidden hosts (`422 webhook_url_invalid` / `webhook_url_forbidden`, answered without waiting
for a resolver) are still tried. Endpoints the run creates are deleted, oldest first, once more
than KEEP_CREATED exist, so the 16-endpoint limit is only ever met on purpose.
"""

import itertools
import os
import re
import threading
from collections import deque

import requests

BASE_URL = os.environ.get("MOJEEB_BASE_URL", "")
API_KEY = os.environ.get("MOJEEB_API_KEY", "")
ENDPOINT_ID = os.environ.get("MOJEEB_WEBHOOK_ENDPOINT_ID")
WEBHOOK_URL = os.environ.get("MOJEEB_WEBHOOK_URL")
EVENT_ID = os.environ.get("MOJEEB_EVENT_ID")
CONVERSATION_ID = os.environ.get("MOJEEB_CONVERSATION_ID")
FROM = os.environ.get("MOJEEB_FROM")
TO = os.environ.get("MOJEEB_TO")

# Endpoints this run created and has not deleted; at most KEEP_CREATED stay (plus the seeded one).
KEEP_CREATED = 8

_counter = itertools.count()
_lock = threading.Lock()
_created: deque[str] = deque()
_session = requests.Session()


def _often() -> bool:
    """Three times out of four (deterministic, so a seeded run makes the same choices)."""
    return next(_counter) % 4 != 3


def _operation_id(case) -> str | None:
    raw = getattr(case.operation.definition, "raw", None)
    return raw.get("operationId") if isinstance(raw, dict) else None


def _is_id(value) -> bool:
    return isinstance(value, str) and len(value) <= 64


def _api(method: str, path: str, **kwargs):
    return _session.request(
        method, f"{BASE_URL}{path}", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10, **kwargs
    )


def _loopback_url(generated: str) -> str:
    """The fixture's URL, keeping a generated plain path (letters, digits, - _ /) for variety."""
    tail = generated if re.fullmatch(r"[A-Za-z0-9_\-/]{1,200}", generated) else ""
    return f"{WEBHOOK_URL.rstrip('/')}/{tail.lstrip('/')}" if tail.strip("/") else WEBHOOK_URL


def _fresh_endpoint() -> str | None:
    response = _api("POST", "/v1/webhook_endpoints", json={"url": WEBHOOK_URL, "enabled_events": ["*"]})
    return response.json().get("id") if response.status_code == 201 else None


def _replace_path_id(case, value: str | None) -> None:
    params = case.path_parameters
    if value and params and _is_id(params.get("id")) and _often():
        params["id"] = value


def substitute(case) -> None:
    """Before each call: names real objects in place of generated values (see the module's doc)."""
    if not BASE_URL or not WEBHOOK_URL:
        return
    operation = _operation_id(case)
    body = case.body if isinstance(case.body, dict) else None
    if operation in ("createWebhookEndpoint", "updateWebhookEndpoint") and body is not None:
        url = body.get("url")
        if isinstance(url, str) and 1 <= len(url) <= 2048 and _often():
            body["url"] = _loopback_url(url)
    if operation in ("getWebhookEndpoint", "updateWebhookEndpoint", "rotateWebhookEndpointSecret"):
        _replace_path_id(case, ENDPOINT_ID)
    elif operation == "deleteWebhookEndpoint":
        params = case.path_parameters
        if params and _is_id(params.get("id")) and _often():
            fresh = _fresh_endpoint()
            if fresh:
                params["id"] = fresh
    elif operation in ("getEvent", "redeliverEvent"):
        _replace_path_id(case, EVENT_ID)
        if operation == "redeliverEvent" and body is not None and _is_id(body.get("endpoint_id")) and _often():
            body["endpoint_id"] = ENDPOINT_ID
    elif operation == "getWhatsAppConversation":
        _replace_path_id(case, CONVERSATION_ID)
    elif operation == "getWhatsAppWindow" and case.query and FROM and TO and _often():
        for name, value in (("from", FROM), ("to", TO)):
            if isinstance(case.query.get(name), str):
                case.query[name] = value


def observe(case, response) -> None:
    """After each call: remembers the endpoints the run created and prunes the oldest ones."""
    if not BASE_URL or _operation_id(case) != "createWebhookEndpoint" or response.status_code not in (201, 422):
        return
    try:
        answer = response.json()
    except ValueError:
        return
    stale = []
    with _lock:
        if response.status_code == 201 and answer.get("id"):
            _created.append(answer["id"])
        while len(_created) > KEEP_CREATED:
            stale.append(_created.popleft())
        recent = set(_created)
    if response.status_code == 422 and (answer.get("error") or {}).get("code") == "webhook_endpoint_limit_reached":
        # Endpoints made some other way (the stateful phase's own chains, a DELETE that was not
        # sent): clear every endpoint but the seeded one and the most recent ones.
        listed = _api("GET", "/v1/webhook_endpoints?limit=100")
        if listed.status_code == 200:
            stale += [e["id"] for e in listed.json().get("data", []) if e["id"] != ENDPOINT_ID and e["id"] not in recent]
    for endpoint_id in stale:
        _api("DELETE", f"/v1/webhook_endpoints/{endpoint_id}")
