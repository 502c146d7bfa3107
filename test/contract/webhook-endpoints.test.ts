/**
 * Webhook endpoints and the event log: every (operation, status) pair the contract documents
 * for them, produced for real against the real database and validated by the contract client;
 * per-environment isolation; secrets shown only at creation and rotation; SSRF refusals of live
 * endpoints at private and loopback addresses.
 */
import { expect } from 'chai';
import type { Implementations } from '../../server/src/operations/context.ts';
import type { ContractClient, ContractResponse } from '../support/contract.ts';
import { harness, startServer, unreachableDatabase } from '../support/harness.ts';
import { awayFromMinuteBoundary, newTenant, randomE164, type Tenant } from '../support/tenants.ts';

const ENDPOINTS = '/v1/webhook_endpoints';
const EVENTS = '/v1/events';
const MISSING_ENDPOINT = '/v1/webhook_endpoints/00000000-0000-4000-8000-000000000000';
const MISSING_EVENT = '/v1/events/evt_00000000000000000000000000000000';
const SCOPES = ['webhooks:manage'] as const;

function expectStatus(res: ContractResponse, status: number, code?: string): void {
  expect(res.status, res.text).to.equal(status);
  if (code !== undefined) expect(res.body.error.code).to.equal(code);
}

const patch = (c: ContractClient, path: string, json: unknown) => c.request('PATCH', path, { json });
const del = (c: ContractClient, path: string) => c.request('DELETE', path);

describe('webhook endpoints and events (contract)', () => {
  let tenant: Tenant;
  let testClient: ContractClient;
  let liveClient: ContractClient;

  before(async () => {
    tenant = await newTenant(harness.db);
    testClient = harness.server.anonymous.withKey((await tenant.key({ scopes: [...SCOPES], rateLimitPerMinute: 1000 })).plaintext);
    liveClient = harness.server.anonymous.withKey(
      (await tenant.key({ environment: 'live', scopes: ['*'], rateLimitPerMinute: 1000 })).plaintext,
    );
  });

  it('201 create shows the secret once; 200 get, list, update, rotate; 200 delete; then 404', async () => {
    const created = await testClient.post(ENDPOINTS, {
      url: 'http://127.0.0.1:9/hook',
      enabled_events: ['message.delivered', 'message.sent', 'message.sent'],
      description: 'CRM',
    });
    expectStatus(created, 201);
    expect(created.body.secret).to.match(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(created.body).to.include({
      object: 'webhook_endpoint',
      livemode: false,
      disabled: false,
      description: 'CRM',
      consecutive_failures: 0,
    });
    expect(created.body.enabled_events).to.deep.equal(['message.delivered', 'message.sent']);
    const path = `${ENDPOINTS}/${created.body.id}`;
    const got = await testClient.get(path);
    expectStatus(got, 200);
    expect(got.body).not.to.have.property('secret');
    expect(JSON.stringify(got.body)).not.to.include(created.body.secret.slice(6));

    const updated = await patch(testClient, path, { enabled_events: ['*'], disabled: true, description: null });
    expectStatus(updated, 200);
    expect(updated.body).to.include({ disabled: true, disabled_reason: 'manual', description: null });
    expect(updated.body.enabled_events).to.deep.equal(['*']);

    const rotated = await testClient.post(`${path}/rotate_secret`, undefined);
    expectStatus(rotated, 200);
    expect(rotated.body.secret)
      .to.match(/^whsec_/)
      .and.not.equal(created.body.secret);
    expect(Date.parse(rotated.body.previous_secret_expires_at) - Date.now()).to.be.within(23.9 * 3600e3, 24 * 3600e3 + 1000);

    const list = await testClient.get(`${ENDPOINTS}?limit=100`);
    expectStatus(list, 200);
    expect(list.body).to.include({ object: 'list', has_more: false, next_cursor: null });
    expect(list.body.data.map((e: { id: string }) => e.id)).to.include(created.body.id);

    // Another environment's key sees none of it.
    expectStatus(await liveClient.get(path), 404, 'webhook_endpoint_not_found');
    expect((await liveClient.get(ENDPOINTS)).body.data.map((e: { id: string }) => e.id)).not.to.include(created.body.id);

    const deleted = await del(testClient, path);
    expectStatus(deleted, 200);
    expect(deleted.body).to.deep.equal({ id: created.body.id, object: 'webhook_endpoint', deleted: true });
    expectStatus(await testClient.get(path), 404, 'webhook_endpoint_not_found');
  });

  it('pages the list with a cursor: every endpoint once, newest first', async () => {
    const t = await newTenant(harness.db);
    const c = harness.server.anonymous.withKey((await t.key({ scopes: [...SCOPES], rateLimitPerMinute: 1000 })).plaintext);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await c.post(ENDPOINTS, { url: `http://localhost:9/h${i}`, enabled_events: ['*'] })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res: ContractResponse = await c.get(`${ENDPOINTS}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expectStatus(res, 200);
      seen.push(...res.body.data.map((e: { id: string }) => e.id));
      cursor = res.body.next_cursor;
      if (!res.body.has_more) break;
    }
    expect(seen).to.deep.equal([...ids].reverse());
  });

  it('404 for each id operation; 422 for bad input; refuses live endpoints at private and loopback addresses', async () => {
    expectStatus(await testClient.get(MISSING_ENDPOINT), 404, 'webhook_endpoint_not_found');
    expectStatus(await patch(testClient, MISSING_ENDPOINT, { disabled: true }), 404, 'webhook_endpoint_not_found');
    expectStatus(await del(testClient, MISSING_ENDPOINT), 404, 'webhook_endpoint_not_found');
    expectStatus(await testClient.post(`${MISSING_ENDPOINT}/rotate_secret`, undefined), 404, 'webhook_endpoint_not_found');
    expectStatus(await testClient.get(`${ENDPOINTS}/not-a-uuid`), 404, 'webhook_endpoint_not_found');
    expectStatus(await testClient.get(MISSING_EVENT), 404, 'event_not_found');
    expectStatus(
      await testClient.post(`${MISSING_EVENT}/redeliver`, { endpoint_id: '00000000-0000-4000-8000-000000000000' }),
      404,
      'event_not_found',
    );

    expectStatus(await testClient.post(ENDPOINTS, { enabled_events: ['*'] }), 422, 'missing_required_field');
    expectStatus(
      await testClient.post(ENDPOINTS, { url: 'http://localhost/x', enabled_events: ['message.opened'] }),
      422,
      'invalid_field_value',
    );
    expectStatus(await testClient.post(ENDPOINTS, { url: 'ftp://example.com/x', enabled_events: ['*'] }), 422, 'webhook_url_invalid');
    expectStatus(
      await testClient.post(ENDPOINTS, { url: 'https://user:pw@example.com/x', enabled_events: ['*'] }),
      422,
      'webhook_url_invalid',
    );
    expectStatus(await liveClient.post(ENDPOINTS, { url: 'http://example.com/x', enabled_events: ['*'] }), 422, 'webhook_url_invalid');
    // Test mode allows loopback (a local receiver), not the rest of a private network.
    expectStatus(
      await testClient.post(ENDPOINTS, { url: 'http://169.254.169.254/latest/meta-data', enabled_events: ['*'] }),
      422,
      'webhook_url_forbidden',
    );
    expectStatus(
      await testClient.post(ENDPOINTS, { url: 'http://10.0.0.8:8080/hook', enabled_events: ['*'] }),
      422,
      'webhook_url_forbidden',
    );
    for (const url of [
      'https://127.0.0.1/x',
      'https://10.1.2.3/x',
      'https://192.168.0.10/x',
      'https://169.254.169.254/latest',
      'https://[::1]/x',
      'https://[fd00::1]/x',
      'https://100.64.0.1/x',
      'https://localhost/x',
      'https://[::ffff:127.0.0.1]/x',
    ]) {
      const res = await liveClient.post(ENDPOINTS, { url, enabled_events: ['*'] });
      expectStatus(res, 422, 'webhook_url_forbidden');
      expect(res.body.error.param).to.equal('url');
    }
    const live = await liveClient.post(ENDPOINTS, { url: 'https://93.184.215.14/hook', enabled_events: ['*'] });
    expectStatus(live, 201);
    expect(live.body.livemode).to.equal(true);
    expectStatus(await patch(liveClient, `${ENDPOINTS}/${live.body.id}`, { url: 'https://172.16.5.4/x' }), 422, 'webhook_url_forbidden');

    expectStatus(await testClient.get(`${ENDPOINTS}?limit=0`), 422, 'invalid_field_value');
    expectStatus(await testClient.get(`${ENDPOINTS}?cursor=garbage`), 422, 'invalid_field_value');
    expectStatus(await testClient.get(`${EVENTS}?limit=101`), 422, 'invalid_field_value');
    expectStatus(await testClient.get(`${EVENTS}?created_gte=yesterday`), 422, 'invalid_field_value');
  });

  it('422 webhook_endpoint_limit_reached after 16 endpoints', async () => {
    const t = await newTenant(harness.db);
    const c = harness.server.anonymous.withKey((await t.key({ scopes: [...SCOPES], rateLimitPerMinute: 1000 })).plaintext);
    for (let i = 0; i < 16; i++) expectStatus(await c.post(ENDPOINTS, { url: `http://localhost:9/${i}`, enabled_events: ['*'] }), 201);
    expectStatus(await c.post(ENDPOINTS, { url: 'http://localhost:9/17', enabled_events: ['*'] }), 422, 'webhook_endpoint_limit_reached');
  });

  it('events: 200 list (filters) and get with attempts; 202 redeliver; 422 unknown endpoint', async () => {
    const t = await newTenant(harness.db);
    const c = harness.server.anonymous.withKey(
      (await t.key({ scopes: ['whatsapp:send', 'webhooks:manage'], rateLimitPerMinute: 1000 })).plaintext,
    );
    const endpoint = (await c.post(ENDPOINTS, { url: 'http://127.0.0.1:9/unreachable', enabled_events: ['message.received'] })).body;
    const inbound = await c.post('/v1/whatsapp/sandbox/inbound', {
      agent_id: t.agent.id,
      from: t.from,
      to: randomE164(),
      text: { body: 'Where is my order?' },
    });
    expectStatus(inbound, 200);
    const list = await c.get(
      `${EVENTS}?type=message.received&created_gte=${new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z')}`,
    );
    expectStatus(list, 200);
    expect(list.body.data).to.have.length(1);
    const event = list.body.data[0];
    expect(event).to.include({ object: 'event', type: 'message.received', livemode: false });
    expect(event.data.object).to.include({
      direction: 'inbound',
      conversation_id: inbound.body.conversation_id,
      from: inbound.body.to,
      to: t.from,
      type: 'text',
    });
    expect(event.data.object.text).to.deep.equal({ body: 'Where is my order?' });
    // `type` is an open enumeration: a type this version does not know matches nothing.
    const unknownType = await c.get(`${EVENTS}?type=message.opened`);
    expectStatus(unknownType, 200);
    expect(unknownType.body.data).to.have.length(0);
    expectStatus(await c.get(`${EVENTS}?created_lt=2000-01-01T00:00:00Z`), 200);
    expect((await c.get(`${EVENTS}?created_lt=2000-01-01T00:00:00Z`)).body.data).to.have.length(0);

    const got = await c.get(`${EVENTS}/${event.id}`);
    expectStatus(got, 200);
    expect(got.body.delivery_attempts).to.be.an('array');
    const redelivered = await c.post(`${EVENTS}/${event.id}/redeliver`, { endpoint_id: endpoint.id });
    expectStatus(redelivered, 202);
    expect(redelivered.body).to.deep.equal({ object: 'event_redelivery', event_id: event.id, endpoint_id: endpoint.id, status: 'queued' });
    expectStatus(
      await c.post(`${EVENTS}/${event.id}/redeliver`, { endpoint_id: '00000000-0000-4000-8000-000000000000' }),
      422,
      'webhook_endpoint_unknown',
    );
    expectStatus(await c.post(`${EVENTS}/${event.id}/redeliver`, {}), 422, 'missing_required_field');
    // Another tenant sees neither the event nor the endpoint.
    expectStatus(await testClient.get(`${EVENTS}/${event.id}`), 404, 'event_not_found');
  });

  describe('the statuses every operation shares', () => {
    type Call = (c: ContractClient) => Promise<ContractResponse>;
    const id = '00000000-0000-4000-8000-000000000000';
    const calls: Record<string, Call> = {
      createWebhookEndpoint: (c) => c.post(ENDPOINTS, { url: 'http://localhost:9/x', enabled_events: ['*'] }),
      listWebhookEndpoints: (c) => c.get(ENDPOINTS),
      getWebhookEndpoint: (c) => c.get(`${ENDPOINTS}/${id}`),
      updateWebhookEndpoint: (c) => patch(c, `${ENDPOINTS}/${id}`, { disabled: false }),
      deleteWebhookEndpoint: (c) => del(c, `${ENDPOINTS}/${id}`),
      rotateWebhookEndpointSecret: (c) => c.post(`${ENDPOINTS}/${id}/rotate_secret`, undefined),
      listEvents: (c) => c.get(EVENTS),
      getEvent: (c) => c.get(MISSING_EVENT),
      redeliverEvent: (c) => c.post(`${MISSING_EVENT}/redeliver`, { endpoint_id: id }),
    };
    const withBody = {
      createWebhookEndpoint: ENDPOINTS,
      updateWebhookEndpoint: `${ENDPOINTS}/${id}`,
      redeliverEvent: `${MISSING_EVENT}/redeliver`,
    } as const;
    let key: string;
    before(async () => {
      key = (await tenant.key({ scopes: [...SCOPES], rateLimitPerMinute: 1000 })).plaintext;
    });

    it('401 without a key, 403 without the scope, 403 on a plan without API access', async () => {
      const readOnly = harness.server.anonymous.withKey((await tenant.key({ scopes: ['whatsapp:send', 'whatsapp:read'] })).plaintext);
      const free = await newTenant(harness.db, { plan: 'free' });
      const freeClient = harness.server.anonymous.withKey((await free.key({ scopes: [...SCOPES] })).plaintext);
      for (const [name, call] of Object.entries(calls)) {
        expectStatus(await call(harness.server.anonymous), 401, 'invalid_api_key');
        const forbidden = await call(readOnly);
        expectStatus(forbidden, 403, 'insufficient_scope');
        expect(forbidden.body.error.required_scope, name).to.equal('webhooks:manage');
        expectStatus(await call(freeClient), 403, 'plan_upgrade_required');
      }
    });

    it('400, 413 and 415 for the operations with a body', async () => {
      const c = harness.server.anonymous.withKey(key);
      for (const [name, path] of Object.entries(withBody)) {
        const method = name === 'updateWebhookEndpoint' ? 'PATCH' : 'POST';
        expectStatus(
          await c.request(method, path, { body: '{"url":', headers: { 'Content-Type': 'application/json' } }),
          400,
          'invalid_json',
        );
        expectStatus(
          await c.request(method, path, {
            body: JSON.stringify({ padding: 'x'.repeat(70_000) }),
            headers: { 'Content-Type': 'application/json' },
          }),
          413,
          'request_body_too_large',
        );
        expectStatus(
          await c.request(method, path, { body: 'url=x', headers: { 'Content-Type': 'text/plain' } }),
          415,
          'unsupported_media_type',
        );
      }
    });

    it('429 when the key is over its per-minute limit', async function () {
      // It may wait for the next minute (awayFromMinuteBoundary): up to 10 s more than the default.
      this.timeout(30_000);
      for (const call of Object.values(calls)) {
        const c = harness.server.anonymous.withKey((await tenant.key({ scopes: [...SCOPES], rateLimitPerMinute: 1 })).plaintext);
        await awayFromMinuteBoundary(harness.db);
        await call(c);
        expectStatus(await call(c), 429, 'rate_limit_exceeded');
      }
    });

    it('500 when a handler fails, 501 without a handler', async () => {
      const failing = async () => {
        throw new Error('boom: secret internals');
      };
      const handlers = Object.fromEntries(Object.keys(calls).map((name) => [name, failing])) as Implementations;
      const broken = await startServer({ db: harness.db, handlers, apiKey: key });
      const bare = await startServer({ db: harness.db, handlers: {}, apiKey: key });
      try {
        for (const call of Object.values(calls)) {
          const res = await call(broken.api);
          expectStatus(res, 500, 'internal_error');
          expect(res.text).not.to.include('boom');
          expectStatus(await call(bare.api), 501, 'not_implemented');
        }
      } finally {
        await broken.close();
        await bare.close();
      }
    });

    it('503 when the database is unreachable', async function () {
      this.timeout(60_000);
      const db = unreachableDatabase(1);
      const server = await startServer({ db, apiKey: key });
      try {
        for (const call of Object.values(calls)) expectStatus(await call(server.api), 503, 'service_unavailable');
      } finally {
        await server.close();
        await db.destroy();
      }
    });
  });
});
