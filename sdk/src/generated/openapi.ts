// generated — do not edit.
// Source: openapi.yaml (Mojeeb Public API 1.0.0, sha256 851030c5a1b15324379c98511f48995fd1e74d56068a7132fa339682bdf8ecf2)
// Generator: openapi-typescript 7.13.0
// Regenerate with: npm run generate

export interface paths {
    "/v1/whatsapp/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List messages, sent and received
         * @description Lists the messages of the key's organization and environment, newest first: the messages
         *     sent through the API (`direction: outbound`, a `Message`) and the customers' messages to
         *     the agents' numbers (`direction: inbound`, an `InboundMessage`), in one list. Every filter
         *     is optional and they combine with AND. `from` and `to` mean what they mean on the item:
         *     for an outbound message `from` is the agent's number, for an inbound one it is the
         *     customer's. `status` matches outbound messages only.
         *
         *     The answer is a page (see "Lists and pagination"): pass `next_cursor` as `cursor`, with the
         *     same filters, to get the next page. A key restricted to agents sees only those agents'
         *     messages; naming another agent in `agent_id` is refused with `403 agent_not_authorized`.
         *     Test keys see test-mode messages (and simulated inbound messages) only; live keys see live
         *     ones only.
         *
         *     Required scope: `whatsapp:read` or `whatsapp:send`.
         */
        get: operations["listWhatsAppMessages"];
        put?: never;
        /**
         * Send a free-form text message
         * @description Queues a free-form text message from one of the agent's WhatsApp numbers to a customer.
         *     Allowed only inside the 24-hour customer-service window of the conversation between
         *     `from` and `to`; outside it, send a template. In test mode, open the window first with
         *     `POST /v1/whatsapp/sandbox/inbound` (see "Sandbox").
         *
         *     The answer is `202 Accepted` with the message in status `queued`; follow its delivery with
         *     `GET /v1/whatsapp/messages/{id}`. An accepted send consumes one message of the
         *     organization's monthly quota.
         *
         *     Required scope: `whatsapp:send`.
         */
        post: operations["sendWhatsAppMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/whatsapp/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send an approved template
         * @description Queues a template message, approved by Meta for the sending number's WhatsApp Business
         *     Account, from one of the agent's numbers to a customer. Templates may be sent at any time,
         *     including outside the 24-hour customer-service window: order confirmations, reminders,
         *     one-time passwords, re-engagement.
         *
         *     `template.parameters` fills the body's placeholders: named keys (`customer_name`) for
         *     templates approved with named parameters, positional keys (`"1"`, `"2"`, …) for templates
         *     approved with `{{1}}`, `{{2}}`. `header_parameters` fills a text header the same way,
         *     `header_media_url` supplies the image, video or document of a media header, and `buttons`
         *     fills dynamic buttons (URL suffixes, quick-reply payloads, coupon codes). Each must match
         *     the approved template, or the request is refused with `422 invalid_template_parameters`
         *     before anything is queued.
         *
         *     The answer is `202 Accepted` with the message in status `queued`. An accepted send
         *     consumes one message of the organization's monthly quota.
         *
         *     Required scope: `whatsapp:send`.
         */
        post: operations["sendWhatsAppTemplate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/whatsapp/messages/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a message and its delivery status
         * @description Returns a message sent through the API, with its current delivery status. Statuses only
         *     move forward: `queued` → `sent` → `delivered` → `read`, or `failed` with an `error`
         *     object. Most messages reach `sent` within seconds; poll every 5–10 seconds during the
         *     first minute, then back off.
         *
         *     Only messages of the key's organization (and, for a key restricted to agents, of those
         *     agents) are visible; any other id answers `404 message_not_found`, exactly like an id
         *     that does not exist. So does a message deleted by the data retention policy (see "Data
         *     retention": by default 365 days after its last status change).
         *
         *     Required scope: `whatsapp:read` or `whatsapp:send`.
         */
        get: operations["getWhatsAppMessageStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/whatsapp/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List conversations
         * @description Lists the conversations of the key's organization, newest first. A conversation is one
         *     agent number and one customer (see "Conversations"); each carries its 24-hour window. A
         *     conversation is listed for an environment once it has a message of that environment (a
         *     send with a key of that environment, or, in test mode, a simulated inbound message; in
         *     live mode, a customer's message through WhatsApp).
         *
         *     The answer is a page (see "Lists and pagination"). A key restricted to agents sees only
         *     those agents' conversations; naming another agent in `agent_id` is refused with
         *     `403 agent_not_authorized`.
         *
         *     Required scope: `whatsapp:read` or `whatsapp:send`.
         */
        get: operations["listWhatsAppConversations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/whatsapp/conversations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a conversation and its 24-hour window
         * @description Returns one conversation with the current state of its 24-hour customer-service window,
         *     so that you can choose free-form text (window open) or a template before sending.
         *
         *     Only conversations the key may list are visible (same organization, environment and, for a
         *     restricted key, agents), and kept as long as the data retention policy says (see "Data
         *     retention"); any other id answers `404 conversation_not_found`, exactly like an
         *     id that does not exist.
         *
         *     Required scope: `whatsapp:read` or `whatsapp:send`.
         */
        get: operations["getWhatsAppConversation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/whatsapp/window": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Look up the 24-hour window of an agent number and a customer
         * @description Answers whether free-form text from the agent's number `from` to the customer `to` would
         *     be accepted now: `open`, when the customer last wrote (`last_inbound_at`) and when the
         *     window closes (`expires_at`). It applies the same rule as `POST /v1/whatsapp/messages`,
         *     which refuses a text outside the window with `422 customer_service_window_closed`; a
         *     template is accepted either way. A pair that never spoke, or a number that is not one of
         *     the key's agents' numbers, answers a closed window with `conversation_id: null`.
         *
         *     Windows belong to the conversation, whatever the environment: a test key sees the same
         *     window a live send would meet (the sandbox's simulated messages open only sandbox
         *     numbers' windows).
         *
         *     Required scope: `whatsapp:read` or `whatsapp:send`.
         */
        get: operations["getWhatsAppWindow"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/whatsapp/sandbox/inbound": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Simulate a customer's message (sandbox)
         * @description Test mode only: records a message from the customer `to` to the agent's sandbox number
         *     `from`, as if the customer had written on WhatsApp, and answers the conversation's
         *     24-hour window, now open. Use it to try free-form sends (`POST /v1/whatsapp/messages`)
         *     locally or in the sandbox: pass the same `agent_id`, `from` and `to` as the send. Calling
         *     it again extends the window; nothing is sent and no quota is used.
         *
         *     Needs a test key (`mk_test_…`): a live key is refused with `403 test_key_required`. `from`
         *     must be an active number of the agent without WhatsApp credentials (a sandbox number); a
         *     number connected to WhatsApp is refused with `422 sandbox_number_required`, so that a
         *     simulated message never opens a window for live sends. The checks run in the documented
         *     order; `test_key_required` comes after field validation and the agent restriction, before
         *     the agent and number checks.
         *
         *     Required scope: `whatsapp:send`.
         */
        post: operations["simulateWhatsAppInboundMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness
         * @description Answers `200` while the process is running. Needs no key.
         */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness
         * @description Answers `200` when the service can serve requests: its database answers and, when the
         *     process runs the delivery worker, that worker is running or has been restarting for less
         *     than `READINESS_WORKER_GRACE_MS` (see `WorkerCheck`); `503` otherwise. Needs no key.
         */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.yaml": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This document, as YAML
         * @description The contract itself, exactly as served by this server. Needs no key.
         */
        get: operations["getOpenApiYaml"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This document, as JSON
         * @description The contract itself, converted to JSON. Needs no key.
         */
        get: operations["getOpenApiJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Rendered API reference
         * @description This document rendered as a browsable reference page. Everything it loads comes from this
         *     server (Redoc's bundle, this document); its `Content-Security-Policy` allows nothing else.
         *     Needs no key.
         */
        get: operations["getApiReference"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook_endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List webhook endpoints
         * @description The endpoints of the key's organization and environment, newest first, a page at a time, with
         *     their health (`last_success_at`, `consecutive_failures`, `disabled_reason`).
         *
         *     Required scope: `webhooks:manage`.
         */
        get: operations["listWebhookEndpoints"];
        put?: never;
        /**
         * Create a webhook endpoint
         * @description Registers a URL to receive events of the key's organization and environment: a test key
         *     creates a test-mode endpoint, which receives test-mode events only; a live key a live one.
         *     The answer carries the signing `secret` (`whsec_…`), shown this once: store it to verify
         *     deliveries (see "Webhooks"). Live endpoints must use `https` and resolve to public addresses
         *     only (`422 webhook_url_forbidden` otherwise); test-mode endpoints may also use `http` and
         *     loopback (a receiver on your machine), but no other private address. At most 16 endpoints per organization and environment.
         *
         *     Required scope: `webhooks:manage`.
         */
        post: operations["createWebhookEndpoint"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook_endpoints/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a webhook endpoint
         * @description One endpoint of the key's organization and environment (never its secret). Any other id
         *     answers `404 webhook_endpoint_not_found`.
         *
         *     Required scope: `webhooks:manage`.
         */
        get: operations["getWebhookEndpoint"];
        put?: never;
        post?: never;
        /**
         * Delete a webhook endpoint
         * @description Deletes the endpoint: no further event is delivered to it, pending retries included.
         *
         *     Required scope: `webhooks:manage`.
         */
        delete: operations["deleteWebhookEndpoint"];
        options?: never;
        head?: never;
        /**
         * Update a webhook endpoint
         * @description Changes the fields given: `url` (checked as at creation), `enabled_events`, `description`,
         *     `disabled`. Enabling an endpoint again (`disabled: false`) starts its failure count afresh;
         *     events that occurred while it was disabled are not delivered to it (redeliver them from the
         *     event log).
         *
         *     Required scope: `webhooks:manage`.
         */
        patch: operations["updateWebhookEndpoint"];
        trace?: never;
    };
    "/v1/webhook_endpoints/{id}/rotate_secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate a webhook endpoint's signing secret
         * @description Issues a new signing secret, shown this once. For 24 hours (`previous_secret_expires_at`)
         *     deliveries are signed with both the new and the previous secret (two `v1,…` entries in
         *     `webhook-signature`), so a receiver can switch without rejecting any event.
         *
         *     Required scope: `webhooks:manage`.
         */
        post: operations["rotateWebhookEndpointSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List events
         * @description The events of the key's organization and environment, newest first, a page at a time.
         *     Filters: `type`, and the creation time (`created_gte` ≤ created_at < `created_lt`).
         *     Events older than the retention period (30 days by default, see "Data retention") are
         *     no longer listed.
         *
         *     Required scope: `webhooks:manage`.
         */
        get: operations["listEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get an event and its delivery attempts
         * @description One event, as delivered, with every attempt to deliver it (time, endpoint, HTTP status,
         *     latency, error). Events are kept 30 days by default (see "Data retention"); an older one
         *     answers `404 event_not_found`, like an unknown id.
         *
         *     Required scope: `webhooks:manage`.
         */
        get: operations["getEvent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Redeliver an event to an endpoint
         * @description Queues one more delivery of the event to one of the key's endpoints (of the same
         *     environment), whatever happened to the earlier ones, and even when the endpoint was not
         *     subscribed to the event's type or is disabled. The delivery keeps the event's `webhook-id`.
         *
         *     Required scope: `webhooks:manage`.
         */
        post: operations["redeliverEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    "message.sent": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A message was handed to WhatsApp
         * @description Posted to the endpoints subscribed to `message.sent`. Signed (Standard Webhooks); answer 2xx within 10 s.
         */
        post: operations["onMessageSent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "message.delivered": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A message reached the customer's device
         * @description Posted to the endpoints subscribed to `message.delivered`.
         */
        post: operations["onMessageDelivered"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "message.read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The customer read a message
         * @description Posted to the endpoints subscribed to `message.read`.
         */
        post: operations["onMessageRead"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "message.failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A message could not be delivered
         * @description Posted to the endpoints subscribed to `message.failed`; `data.object.error` has the mapped reason.
         */
        post: operations["onMessageFailed"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "message.received": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A customer wrote to one of your numbers
         * @description Posted to the endpoints subscribed to `message.received`.
         */
        post: operations["onMessageReceived"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        /**
         * @description A UUID as the API writes it: lower case, hyphenated. A plain string (a pattern, no
         *     `format: uuid`), so that a generated client hands back exactly the string it received.
         * @example 12345678-1234-1234-1234-123456789012
         */
        Uuid: string;
        /**
         * @description A hyphenated UUID in a request, in any case (`12345678-ABCD-…` or `12345678-abcd-…`); the
         *     API normalises it to lower case, which is how it answers and stores it.
         * @example 12345678-1234-1234-1234-123456789012
         */
        UuidAnyCase: string;
        /**
         * @description A phone number in E.164 form, a `+` then 8 to 15 digits, the first not 0.
         * @example +15551234567
         */
        E164PhoneNumber: string;
        /**
         * Format: date-time
         * @description A UTC time in ISO 8601 with second precision and a `Z` suffix.
         * @example 2026-04-30T09:18:31Z
         */
        Timestamp: string;
        /**
         * @description A correlation id, `req_` + ULID unless the caller supplied its own.
         * @example req_01JD8X3V7Q2M4N6P8R0S2T4V6W
         */
        CorrelationId: string;
        /** @description The text of a free-form message. */
        TextContent: {
            /**
             * @description The message text, 1 to 4096 characters. WhatsApp formatting (`*bold*`, `_italic_`) is
             *     passed through. U+0000 and unpaired surrogates, which WhatsApp cannot carry, are
             *     replaced by U+FFFD (as in every text field of a send).
             * @example Thanks for reaching out! How can I help?
             */
            body: string;
        };
        /** @description A free-form text message to send inside the customer-service window. */
        SendMessageRequest: {
            /** @description The agent sending the message, in any case. The key must be allowed to act for it. */
            agent_id: components["schemas"]["UuidAnyCase"];
            /** @description The agent's WhatsApp number to send from; must be one of its active numbers. */
            from: components["schemas"]["E164PhoneNumber"];
            /** @description The customer's WhatsApp number. */
            to: components["schemas"]["E164PhoneNumber"];
            text: components["schemas"]["TextContent"];
        };
        /**
         * @description A customer's message to simulate (test mode), naming the conversation the way a send does:
         *     the customer `to` writes to the agent's number `from`.
         */
        SandboxInboundRequest: {
            /** @description The agent whose number receives the message. The key must be allowed to act for it. */
            agent_id: components["schemas"]["Uuid"];
            /** @description The agent's sandbox number the customer writes to, as the `from` of your next send. */
            from: components["schemas"]["E164PhoneNumber"];
            /** @description The customer who writes, as the `to` of your next send. */
            to: components["schemas"]["E164PhoneNumber"];
            /** @description What the customer writes (default `Hello`). */
            text?: components["schemas"]["TextContent"];
        };
        /** @description A simulated customer message, recorded, and the window of its conversation. */
        SandboxInboundMessage: {
            /** @description The conversation of `from` and `to`; sends between them land in it too. */
            conversation_id: components["schemas"]["Uuid"];
            /** @description The agent whose number received the message. */
            agent_id: components["schemas"]["Uuid"];
            /** @description The agent's number the customer wrote to. */
            from: components["schemas"]["E164PhoneNumber"];
            /** @description The customer. */
            to: components["schemas"]["E164PhoneNumber"];
            /** @description When the message was recorded. */
            received_at: components["schemas"]["Timestamp"];
            window: components["schemas"]["CustomerServiceWindow"];
        };
        /**
         * @description Values for a template's placeholders, as strings: named keys (`customer_name`) for
         *     templates approved with named parameters, positional keys (`"1"`, `"2"`, …) for templates
         *     approved with `{{1}}`, `{{2}}`.
         * @example {
         *       "customer_name": "Sara",
         *       "tracking_url": "https://track.example/9001"
         *     }
         */
        TemplateParameters: {
            [key: string]: string;
        };
        /**
         * @description A value for one dynamic button of the template: the suffix of a dynamic `url` button, the
         *     payload of a `quick_reply` button, or the code of a `copy_code` button. `index` is the
         *     button's position in the approved template, from 0.
         * @example {
         *       "type": "url",
         *       "index": 0,
         *       "value": "appointments/9001"
         *     }
         */
        TemplateButton: {
            type: components["schemas"]["TemplateButtonType"];
            /** @description The button's position in the approved template, from 0. */
            index: number;
            /** @description The URL suffix, quick-reply payload or coupon code. */
            value: string;
        };
        /**
         * @description The kind of dynamic button. Only ever sent by clients, so a closed `enum`: a value not
         *     listed is refused with `422 invalid_field_value`.
         * @enum {string}
         */
        TemplateButtonType: "url" | "quick_reply" | "copy_code";
        /** @description Which approved template to send, and the values for its variable parts. */
        TemplateContent: {
            /**
             * @description The template's name as approved by Meta (lowercase letters, digits and underscores).
             * @example order_shipped
             */
            name: string;
            /**
             * @description The language code the template was approved in, such as `en`, `en_US`, `ar` or `pt_BR`.
             * @example en
             */
            language: string;
            parameters?: components["schemas"]["TemplateParameters"];
            /** @description Values for the placeholders of a text header, named or positional like `parameters`. */
            header_parameters?: components["schemas"]["TemplateParameters"];
            /**
             * Format: uri
             * @description A public `https` URL of the image, video or document of a media header.
             * @example https://cdn.example/clinic-map.jpg
             */
            header_media_url?: string;
            /** @description Values for the template's dynamic buttons. */
            buttons?: components["schemas"]["TemplateButton"][];
        };
        /** @description An approved template to send, at any time. */
        SendTemplateRequest: {
            /** @description The agent sending the message, in any case. The key must be allowed to act for it. */
            agent_id: components["schemas"]["UuidAnyCase"];
            /** @description The agent's WhatsApp number to send from; must be one of its active numbers. */
            from: components["schemas"]["E164PhoneNumber"];
            /** @description The customer's WhatsApp number. */
            to: components["schemas"]["E164PhoneNumber"];
            template: components["schemas"]["TemplateContent"];
        };
        /**
         * @description Where the message is. Statuses only move forward: `queued` (accepted, not yet handed to
         *     WhatsApp) → `sent` (WhatsApp accepted it) → `delivered` (on the customer's device) →
         *     `read` (opened, when the customer has read receipts on); or `failed`. Known values are
         *     listed in `x-extensible-enum`; more may be added (see "Open enumerations"), so treat an
         *     unknown status as not final and keep following the message.
         * @example queued
         */
        MessageStatus: string;
        /**
         * @description What was sent. Known values are listed in `x-extensible-enum`; more may be added (see
         *     "Open enumerations"), so accept a message of an unknown type.
         * @example template
         */
        MessageType: string;
        /**
         * @description Why a message failed. Known values are listed in `x-extensible-enum`; more may be added,
         *     so handle an unknown value as a generic failure. `expired`: WhatsApp never confirmed
         *     whether it accepted the message, and it was not sent again, to avoid a duplicate.
         * @example recipient_unavailable
         */
        MessageErrorCode: string;
        /** @description Why a message failed. */
        MessageError: {
            code: components["schemas"]["MessageErrorCode"];
            /** @description A human-readable explanation; may change at any time. */
            message: string;
            /**
             * @description The WhatsApp Cloud API error code behind the failure, when there was one.
             * @example 131026
             */
            meta_error_code?: number | null;
        };
        /** @description A message sent through the API, with its delivery status. */
        Message: {
            /** @description The message's id; use it with `GET /v1/whatsapp/messages/{id}`. */
            id: components["schemas"]["Uuid"];
            /**
             * @description Always `outbound` for a message sent through the API (present in every answer). (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            direction: "outbound";
            status: components["schemas"]["MessageStatus"];
            /** @description The agent that sent the message. */
            agent_id: components["schemas"]["Uuid"];
            /** @description The agent's WhatsApp number the message is sent from. */
            from: components["schemas"]["E164PhoneNumber"];
            /** @description The customer's WhatsApp number. */
            to: components["schemas"]["E164PhoneNumber"];
            type: components["schemas"]["MessageType"];
            /** @description The conversation (sending number, customer) the message belongs to, shared with the customer's inbound messages. */
            conversation_id: components["schemas"]["Uuid"] | null;
            /**
             * @description WhatsApp's message id (`wamid.…`); `null` while `queued`.
             * @example wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA
             */
            platform_message_id: string | null;
            /** @description When the message was accepted. */
            created_at: components["schemas"]["Timestamp"];
            /** @description When WhatsApp accepted the message; `null` until then. */
            sent_at: components["schemas"]["Timestamp"] | null;
            /** @description When the message reached the customer's device; `null` until then. */
            delivered_at: components["schemas"]["Timestamp"] | null;
            /** @description When the customer read the message; `null` until then. */
            read_at: components["schemas"]["Timestamp"] | null;
            /** @description When the message failed; `null` unless `status` is `failed`. */
            failed_at: components["schemas"]["Timestamp"] | null;
            /** @description Why the message failed; `null` unless `status` is `failed`. */
            error: components["schemas"]["MessageError"] | null;
        };
        /**
         * @description Who wrote the message: `outbound`, sent through the API by an agent's number; `inbound`,
         *     written by a customer to an agent's number. Known values are listed in
         *     `x-extensible-enum`; more may be added (see "Open enumerations").
         * @example outbound
         */
        MessageDirection: string;
        /** @description What WhatsApp tells about the media of an inbound message (the file itself stays with WhatsApp). */
        InboundMedia: {
            /**
             * @description WhatsApp's media id.
             * @example 1234567890123456
             */
            id: string | null;
            /** @example image/jpeg */
            mime_type: string | null;
            sha256?: string | null;
            caption?: string | null;
            filename?: string | null;
        };
        /**
         * @description A message a customer wrote to one of the agent's numbers (received through WhatsApp, or
         *     simulated in the sandbox). `from` is the customer, `to` the agent's number.
         */
        InboundMessage: {
            /** @description The inbound message's id. */
            id: components["schemas"]["Uuid"];
            /**
             * @description Always `inbound`. (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            direction: "inbound";
            /** @description The agent whose number received the message. */
            agent_id: components["schemas"]["Uuid"];
            /** @description The customer's WhatsApp number. */
            from: components["schemas"]["E164PhoneNumber"];
            /** @description The agent's WhatsApp number the customer wrote to. */
            to: components["schemas"]["E164PhoneNumber"];
            /**
             * @description WhatsApp's message type: `text`, `image`, `audio`, `video`, `document`, `sticker`,
             *     `location`, `contacts`, `interactive`, `button`, `reaction`… An open list: accept any value.
             * @example text
             */
            type: string;
            /** @description The conversation (agent number, customer), shared with the messages sent to this customer. */
            conversation_id: components["schemas"]["Uuid"];
            /** @description WhatsApp's id of the message (`wamid.…`); `null` for a simulated message. */
            platform_message_id: string | null;
            /** @description The text, for a `text` message; `null` otherwise. */
            text: components["schemas"]["TextContent"] | null;
            /** @description The media's metadata, for `image`, `audio`, `video`, `document` and `sticker`; `null` otherwise. */
            media: components["schemas"]["InboundMedia"] | null;
            /** @description When the customer sent it (WhatsApp's timestamp). */
            received_at: components["schemas"]["Timestamp"];
            /** @description When Mojeeb recorded it; lists are ordered by it. */
            created_at: components["schemas"]["Timestamp"];
        };
        /** @description A message of the list, a `Message` (`direction` `outbound`) or an `InboundMessage` (`direction` `inbound`). */
        MessageListItem: components["schemas"]["Message"] | components["schemas"]["InboundMessage"];
        /**
         * @description Pass it as `cursor` to get the next page; `null` on the last page.
         * @example bTpfMjAyNi0wNC0zMFQwOToxNzo1OS4wMDAwMDBaXzlhOGI3YzZk
         */
        ListCursorValue: string | null;
        /** @description A page of messages, newest first (see "Lists and pagination"). */
        MessageList: {
            /**
             * @description Always `list`.
             * @example list
             */
            object: string;
            data: components["schemas"]["MessageListItem"][];
            /** @description Whether there are more items after this page. */
            has_more: boolean;
            next_cursor: components["schemas"]["ListCursorValue"];
        };
        /** @description One agent number and one customer, with the current state of their 24-hour window. */
        Conversation: {
            id: components["schemas"]["Uuid"];
            /**
             * @description Always `whatsapp.conversation`.
             * @example whatsapp.conversation
             */
            object: string;
            agent_id: components["schemas"]["Uuid"];
            /** @description The agent's number (the `from` of sends). */
            business_number: components["schemas"]["E164PhoneNumber"];
            /** @description The customer (the `to` of sends). */
            customer_number: components["schemas"]["E164PhoneNumber"];
            /** @description When whoever spoke first started it. */
            created_at: components["schemas"]["Timestamp"];
            window: components["schemas"]["CustomerServiceWindow"];
        };
        /** @description A page of conversations, newest first (see "Lists and pagination"). */
        ConversationList: {
            /**
             * @description Always `list`.
             * @example list
             */
            object: string;
            data: components["schemas"]["Conversation"][];
            has_more: boolean;
            next_cursor: components["schemas"]["ListCursorValue"];
        };
        /** @description The 24-hour customer-service window between an agent number and a customer, now. */
        WhatsAppWindow: {
            /**
             * @description Always `whatsapp.window`.
             * @example whatsapp.window
             */
            object: string;
            from: components["schemas"]["E164PhoneNumber"];
            to: components["schemas"]["E164PhoneNumber"];
            /** @description Their conversation; `null` when they never spoke. */
            conversation_id: components["schemas"]["Uuid"] | null;
            /** @description Whether free-form text would be accepted now. */
            open: boolean;
            /** @description When the customer last wrote to this number; `null` if never. */
            last_inbound_at: components["schemas"]["Timestamp"] | null;
            /** @description When the window closes (or closed); `null` if it never opened. */
            expires_at: components["schemas"]["Timestamp"] | null;
        };
        /**
         * @description The broad category of an error. Known values are listed in `x-extensible-enum`; new types
         *     may be added, so handle an unknown type by the HTTP status.
         * @example validation_error
         */
        ErrorType: string;
        /**
         * @description The precise reason for an error; the field to branch on. Known values are listed in
         *     `x-extensible-enum` and described, with their HTTP status, type and extra fields, in the
         *     "Error codes" catalog above. New codes may be added at any time, so a client must handle
         *     an unknown code by its `type`.
         * @example invalid_from_phone
         */
        ErrorCode: string;
        /** @description The state of the 24-hour customer-service window of a conversation. */
        CustomerServiceWindow: {
            /** @description Whether free-form messages may be sent now. */
            open: boolean;
            /** @description When the customer last wrote to this number; `null` if never. */
            last_inbound_at: components["schemas"]["Timestamp"] | null;
            /** @description When the window closes (or closed); `null` if it never opened. */
            expires_at: components["schemas"]["Timestamp"] | null;
        };
        /**
         * @description The details of an error. `type`, `code`, `message` and `correlation_id` are always
         *     present; the other fields appear with the codes that use them (see the catalog). More
         *     fields may be added.
         */
        ApiError: {
            type: components["schemas"]["ErrorType"];
            code: components["schemas"]["ErrorCode"];
            /** @description A human-readable explanation. It may be reworded at any time; never branch on it. */
            message: string;
            correlation_id: components["schemas"]["CorrelationId"];
            /**
             * @description The request field (dotted path, e.g. `template.parameters.customer_name`) or header the error is about.
             * @example from
             */
            param?: string;
            /**
             * @description With `insufficient_scope`, the scope the key lacks.
             * @example whatsapp:send
             */
            required_scope?: string;
            /** @description With `from_phone_not_found_for_agent`, the agent's active WhatsApp numbers. */
            available_phones?: components["schemas"]["E164PhoneNumber"][];
            /** @description With `idempotency_key_in_use_with_different_params`, the correlation id of the request that first used the key. */
            original_correlation_id?: components["schemas"]["CorrelationId"];
            window?: components["schemas"]["CustomerServiceWindow"];
            /**
             * @description With `plan_upgrade_required`, the lowest plan that includes API access.
             * @example professional
             */
            required_plan?: string;
            /** @description With `message_quota_exceeded`, the organization's monthly message quota. */
            quota_limit?: number;
            /** @description With `message_quota_exceeded`, when the quota resets. */
            quota_resets_at?: components["schemas"]["Timestamp"];
            /**
             * @description With `channel_not_available`, the reserved channel the path belongs to.
             * @example messenger
             */
            channel?: string;
            /** @description With `method_not_allowed`, the methods the path accepts. */
            allowed_methods?: string[];
        };
        /** @description The envelope of every error response. */
        ErrorResponse: {
            error: components["schemas"]["ApiError"];
        };
        /** @description Liveness of the process. */
        HealthStatus: {
            /** @description `ok`. Known values are listed in `x-extensible-enum`; more may be added. */
            status: string;
        };
        /**
         * @description The state of one dependency. Known values are listed in `x-extensible-enum`; more may be
         *     added, so treat an unknown value as not `ok`.
         */
        ReadinessCheck: string;
        /** @description The state of each dependency. */
        ReadinessChecks: {
            database: components["schemas"]["ReadinessCheck"];
            worker?: components["schemas"]["WorkerCheck"];
        };
        /**
         * @description The delivery worker of this process, when it runs one (`WORKER=true`, the default):
         *     `running`; `starting`; `restarting` (its job runner stopped, for example when PostgreSQL
         *     restarted, and is being started again with backoff); `stopped` (the process is shutting
         *     down). Absent when the process runs no worker. While the worker restarts the process
         *     still accepts sends (they wait in the queue), so a restart shorter than
         *     `READINESS_WORKER_GRACE_MS` (30 s by default) keeps `status: ready`; a worker down for
         *     longer makes the process `unavailable`. Known values are listed in `x-extensible-enum`;
         *     more may be added, so treat an unknown value as not running.
         */
        WorkerCheck: string;
        /** @description Whether the service can serve requests. */
        ReadinessStatus: {
            /**
             * @description `ready` or `unavailable`. Known values are listed in `x-extensible-enum`; more may be
             *     added, so treat an unknown value as not ready.
             */
            status: string;
            checks: components["schemas"]["ReadinessChecks"];
        };
        /** @description An OpenAPI 3.1 document (open-ended; only its two always-present members are described). */
        OpenApiDocument: {
            openapi: string;
            info: {
                [key: string]: unknown;
            };
        } & {
            [key: string]: unknown;
        };
        /** @description An OpenAPI 3.1 document as YAML text. */
        OpenApiDocumentText: string;
        /** @description An HTML page. */
        HtmlPage: string;
        /**
         * @description The type of an event. Known values are listed in `x-extensible-enum`; more may be added
         *     (see "Open enumerations"), so ignore a type you do not know.
         * @example message.delivered
         */
        EventType: string;
        /**
         * @description An event type an endpoint receives, or `*` for every type, current and future.
         * @enum {string}
         */
        EnabledEvent: "*" | "message.sent" | "message.delivered" | "message.read" | "message.failed" | "message.received";
        /**
         * @description Where events are posted: an absolute `https` URL (test mode: `http` too) without
         *     credentials or fragment. Live endpoints must resolve to public addresses only.
         * @example https://crm.example.com/hooks/mojeeb
         */
        WebhookEndpointUrl: string;
        WebhookEndpointCreateRequest: {
            url: components["schemas"]["WebhookEndpointUrl"];
            /**
             * @example [
             *       "message.delivered",
             *       "message.failed"
             *     ]
             */
            enabled_events: components["schemas"]["EnabledEvent"][];
            /** @description Your note about the endpoint. */
            description?: string | null;
        };
        WebhookEndpointUpdateRequest: {
            url?: components["schemas"]["WebhookEndpointUrl"];
            enabled_events?: components["schemas"]["EnabledEvent"][];
            description?: string | null;
            /** @description `true` stops deliveries to the endpoint; `false` resumes them. */
            disabled?: boolean;
        };
        /** @description A URL that receives the events of one organization and environment, and its health. */
        WebhookEndpoint: {
            /** Format: uuid */
            id: string;
            /** @constant */
            object: "webhook_endpoint";
            url: string;
            description: string | null;
            /** @description Event types delivered to it, or `["*"]` for all. */
            enabled_events: string[];
            disabled: boolean;
            /**
             * @description Why it is disabled: `manual` (an update set `disabled`), `failing` (every delivery
             *     failed for 3 days, see "Webhooks"); `null` while enabled. Known values are listed in
             *     `x-extensible-enum`; more may be added.
             */
            disabled_reason: string | null;
            /** @description `true` for a live endpoint, `false` for a test-mode one. */
            livemode: boolean;
            /**
             * @description When a delivery last succeeded; `null` if never. While an endpoint keeps succeeding this is
             *     recorded at most once a second, so it may be up to a second older than the latest success;
             *     the first success after a failure is always recorded.
             */
            last_success_at: components["schemas"]["Timestamp"] | null;
            /** @description Failed attempts since the last success. */
            consecutive_failures: number;
            created_at: components["schemas"]["Timestamp"];
            updated_at: components["schemas"]["Timestamp"];
        };
        /** @description An endpoint with its signing secret, answered only on creation and rotation. */
        WebhookEndpointWithSecret: {
            /** Format: uuid */
            id: string;
            /** @constant */
            object: "webhook_endpoint";
            url: string;
            description: string | null;
            /** @description Event types delivered to it, or `["*"]` for all. */
            enabled_events: string[];
            disabled: boolean;
            /**
             * @description Why it is disabled: `manual` (an update set `disabled`), `failing` (every delivery
             *     failed for 3 days, see "Webhooks"); `null` while enabled. Known values are listed in
             *     `x-extensible-enum`; more may be added.
             */
            disabled_reason: string | null;
            /** @description `true` for a live endpoint, `false` for a test-mode one. */
            livemode: boolean;
            /** @description When a delivery last succeeded; `null` if never. */
            last_success_at: components["schemas"]["Timestamp"] | null;
            /** @description Failed attempts since the last success. */
            consecutive_failures: number;
            created_at: components["schemas"]["Timestamp"];
            updated_at: components["schemas"]["Timestamp"];
            /**
             * @description The signing secret (`whsec_` and base64). Keep it secret; it is not shown again.
             * @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
             */
            secret: string;
            /** @description After a rotation, until when the previous secret still signs. */
            previous_secret_expires_at?: components["schemas"]["Timestamp"];
        };
        /** @description A page of webhook endpoints. */
        WebhookEndpointList: {
            /** @constant */
            object: "list";
            data: components["schemas"]["WebhookEndpoint"][];
            has_more: boolean;
            /** @description Pass as `cursor` for the next page; `null` on the last page. */
            next_cursor: string | null;
        };
        DeletedWebhookEndpoint: {
            /** Format: uuid */
            id: string;
            /** @constant */
            object: "webhook_endpoint";
            /** @constant */
            deleted: true;
        };
        /** @description A message's status moved forward (`message.sent`, `message.delivered`, `message.read`, `message.failed` with its `error`); `data.object` is the message as it was then. */
        MessageStatusEvent: {
            /** @description The event id; also the `webhook-id` header of every delivery of it. */
            id: string;
            /** @constant */
            object: "event";
            /** @enum {string} */
            type: "message.sent" | "message.delivered" | "message.read" | "message.failed";
            created_at: components["schemas"]["Timestamp"];
            /** @description `true` for a live event, `false` for a test-mode one. */
            livemode: boolean;
            data: {
                object: components["schemas"]["Message"];
            };
        };
        /** @description A customer wrote to one of the organization's numbers (`message.received`). */
        MessageReceivedEvent: {
            /** @description The event id; also the `webhook-id` header of every delivery of it. */
            id: string;
            /** @constant */
            object: "event";
            /** @constant */
            type: "message.received";
            created_at: components["schemas"]["Timestamp"];
            /** @description `true` for a live event, `false` for a test-mode one. */
            livemode: boolean;
            data: {
                object: components["schemas"]["InboundMessage"];
            };
        };
        /** @description Something that happened; what webhook endpoints receive. Branch on `type`. */
        Event: components["schemas"]["MessageStatusEvent"] | components["schemas"]["MessageReceivedEvent"];
        /** @description A page of events. */
        EventList: {
            /** @constant */
            object: "list";
            data: components["schemas"]["Event"][];
            has_more: boolean;
            /** @description Pass as `cursor` for the next page; `null` on the last page. */
            next_cursor: string | null;
        };
        EventDeliveryAttempt: {
            /** Format: uuid */
            endpoint_id: string;
            attempted_at: components["schemas"]["Timestamp"];
            /** @description The endpoint's HTTP status; `null` when none came (timeout, connection error, refused address). */
            http_status: number | null;
            latency_ms: number;
            /** @description Why the attempt failed; `null` for a success (2xx). */
            error: string | null;
        };
        /** @description An event and every attempt to deliver it, oldest first. */
        EventDetail: {
            /** @description The event id; also the `webhook-id` header of every delivery of it. */
            id: string;
            /** @constant */
            object: "event";
            type: components["schemas"]["EventType"];
            created_at: components["schemas"]["Timestamp"];
            /** @description `true` for a live event, `false` for a test-mode one. */
            livemode: boolean;
            data: {
                object: components["schemas"]["Message"] | components["schemas"]["InboundMessage"];
            };
            delivery_attempts: components["schemas"]["EventDeliveryAttempt"][];
        };
        EventRedeliveryRequest: {
            /** @description The endpoint to deliver to (of the key's environment). */
            endpoint_id: string;
        };
        EventRedelivery: {
            /** @constant */
            object: "event_redelivery";
            event_id: string;
            /** Format: uuid */
            endpoint_id: string;
            /** @description `queued`. Known values are listed in `x-extensible-enum`; more may be added. */
            status: string;
        };
    };
    responses: {
        /** @description Accepted. The message is queued for delivery; follow it with `GET /v1/whatsapp/messages/{id}`. */
        MessageAccepted: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Message"];
            };
        };
        /** @description The message and its current delivery status. */
        MessageFound: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Message"];
            };
        };
        /** @description A page of messages, newest first. */
        MessageListFound: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["MessageList"];
            };
        };
        /** @description A page of conversations, newest first. */
        ConversationListFound: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ConversationList"];
            };
        };
        /** @description The conversation and the current state of its 24-hour window. */
        ConversationFound: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Conversation"];
            };
        };
        /** @description The state of the 24-hour window between the agent number and the customer. */
        WindowFound: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["WhatsAppWindow"];
            };
        };
        /** @description The `cursor` was not given by this list (altered, truncated, or from another list). */
        InvalidCursor: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The key may not read these items — a missing scope, a plan without API access, or an `agent_id` outside the key's agents. */
        ListForbidden: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description A query parameter has an invalid value (`param` names it). */
        ListUnprocessable: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description No conversation with this id is visible to the key. */
        ConversationNotFound: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The body is not valid JSON. */
        BadRequest: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The API key is missing, malformed, unknown, revoked or expired. */
        Unauthorized: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "WWW-Authenticate": components["headers"]["WwwAuthenticate"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The organization's monthly message quota is used up. */
        QuotaExceeded: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The key may not do this — a missing scope, an agent outside its allow-list, or a plan without API access. */
        SendForbidden: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The key may not read messages — a missing scope or a plan without API access. */
        ReadForbidden: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description Recorded. The customer's simulated message is stored and the conversation's window is open. */
        SandboxInboundRecorded: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["SandboxInboundMessage"];
            };
        };
        /** @description The key may not do this — a live key, a missing scope, an agent outside its allow-list, or a plan without API access. */
        SandboxForbidden: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The request is well-formed JSON but cannot be recorded; `error.code` says why. */
        SandboxInboundUnprocessable: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description No message with this id is visible to the key. */
        MessageNotFound: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description A request with this `Idempotency-Key` is still being processed. Retry after `Retry-After` with the same key and body. */
        IdempotencyConflict: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "Retry-After": components["headers"]["RetryAfter"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The body is larger than 64 KiB. */
        PayloadTooLarge: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The body is not sent as `application/json`. */
        UnsupportedMediaType: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The request is well-formed JSON but cannot be accepted; `code` says why and `param` names the field. */
        SendMessageUnprocessable: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The request is well-formed JSON but cannot be accepted; `code` says why and `param` names the field. */
        SendTemplateUnprocessable: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The key's per-minute limit is used up. Retry after `Retry-After` seconds, with the same `Idempotency-Key`. */
        TooManyRequests: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "Retry-After": components["headers"]["RetryAfter"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description Something went wrong on our side. Retry with exponential backoff; quote `correlation_id` to support if it persists. */
        InternalError: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description This server does not implement the operation. */
        NotImplemented: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description A dependency of the service is unavailable. Retry with exponential backoff. */
        ServiceUnavailable: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "Retry-After": components["headers"]["RetryAfterOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description No endpoint at this path, or a reserved channel that is not available yet. Answered for any unmatched path under `/v1`. */
        NotFound: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The path exists but not with this HTTP method; `Allow` lists the methods it has. */
        MethodNotAllowed: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                /**
                 * @description The methods this path accepts.
                 * @example POST
                 */
                Allow: string;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The key may not manage webhooks or read events — a missing scope or a plan without API access. */
        WebhooksForbidden: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The request is well-formed JSON but the endpoint cannot be saved; `error.code` says why. */
        WebhookEndpointUnprocessable: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description A query parameter has an invalid value (`limit`, `cursor` or a filter). */
        ListQueryUnprocessable: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description No webhook endpoint with this id is visible to the key. */
        WebhookEndpointNotFound: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description No event with this id is visible to the key. */
        EventNotFound: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The request is well-formed JSON but names no endpoint of the key; `error.code` says why. */
        RedeliveryUnprocessable: {
            headers: {
                "X-Correlation-ID": components["headers"]["CorrelationId"];
                "X-RateLimit-Limit": components["headers"]["RateLimitLimitOptional"];
                "X-RateLimit-Remaining": components["headers"]["RateLimitRemainingOptional"];
                "X-RateLimit-Reset": components["headers"]["RateLimitResetOptional"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
    };
    parameters: {
        /**
         * @description Makes the request safe to retry: a retry with the same key and body replays the original
         *     response instead of sending a second message. 1 to 255 characters (Unicode code points,
         *     not bytes; UTF-8 encoded), kept 24 hours, scoped to the API key. See "Idempotency".
         * @example order-12345-confirmation
         */
        IdempotencyKey: string;
        /**
         * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
         *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
         *     ignored and a fresh id is generated instead.
         * @example crm-ticket-9001
         */
        CorrelationIdRequest: string;
        /**
         * @description How many items a page holds, 1 to 100 (default 20).
         * @example 20
         */
        ListLimit: number;
        /**
         * @description The `next_cursor` of the previous page, unchanged; omit it for the first page. A cursor
         *     that was not given by this list is refused with `400 invalid_cursor`.
         */
        ListCursor: string;
        /** @description Only items created at or after this time (RFC 3339, e.g. `2026-04-30T00:00:00Z`). */
        CreatedGte: string;
        /** @description Only items created before this time (RFC 3339). */
        CreatedLt: string;
    };
    requestBodies: never;
    headers: {
        /** @description The request's correlation id (yours, or `req_` + ULID); equal to `error.correlation_id`. */
        CorrelationId: components["schemas"]["CorrelationId"];
        /**
         * @description Requests allowed per 60-second window for this API key.
         * @example 60
         */
        RateLimitLimit: number;
        /**
         * @description Requests left in the current window. Exact when one server answers the key; with several, as of this server's latest reservation of the window's budget (see Rate limits).
         * @example 59
         */
        RateLimitRemaining: number;
        /**
         * @description Unix time (seconds) at which the current window ends.
         * @example 1764000060
         */
        RateLimitReset: number;
        /**
         * @description Requests allowed per 60-second window for this API key; present on every authenticated response.
         * @example 60
         */
        RateLimitLimitOptional: number;
        /**
         * @description Requests left in the current window; present on every authenticated response.
         * @example 12
         */
        RateLimitRemainingOptional: number;
        /**
         * @description Unix time (seconds) at which the current window ends; present on every authenticated response.
         * @example 1764000060
         */
        RateLimitResetOptional: number;
        /**
         * @description Seconds to wait before retrying.
         * @example 30
         */
        RetryAfter: number;
        /**
         * @description Seconds to wait before retrying, when known.
         * @example 5
         */
        RetryAfterOptional: number;
        /**
         * @description The RFC 6750 challenge: `Bearer realm="mojeeb"` when the request had no bearer token,
         *     `Bearer realm="mojeeb", error="invalid_token"` when the key it presented is malformed,
         *     unknown, revoked or expired.
         * @example Bearer realm="mojeeb", error="invalid_token"
         */
        WwwAuthenticate: string;
        /**
         * @description Present, with the value `true`, only when this response is a replay of an earlier request with the same `Idempotency-Key`.
         * @example true
         */
        IdempotentReplayed: "true";
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listWhatsAppMessages: {
        parameters: {
            query?: {
                /**
                 * @description How many items a page holds, 1 to 100 (default 20).
                 * @example 20
                 */
                limit?: components["parameters"]["ListLimit"];
                /**
                 * @description The `next_cursor` of the previous page, unchanged; omit it for the first page. A cursor
                 *     that was not given by this list is refused with `400 invalid_cursor`.
                 */
                cursor?: components["parameters"]["ListCursor"];
                /** @description Only messages of this agent (a UUID, in any case). */
                agent_id?: components["schemas"]["UuidAnyCase"];
                /** @description Only messages of this conversation (a UUID, in any case). */
                conversation_id?: components["schemas"]["UuidAnyCase"];
                /** @description Only `outbound` (sent through the API) or only `inbound` (written by customers) messages. */
                direction?: "outbound" | "inbound";
                /** @description Only messages from this number (E.164). */
                from?: components["schemas"]["E164PhoneNumber"];
                /** @description Only messages to this number (E.164). */
                to?: components["schemas"]["E164PhoneNumber"];
                /** @description Only outbound messages in this status (see `MessageStatus`); inbound messages have none. */
                status?: string;
                /** @description Only items created at or after this time (RFC 3339, e.g. `2026-04-30T00:00:00Z`). */
                "created[gte]"?: components["parameters"]["CreatedGte"];
                /** @description Only items created before this time (RFC 3339). */
                "created[lt]"?: components["parameters"]["CreatedLt"];
            };
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["MessageListFound"];
            400: components["responses"]["InvalidCursor"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["ListForbidden"];
            422: components["responses"]["ListUnprocessable"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    sendWhatsAppMessage: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the request safe to retry: a retry with the same key and body replays the original
                 *     response instead of sending a second message. 1 to 255 characters (Unicode code points,
                 *     not bytes; UTF-8 encoded), kept 24 hours, scoped to the API key. See "Idempotency".
                 * @example order-12345-confirmation
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SendMessageRequest"];
            };
        };
        responses: {
            202: components["responses"]["MessageAccepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["QuotaExceeded"];
            403: components["responses"]["SendForbidden"];
            409: components["responses"]["IdempotencyConflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["SendMessageUnprocessable"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    sendWhatsAppTemplate: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the request safe to retry: a retry with the same key and body replays the original
                 *     response instead of sending a second message. 1 to 255 characters (Unicode code points,
                 *     not bytes; UTF-8 encoded), kept 24 hours, scoped to the API key. See "Idempotency".
                 * @example order-12345-confirmation
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SendTemplateRequest"];
            };
        };
        responses: {
            202: components["responses"]["MessageAccepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["QuotaExceeded"];
            403: components["responses"]["SendForbidden"];
            409: components["responses"]["IdempotencyConflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["SendTemplateUnprocessable"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getWhatsAppMessageStatus: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path: {
                /**
                 * @description The message `id` returned when the message was sent (a UUID, in any case).
                 * @example 01c45011-d803-4eb0-a762-3228a4c392f3
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["MessageFound"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["ReadForbidden"];
            404: components["responses"]["MessageNotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listWhatsAppConversations: {
        parameters: {
            query?: {
                /**
                 * @description How many items a page holds, 1 to 100 (default 20).
                 * @example 20
                 */
                limit?: components["parameters"]["ListLimit"];
                /**
                 * @description The `next_cursor` of the previous page, unchanged; omit it for the first page. A cursor
                 *     that was not given by this list is refused with `400 invalid_cursor`.
                 */
                cursor?: components["parameters"]["ListCursor"];
                /** @description Only conversations of this agent (a UUID, in any case). */
                agent_id?: components["schemas"]["UuidAnyCase"];
                /** @description Only conversations of this agent number (E.164). */
                business_number?: components["schemas"]["E164PhoneNumber"];
                /** @description Only conversations with this customer (E.164). */
                customer_number?: components["schemas"]["E164PhoneNumber"];
                /** @description Only items created at or after this time (RFC 3339, e.g. `2026-04-30T00:00:00Z`). */
                "created[gte]"?: components["parameters"]["CreatedGte"];
                /** @description Only items created before this time (RFC 3339). */
                "created[lt]"?: components["parameters"]["CreatedLt"];
            };
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["ConversationListFound"];
            400: components["responses"]["InvalidCursor"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["ListForbidden"];
            422: components["responses"]["ListUnprocessable"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getWhatsAppConversation: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path: {
                /**
                 * @description The conversation's `id` (a UUID, in any case), e.g. a message's `conversation_id`.
                 * @example 5b0e8f7c-2a41-4d7e-9a53-0c6f1d2e3b4a
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["ConversationFound"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["ReadForbidden"];
            404: components["responses"]["ConversationNotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getWhatsAppWindow: {
        parameters: {
            query: {
                /**
                 * @description The agent's WhatsApp number, as the `from` of a send (E.164).
                 * @example +15557654321
                 */
                from: components["schemas"]["E164PhoneNumber"];
                /**
                 * @description The customer's number, as the `to` of a send (E.164).
                 * @example +15551234567
                 */
                to: components["schemas"]["E164PhoneNumber"];
            };
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["WindowFound"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["ReadForbidden"];
            422: components["responses"]["ListUnprocessable"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    simulateWhatsAppInboundMessage: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SandboxInboundRequest"];
            };
        };
        responses: {
            200: components["responses"]["SandboxInboundRecorded"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["SandboxForbidden"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["SandboxInboundUnprocessable"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process is alive. */
            200: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthStatus"];
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready to serve. */
            200: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReadinessStatus"];
                };
            };
            /** @description Not ready; a dependency does not answer. */
            503: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReadinessStatus"];
                };
            };
        };
    };
    getOpenApiYaml: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI document. */
            200: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/yaml": components["schemas"]["OpenApiDocumentText"];
                };
            };
        };
    };
    getOpenApiJson: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI document. */
            200: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenApiDocument"];
                };
            };
        };
    };
    getApiReference: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An HTML page. */
            200: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": components["schemas"]["HtmlPage"];
                };
            };
        };
    };
    listWebhookEndpoints: {
        parameters: {
            query?: {
                /** @description How many items per page, 1 to 100 (default 20). */
                limit?: number;
                /** @description The `next_cursor` of the previous page; absent for the first page. */
                cursor?: string;
            };
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of endpoints. */
            200: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["WebhooksForbidden"];
            422: components["responses"]["ListQueryUnprocessable"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookEndpointCreateRequest"];
            };
        };
        responses: {
            /** @description Created. The endpoint, with its signing secret (shown only now). */
            201: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointWithSecret"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["WebhooksForbidden"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["WebhookEndpointUnprocessable"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path: {
                /**
                 * @description The webhook endpoint `id`.
                 * @example a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The endpoint. */
            200: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["WebhooksForbidden"];
            404: components["responses"]["WebhookEndpointNotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path: {
                /**
                 * @description The webhook endpoint `id`.
                 * @example a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            200: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeletedWebhookEndpoint"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["WebhooksForbidden"];
            404: components["responses"]["WebhookEndpointNotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    updateWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path: {
                /**
                 * @description The webhook endpoint `id`.
                 * @example a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookEndpointUpdateRequest"];
            };
        };
        responses: {
            /** @description The updated endpoint. */
            200: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["WebhooksForbidden"];
            404: components["responses"]["WebhookEndpointNotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["WebhookEndpointUnprocessable"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    rotateWebhookEndpointSecret: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path: {
                /**
                 * @description The webhook endpoint `id`.
                 * @example a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The endpoint with its new secret. */
            200: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointWithSecret"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["WebhooksForbidden"];
            404: components["responses"]["WebhookEndpointNotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listEvents: {
        parameters: {
            query?: {
                /** @description How many items per page, 1 to 100 (default 20). */
                limit?: number;
                /** @description The `next_cursor` of the previous page; absent for the first page. */
                cursor?: string;
                /** @description Only events of this type. */
                type?: components["schemas"]["EventType"];
                /** @description Only events created at or after this time. */
                created_gte?: components["schemas"]["Timestamp"];
                /** @description Only events created before this time. */
                created_lt?: components["schemas"]["Timestamp"];
            };
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of events. */
            200: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["WebhooksForbidden"];
            422: components["responses"]["ListQueryUnprocessable"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getEvent: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path: {
                /**
                 * @description The event `id` (`evt_…`).
                 * @example evt_0f8e7d6c5b4a39281706f5e4d3c2b1a0
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event and its delivery attempts. */
            200: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventDetail"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["WebhooksForbidden"];
            404: components["responses"]["EventNotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    redeliverEvent: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Your own trace id for this request, echoed in the `X-Correlation-ID` response header and in
                 *     `error.correlation_id`. A value outside 1–128 characters of `A-Z a-z 0-9 . _ : -` is
                 *     ignored and a fresh id is generated instead.
                 * @example crm-ticket-9001
                 */
                "X-Correlation-ID"?: components["parameters"]["CorrelationIdRequest"];
            };
            path: {
                /**
                 * @description The event `id` (`evt_…`).
                 * @example evt_0f8e7d6c5b4a39281706f5e4d3c2b1a0
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EventRedeliveryRequest"];
            };
        };
        responses: {
            /** @description Queued. */
            202: {
                headers: {
                    "X-Correlation-ID": components["headers"]["CorrelationId"];
                    "X-RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "X-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventRedelivery"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["WebhooksForbidden"];
            404: components["responses"]["EventNotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["RedeliveryUnprocessable"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            501: components["responses"]["NotImplemented"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    onMessageSent: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MessageStatusEvent"];
            };
        };
        responses: {
            /** @description Received. Any 2xx counts; anything else (or no answer in 10 s) is retried. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    onMessageDelivered: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MessageStatusEvent"];
            };
        };
        responses: {
            /** @description Received. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    onMessageRead: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MessageStatusEvent"];
            };
        };
        responses: {
            /** @description Received. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    onMessageFailed: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MessageStatusEvent"];
            };
        };
        responses: {
            /** @description Received. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    onMessageReceived: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MessageReceivedEvent"];
            };
        };
        responses: {
            /** @description Received. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
