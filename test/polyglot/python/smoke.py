"""Smoke run of the Python client generated from openapi.yaml (sdks-generated/python, installed
in a virtualenv by test/polyglot/setup.ts) against a live server:

1. send a template, 2. read its status, 3. get a typed error for a bad key, and, through a proxy
that rewrites answers the way a later API version might (MOJEEB_FUTURE_BASE_URL):
4. an error whose code, type and extra field this client has never heard of,
5. a message with a field added later and a status and type this client does not know;
6. lists: a simulated customer message, a reply, then a walk through the conversation's
   messages two at a time (next_cursor → cursor) and the window lookup.

Environment: MOJEEB_BASE_URL, MOJEEB_API_KEY, MOJEEB_AGENT_ID, MOJEEB_FROM, MOJEEB_TO,
MOJEEB_FUTURE_BASE_URL. Prints one JSON line with what it saw; exits 1 when a step fails.
"""
import json
import os
import sys
import uuid

import mojeeb_client
from mojeeb_client.exceptions import ApiException, UnauthorizedException

env = os.environ
BAD_KEY = "mk_test_thisIsNotARealKey0000_0000000000"


def api(base_url, key):
    config = mojeeb_client.Configuration(host=base_url, access_token=key)
    return mojeeb_client.WhatsAppApi(mojeeb_client.ApiClient(config))


def template_request():
    return mojeeb_client.SendTemplateRequest(
        agent_id=env["MOJEEB_AGENT_ID"],
        var_from=env["MOJEEB_FROM"],
        to=env["MOJEEB_TO"],
        template=mojeeb_client.TemplateContent(
            name="order_shipped",
            language="en",
            parameters={"customer_name": "Sara", "tracking_url": "https://track.example/py"},
        ),
    )


def error_of(call):
    try:
        call()
    except ApiException as error:  # every HTTP error; UnauthorizedException etc. subclass it
        envelope = error.data  # an ErrorResponse model, deserialised by the generated client
        assert isinstance(envelope, mojeeb_client.ErrorResponse), f"not an ErrorResponse: {envelope!r}"
        e = envelope.error
        return {
            "exception": type(error).__name__,
            "status": error.status,
            "type": e.type,
            "code": e.code,
            "message": e.message,
            "correlation_id": e.correlation_id,
            "extra": e.additional_properties,
        }
    raise AssertionError("expected an error")


def main():
    out = {"language": "python", "client": mojeeb_client.__version__}
    whatsapp = api(env["MOJEEB_BASE_URL"], env["MOJEEB_API_KEY"])

    sent = whatsapp.send_whats_app_template(template_request(), idempotency_key=str(uuid.uuid4()))
    assert isinstance(sent, mojeeb_client.Message)
    # `id` is a plain string in the contract (no format: uuid): the id the send returned is
    # exactly what the status lookup takes, no conversion.
    message_id = sent.id
    assert isinstance(message_id, str), f"id is a {type(message_id).__name__}, not a str"
    out["sent"] = {"id": message_id, "status": sent.status, "type": sent.type}

    read = whatsapp.get_whats_app_message_status(message_id)
    assert read.id == sent.id
    out["read"] = {"id": read.id, "status": read.status, "created_at": read.created_at}

    out["bad_key"] = error_of(lambda: api(env["MOJEEB_BASE_URL"], BAD_KEY).get_whats_app_message_status(message_id))
    assert out["bad_key"]["exception"] == UnauthorizedException.__name__

    future = env.get("MOJEEB_FUTURE_BASE_URL")
    if future:
        out["future_error"] = error_of(lambda: api(future, BAD_KEY).get_whats_app_message_status(message_id))
        later = api(future, env["MOJEEB_API_KEY"]).get_whats_app_message_status(message_id)
        out["future_message"] = {"id": later.id, "status": later.status, "type": later.type, "extra": later.additional_properties}

    out["paging"] = walk_messages(whatsapp)

    print(json.dumps(out, default=str))


def walk_messages(whatsapp):
    """The customer writes, we reply, then the conversation's messages are listed page by page."""
    inbound = whatsapp.simulate_whats_app_inbound_message(
        mojeeb_client.SandboxInboundRequest(
            agent_id=env["MOJEEB_AGENT_ID"], var_from=env["MOJEEB_FROM"], to=env["MOJEEB_TO"],
            text=mojeeb_client.TextContent(body="Python asks"),
        )
    )
    reply = whatsapp.send_whats_app_template(template_request(), idempotency_key=str(uuid.uuid4()))
    items, pages, cursor = [], 0, None
    while True:
        page = whatsapp.list_whats_app_messages(limit=2, conversation_id=inbound.conversation_id, cursor=cursor)
        assert isinstance(page, mojeeb_client.MessageList)
        pages += 1
        for item in page.data:
            m = item.actual_instance
            assert isinstance(m, (mojeeb_client.Message, mojeeb_client.InboundMessage)), f"item is {type(m).__name__}"
            items.append({"id": m.id, "direction": m.direction, "model": type(m).__name__})
        if not page.has_more:
            assert page.next_cursor is None
            break
        cursor = page.next_cursor
        assert pages < 500, "the walk does not end"
    window = whatsapp.get_whats_app_window(var_from=env["MOJEEB_FROM"], to=env["MOJEEB_TO"])
    return {
        "conversation_id": inbound.conversation_id,
        "reply_id": reply.id,
        "pages": pages,
        "items": items,
        "window": {"open": window.open, "conversation_id": window.conversation_id},
    }


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # report, fail
        print(f"python smoke FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
