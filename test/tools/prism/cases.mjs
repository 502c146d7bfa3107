/**
 * The requests test/tools/prism.mjs sends through its two Prism proxies, built from the contract
 * and the live server's fixture (MOJEEB_* variables, see run-tool.mjs).
 *
 * - validCases: requests a client is meant to send (every request example of openapi.yaml,
 *   every service endpoint, the message returned by a send, the webhook endpoint lifecycle, the
 *   event log, the lists and the window, a valid request a business rule refuses, an unknown
 *   key), for the VALIDATING proxy;
 * - invalidCases: requests that are wrong on purpose, for the OBSERVING proxy;
 * - unvalidatableCases: requests whose answers Prism cannot validate, run for the record.
 *
 * A case's `path` (or `body`) may be a function of `state`, filled as the run goes: a case with
 * `capture` stores a value of its 2xx answer there (the message a send returned, the endpoint a
 * create returned) for the cases after it; a function that answers undefined skips the case.
 */
import { randomUUID } from 'node:crypto';

/** The request examples (name, value) of an operation. */
export function requestExamples(document, operationId) {
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item)) {
      if (operation?.operationId !== operationId) continue;
      const examples = operation.requestBody?.content?.['application/json']?.examples ?? {};
      return Object.entries(examples).map(([name, example]) => [name, example.value]);
    }
  }
  return [];
}

const idempotencyKey = () => `prism-${randomUUID()}`;
const json = { 'Content-Type': 'application/json', Accept: 'application/json' };
const NOBODY = '00000000-0000-4000-8000-000000000000';

export function buildCases({ document, apiKey, fixture }) {
  const auth = { Authorization: `Bearer ${apiKey}` };
  const messageExample = requestExamples(document, 'sendWhatsAppMessage')[0]?.[1];
  const templateExample = requestExamples(document, 'sendWhatsAppTemplate')[0]?.[1];
  if (!messageExample || !templateExample) {
    throw new Error('openapi.yaml has no request example for sendWhatsAppMessage or sendWhatsAppTemplate');
  }
  /** The example, sent from the seeded agent and number to the recipient with an open window. */
  const withFixture = (body) => ({
    ...body,
    agent_id: fixture.agentId ?? body.agent_id,
    from: fixture.from ?? body.from,
    to: fixture.to ?? body.to,
  });
  const read = (name, path, expect = [200]) => ({ name, method: 'GET', path, headers: { ...auth, Accept: 'application/json' }, expect });
  const write = (name, method, path, body, expect, extra = {}) => ({
    name,
    method,
    path,
    headers: body === undefined ? { ...auth, Accept: 'application/json' } : { ...auth, ...json },
    body: typeof body === 'function' ? body : body === undefined ? undefined : JSON.stringify(body),
    expect,
    ...extra,
  });
  const q = encodeURIComponent;

  function validCases() {
    const cases = [];
    for (const [operationId, path] of [
      ['sendWhatsAppMessage', '/v1/whatsapp/messages'],
      ['sendWhatsAppTemplate', '/v1/whatsapp/templates'],
    ]) {
      for (const [name, body] of requestExamples(document, operationId)) {
        cases.push({
          name: `${operationId}: request example '${name}'`,
          method: 'POST',
          path,
          headers: { ...auth, ...json, 'Idempotency-Key': idempotencyKey() },
          body: JSON.stringify(body),
          expect: [202],
          capture: { messageId: (answer) => answer.id },
        });
      }
    }
    for (const path of ['/healthz', '/readyz', '/openapi.yaml', '/openapi.json', '/docs']) {
      cases.push({ name: `GET ${path}`, method: 'GET', path, headers: {}, expect: [200] });
    }
    cases.push(
      read(
        'getWhatsAppMessageStatus: the message a send returned',
        (state) => state.messageId && `/v1/whatsapp/messages/${state.messageId}`,
      ),
      read('getWhatsAppMessageStatus: an id nobody sent', `/v1/whatsapp/messages/${NOBODY}`, [404]),
      // Lists, conversations and the window (after the sends above, so the lists are not empty).
      read('listWhatsAppMessages: the first page', '/v1/whatsapp/messages?limit=2'),
      read(
        'listWhatsAppMessages: with every filter',
        `/v1/whatsapp/messages?limit=5&direction=outbound&status=queued&agent_id=${fixture.agentId}&from=${q(fixture.from ?? '')}&created%5Bgte%5D=2000-01-01T00:00:00Z`,
      ),
      read('listWhatsAppMessages: inbound only (the customer wrote)', `/v1/whatsapp/messages?direction=inbound&limit=5`),
      read('listWhatsAppMessages: outbound only', `/v1/whatsapp/messages?direction=outbound&to=${q(fixture.to ?? '')}`),
      read('listWhatsAppConversations: the first page', '/v1/whatsapp/conversations?limit=2'),
      read(
        'listWhatsAppConversations: the fixture pair',
        `/v1/whatsapp/conversations?business_number=${q(fixture.from ?? '')}&customer_number=${q(fixture.to ?? '')}`,
      ),
      read(
        'getWhatsAppConversation: the seeded conversation',
        fixture.conversationId && `/v1/whatsapp/conversations/${fixture.conversationId}`,
      ),
      read('getWhatsAppConversation: an id nobody has', `/v1/whatsapp/conversations/${NOBODY}`, [404]),
      read('getWhatsAppWindow: the fixture pair', `/v1/whatsapp/window?from=${q(fixture.from ?? '')}&to=${q(fixture.to ?? '')}`),
      read('getWhatsAppWindow: a pair that never spoke', `/v1/whatsapp/window?from=${q(fixture.from ?? '')}&to=%2B15550009999`),
    );
    // Webhook endpoints: the documented create example(s), then the lifecycle of the one created.
    const endpointExamples = requestExamples(document, 'createWebhookEndpoint');
    for (const [name, body] of endpointExamples) {
      cases.push(
        write(`createWebhookEndpoint: request example '${name}'`, 'POST', '/v1/webhook_endpoints', body, [201], {
          capture: { endpointId: (answer) => answer.id },
        }),
      );
    }
    if (endpointExamples.length === 0 && fixture.webhookUrl) {
      cases.push(
        write(
          'createWebhookEndpoint: a loopback receiver',
          'POST',
          '/v1/webhook_endpoints',
          { url: fixture.webhookUrl, enabled_events: ['*'] },
          [201],
          {
            capture: { endpointId: (answer) => answer.id },
          },
        ),
      );
    }
    const endpoint =
      (suffix = '') =>
      (state) =>
        state.endpointId && `/v1/webhook_endpoints/${state.endpointId}${suffix}`;
    cases.push(
      read('listWebhookEndpoints: the first page', '/v1/webhook_endpoints?limit=5'),
      read('getWebhookEndpoint: the endpoint just created', endpoint()),
      write(
        'updateWebhookEndpoint: events, description and disabled',
        'PATCH',
        endpoint(),
        { enabled_events: ['message.delivered', 'message.failed', 'message.received'], description: 'CRM', disabled: false },
        [200],
      ),
      write('rotateWebhookEndpointSecret: the endpoint just created', 'POST', endpoint('/rotate_secret'), undefined, [200]),
      read('getWebhookEndpoint: an id nobody has', `/v1/webhook_endpoints/${NOBODY}`, [404]),
      // The event log: the fixture's `message.received`, redelivered to its endpoint.
      read('listEvents: the first page', '/v1/events?limit=5'),
      read('listEvents: message.received since 2000', '/v1/events?type=message.received&created_gte=2000-01-01T00:00:00Z'),
      read('getEvent: the seeded event', fixture.eventId && `/v1/events/${fixture.eventId}`),
      read('getEvent: an id nobody has', '/v1/events/evt_00000000000000000000000000000000', [404]),
      write(
        'redeliverEvent: the seeded event to the endpoint just created',
        'POST',
        (state) => state.endpointId && fixture.eventId && `/v1/events/${fixture.eventId}/redeliver`,
        (state) => JSON.stringify({ endpoint_id: state.endpointId }),
        [202],
      ),
      write(
        'redeliverEvent: to an endpoint the key does not have (business rule)',
        'POST',
        fixture.eventId && `/v1/events/${fixture.eventId}/redeliver`,
        { endpoint_id: NOBODY },
        [422],
      ),
      write('deleteWebhookEndpoint: the endpoint just created', 'DELETE', endpoint(), undefined, [200]),
      read('getWebhookEndpoint: the deleted endpoint', endpoint(), [404]),
    );
    cases.push(
      write(
        'sendWhatsAppMessage: valid request, agent unknown to the key (business rule)',
        'POST',
        '/v1/whatsapp/messages',
        { ...withFixture(messageExample), agent_id: NOBODY },
        [422, 403],
      ),
      write(
        'sendWhatsAppTemplate: valid request, template never approved (business rule)',
        'POST',
        '/v1/whatsapp/templates',
        { ...withFixture(templateExample), template: { name: 'no_such_template', language: 'en' } },
        [422],
      ),
      {
        name: 'sendWhatsAppMessage: a well-formed key the server does not know',
        method: 'POST',
        path: '/v1/whatsapp/messages',
        headers: { Authorization: 'Bearer mk_test_AAAAAAAAAAAAAAAAAAAAAA_0000000000', ...json },
        body: JSON.stringify(withFixture(messageExample)),
        expect: [401],
      },
    );
    return cases;
  }

  function invalidCases() {
    const valid = withFixture(messageExample);
    const post = (name, body, headers, expect) => ({
      name: `sendWhatsAppMessage: ${name}`,
      method: 'POST',
      path: '/v1/whatsapp/messages',
      headers,
      body,
      expect,
    });
    return [
      post('no Authorization header', JSON.stringify(valid), { ...json }, [401]),
      post('Authorization with another scheme', JSON.stringify(valid), { Authorization: 'Basic Zm9vOmJhcg==', ...json }, [401]),
      post('Content-Type text/plain', 'hello', { ...auth, 'Content-Type': 'text/plain', Accept: 'application/json' }, [415]),
      post('missing field text', JSON.stringify({ ...valid, text: undefined }), { ...auth, ...json }, [422]),
      post('unknown field priority', JSON.stringify({ ...valid, priority: 'high' }), { ...auth, ...json }, [422]),
      post('text of the wrong type', JSON.stringify({ ...valid, text: 'hello' }), { ...auth, ...json }, [422]),
      post('agent_id not a UUID', JSON.stringify({ ...valid, agent_id: 'agent-7' }), { ...auth, ...json }, [422]),
      post('to not E.164', JSON.stringify({ ...valid, to: '0015551234567' }), { ...auth, ...json }, [422]),
      post('Idempotency-Key over 255 characters', JSON.stringify(valid), { ...auth, ...json, 'Idempotency-Key': 'k'.repeat(256) }, [422]),
      post('a body over 64 KiB', JSON.stringify({ ...valid, text: { body: 'x'.repeat(70_000) } }), { ...auth, ...json }, [413]),
      write(
        'sendWhatsAppTemplate: buttons[0].type outside the enum',
        'POST',
        '/v1/whatsapp/templates',
        {
          ...withFixture(templateExample),
          template: { name: 'order_shipped', language: 'en', buttons: [{ type: 'call', index: 0, value: 'x' }] },
        },
        [422],
      ),
      read('getWhatsAppMessageStatus: an id over 64 characters', `/v1/whatsapp/messages/${'a'.repeat(65)}`, [404]),
      read('listWhatsAppMessages: limit over 100', '/v1/whatsapp/messages?limit=101', [422]),
      read('listWhatsAppMessages: a cursor the list never gave', '/v1/whatsapp/messages?cursor=bm90LWEtY3Vyc29y', [400]),
      read('getWhatsAppWindow: from missing', '/v1/whatsapp/window?to=%2B15551234567', [422]),
      {
        name: 'getWhatsAppMessageStatus: no key',
        method: 'GET',
        path: `/v1/whatsapp/messages/${NOBODY}`,
        headers: { Accept: 'application/json' },
        expect: [401],
      },
      write(
        'createWebhookEndpoint: enabled_events missing',
        'POST',
        '/v1/webhook_endpoints',
        { url: fixture.webhookUrl ?? 'http://127.0.0.1:9/x' },
        [422],
      ),
      write(
        'createWebhookEndpoint: a host that does not resolve',
        'POST',
        '/v1/webhook_endpoints',
        { url: 'https://no-such-host.invalid/hooks', enabled_events: ['*'] },
        [422],
      ),
      write(
        'createWebhookEndpoint: a private address (test mode allows loopback only)',
        'POST',
        '/v1/webhook_endpoints',
        { url: 'http://10.0.0.8/hooks', enabled_events: ['*'] },
        [422],
      ),
      read('listEvents: limit over 100', '/v1/events?limit=101', [422]),
      write('redeliverEvent: endpoint_id missing', 'POST', fixture.eventId && `/v1/events/${fixture.eventId}/redeliver`, {}, [422]),
    ];
  }

  function unvalidatableCases() {
    return [
      {
        name: 'invalid JSON body',
        reason: 'Prism parses JSON bodies itself and answers 400 without forwarding',
        method: 'POST',
        path: '/v1/whatsapp/messages',
        headers: { ...auth, ...json },
        body: '{"agent_id":',
      },
      {
        name: 'unknown path under /v1',
        reason: 'no operation in the contract (the answer is in x-unmatched-request-responses, which Prism does not read)',
        method: 'GET',
        path: '/v1/whatsapp/nothing-here',
        headers: { ...auth, Accept: 'application/json' },
      },
      {
        name: 'known path, method not allowed (405)',
        reason: 'no operation in the contract (the answer is in x-unmatched-request-responses, which Prism does not read)',
        method: 'DELETE',
        path: '/v1/whatsapp/messages',
        headers: { ...auth, Accept: 'application/json' },
      },
    ];
  }

  return { validCases, invalidCases, unvalidatableCases };
}
