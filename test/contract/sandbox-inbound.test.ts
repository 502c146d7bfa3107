/**
 * POST /v1/whatsapp/sandbox/inbound: a test key plays the customer, so the 24-hour window of a
 * sandbox number opens and free-form sends can be tried without Meta. Every status the contract
 * documents for it, produced for real and validated by the contract client; and what it must
 * never do (open a window for live sends on a number connected to WhatsApp).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createConnection } from '../../server/src/domain/agents.ts';
import { SecretBox } from '../../server/src/domain/secrets.ts';
import type { Implementations } from '../../server/src/operations/context.ts';
import type { ContractClient, ContractResponse } from '../support/contract.ts';
import { harness, startServer, unreachableDatabase } from '../support/harness.ts';
import { awayFromMinuteBoundary, newTenant, randomE164, type Tenant } from '../support/tenants.ts';

const INBOUND = '/v1/whatsapp/sandbox/inbound';
const MESSAGES = '/v1/whatsapp/messages';

function expectStatus(res: ContractResponse, status: number, code?: string): void {
  expect(res.status, res.text).to.equal(status);
  if (code !== undefined) expect(res.body.error.code).to.equal(code);
}

describe('simulateWhatsAppInboundMessage (sandbox)', () => {
  let tenant: Tenant;
  let client: ContractClient;
  const body = (overrides: Record<string, unknown> = {}) => ({
    agent_id: tenant.agent.id,
    from: tenant.from,
    to: randomE164(),
    ...overrides,
  });

  before(async () => {
    tenant = await newTenant(harness.db);
    client = harness.server.anonymous.withKey((await tenant.key({ rateLimitPerMinute: 1000 })).plaintext);
  });

  it('200: records the message and opens the window; a text send to that customer is then accepted', async () => {
    const to = randomE164();
    const before = await client.post(MESSAGES, { agent_id: tenant.agent.id, from: tenant.from, to, text: { body: 'hi' } });
    expectStatus(before, 422, 'customer_service_window_closed');
    const res = await client.post(INBOUND, { agent_id: tenant.agent.id, from: tenant.from, to, text: { body: 'Is my order on its way?' } });
    expectStatus(res, 200);
    expect(res.body).to.include({ agent_id: tenant.agent.id, from: tenant.from, to });
    expect(res.body.window.open).to.equal(true);
    expect(res.body.window.last_inbound_at).to.equal(res.body.received_at);
    expect(Date.parse(res.body.window.expires_at) - Date.parse(res.body.received_at)).to.equal(24 * 3600 * 1000);
    const sent = await client.post(MESSAGES, { agent_id: tenant.agent.id, from: tenant.from, to, text: { body: 'It is.' } });
    expectStatus(sent, 202);
    expect(sent.body.conversation_id).to.equal(res.body.conversation_id);
    const stored = await harness.db('inbound_messages').where({ conversation_id: res.body.conversation_id }).first('content', 'type');
    expect(stored).to.deep.equal({ type: 'text', content: { body: 'Is my order on its way?', simulated: true } });
  });

  it('200 without a text: the customer says "Hello"; again: the window is extended', async () => {
    const to = randomE164();
    const first = await client.post(INBOUND, { agent_id: tenant.agent.id, from: tenant.from, to });
    expectStatus(first, 200);
    const second = await client.post(INBOUND, { agent_id: tenant.agent.id, from: tenant.from, to });
    expectStatus(second, 200);
    expect(second.body.conversation_id).to.equal(first.body.conversation_id);
    expect(Date.parse(second.body.window.expires_at)).to.be.at.least(Date.parse(first.body.window.expires_at));
  });

  it('400 invalid_json, 401 invalid_api_key, 413 request_body_too_large, 415 unsupported_media_type', async () => {
    const json = { 'Content-Type': 'application/json' };
    expectStatus(await client.request('POST', INBOUND, { body: '{"agent_id":', headers: json }), 400, 'invalid_json');
    expectStatus(await harness.server.anonymous.post(INBOUND, body()), 401, 'invalid_api_key');
    expectStatus(
      await client.request('POST', INBOUND, { body: JSON.stringify({ ...body(), padding: 'x'.repeat(70_000) }), headers: json }),
      413,
      'request_body_too_large',
    );
    expectStatus(
      await client.request('POST', INBOUND, { body: 'hello', headers: { 'Content-Type': 'text/plain' } }),
      415,
      'unsupported_media_type',
    );
  });

  it('403 test_key_required for a live key, and nothing is recorded', async () => {
    const live = harness.server.anonymous.withKey((await tenant.key({ environment: 'live' })).plaintext);
    const to = randomE164();
    expectStatus(await live.post(INBOUND, body({ to })), 403, 'test_key_required');
    expect(await harness.db('conversations').where({ business_number: tenant.from, customer_number: to }).first()).to.equal(undefined);
  });

  it('403 insufficient_scope, agent_not_authorized, plan_upgrade_required', async () => {
    const readOnly = harness.server.anonymous.withKey((await tenant.key({ scopes: ['whatsapp:read'] })).plaintext);
    expectStatus(await readOnly.post(INBOUND, body()), 403, 'insufficient_scope');
    const other = await tenant.addAgent();
    const restricted = harness.server.anonymous.withKey((await tenant.key({ agentIds: [other.id] })).plaintext);
    expectStatus(await restricted.post(INBOUND, body()), 403, 'agent_not_authorized');
    const free = await newTenant(harness.db, { plan: 'free' });
    const freeClient = harness.server.anonymous.withKey((await free.key()).plaintext);
    expectStatus(
      await freeClient.post(INBOUND, { agent_id: free.agent.id, from: free.from, to: randomE164() }),
      403,
      'plan_upgrade_required',
    );
  });

  it('422: field validation, an unknown agent, a number of another agent, a number connected to WhatsApp', async () => {
    expectStatus(await client.post(INBOUND, { agent_id: tenant.agent.id, from: tenant.from }), 422, 'missing_required_field');
    expectStatus(await client.post(INBOUND, body({ priority: 'high' })), 422, 'unknown_field');
    expectStatus(await client.post(INBOUND, body({ agent_id: 'not-a-uuid' })), 422, 'invalid_agent_id');
    expectStatus(await client.post(INBOUND, body({ to: '555' })), 422, 'invalid_phone_number');
    expectStatus(await client.post(INBOUND, body({ from: '555' })), 422, 'invalid_from_phone');
    expectStatus(await client.post(INBOUND, body({ text: { body: '' } })), 422, 'invalid_text_body');
    expectStatus(await client.post(INBOUND, body({ agent_id: randomUUID() })), 422, 'agent_not_found');
    const elsewhere = await newTenant(harness.db);
    expectStatus(await client.post(INBOUND, body({ agent_id: elsewhere.agent.id })), 422, 'agent_not_found');
    const wrong = await client.post(INBOUND, body({ from: elsewhere.from }));
    expectStatus(wrong, 422, 'from_phone_not_found_for_agent');
    expect(wrong.body.error.available_phones).to.deep.equal([tenant.from]);

    const real = randomE164();
    const secrets = new SecretBox(randomBytes(32));
    await createConnection(
      harness.db,
      { agentId: tenant.agent.id, phoneNumber: real, phoneNumberId: String(Date.now()), accessToken: 'EAAG-test' },
      secrets,
    );
    const to = randomE164();
    const refused = await client.post(INBOUND, body({ from: real, to }));
    expectStatus(refused, 422, 'sandbox_number_required');
    expect(refused.body.error.param).to.equal('from');
    expect(await harness.db('conversations').where({ business_number: real, customer_number: to }).first()).to.equal(undefined);
  });

  it('429 rate_limit_exceeded', async function () {
    // It may wait for the next minute (awayFromMinuteBoundary): up to 10 s more than the default.
    this.timeout(30_000);
    const limited = harness.server.anonymous.withKey((await tenant.key({ rateLimitPerMinute: 1 })).plaintext);
    await awayFromMinuteBoundary(harness.db);
    expectStatus(await limited.post(INBOUND, body()), 200);
    expectStatus(await limited.post(INBOUND, body()), 429, 'rate_limit_exceeded');
  });

  describe('with test-only handler maps and an unreachable database', () => {
    let key: string;
    before(async () => {
      key = (await tenant.key({ rateLimitPerMinute: 1000 })).plaintext;
    });

    it('500 internal_error when the handler fails', async () => {
      const handlers: Implementations = {
        simulateWhatsAppInboundMessage: async () => {
          throw new Error('boom: secret internals');
        },
      };
      const server = await startServer({ db: harness.db, handlers, apiKey: key });
      try {
        const res = await server.api.post(INBOUND, body());
        expectStatus(res, 500, 'internal_error');
        expect(res.text).not.to.include('boom');
      } finally {
        await server.close();
      }
    });

    it('501 not_implemented without a handler', async () => {
      const server = await startServer({ db: harness.db, handlers: {}, apiKey: key });
      try {
        expectStatus(await server.api.post(INBOUND, body()), 501, 'not_implemented');
      } finally {
        await server.close();
      }
    });

    it('503 service_unavailable when the database is unreachable', async function () {
      this.timeout(30_000);
      const db = unreachableDatabase(1);
      const server = await startServer({ db, apiKey: key });
      try {
        const res = await server.api.post(INBOUND, body());
        expectStatus(res, 503, 'service_unavailable');
      } finally {
        await server.close();
        await db.destroy();
      }
    });
  });
});
