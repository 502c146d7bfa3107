/**
 * Protocol details the contract documents outside any one operation: UUIDs in any case,
 * the 401 challenge (RFC 6750), the length of an Idempotency-Key in characters, the headers
 * every response carries, and a send to its own number.
 */
import { expect } from 'chai';
import { generateApiKey } from '../../server/src/domain/api-keys/key-format.ts';
import { revokeApiKey } from '../../server/src/domain/api-keys/store.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import type { ContractClient, ContractResponse } from '../support/contract.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164, type Tenant } from '../support/tenants.ts';

const MESSAGES = '/v1/whatsapp/messages';
const TEMPLATES = '/v1/whatsapp/templates';
const SOME_MESSAGE = `${MESSAGES}/01c45011-d803-4eb0-a762-3228a4c392f3`;

interface Sandbox {
  readonly tenant: Tenant;
  readonly client: ContractClient;
  template(overrides?: Record<string, unknown>): Record<string, unknown>;
}

async function sandbox(): Promise<Sandbox> {
  const tenant = await newTenant(harness.db);
  const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
  for (const t of EXAMPLE_TEMPLATES) await upsertTemplate(harness.db, connection.id, templateFromMeta(t));
  const key = await tenant.key({ environment: 'test', rateLimitPerMinute: 100_000 });
  return {
    tenant,
    client: harness.server.anonymous.withKey(key.plaintext),
    template: (overrides = {}) => ({
      agent_id: tenant.agent.id,
      from: tenant.from,
      to: randomE164(),
      template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://t.example/1' } },
      ...overrides,
    }),
  };
}

function expectError(res: ContractResponse, status: number, code: string, param?: string): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.body.error.code).to.equal(code);
  if (param !== undefined) expect(res.body.error.param).to.equal(param);
}

/** A header value fetch sends as these exact bytes: the UTF-8 encoding of `text`. */
const utf8Header = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('protocol details', () => {
  describe('UUIDs in any case', () => {
    it('accepts an upper-case agent_id and answers (and stores) it in lower case', async () => {
      const s = await sandbox();
      const res = await s.client.post(TEMPLATES, s.template({ agent_id: s.tenant.agent.id.toUpperCase() }));
      expect(res.status, res.text).to.equal(202);
      expect(res.body.agent_id).to.equal(s.tenant.agent.id);
      const stored = await harness.db('messages').where({ id: res.body.id }).first('agent_id');
      expect(stored.agent_id).to.equal(s.tenant.agent.id);
    });

    it('applies the agent restriction to the normalised id (an allowed agent in upper case is allowed)', async () => {
      const tenant = await sandbox();
      const key = await tenant.tenant.key({ environment: 'test', agentIds: [tenant.tenant.agent.id] });
      const client = harness.server.anonymous.withKey(key.plaintext);
      const res = await client.post(TEMPLATES, tenant.template({ agent_id: tenant.tenant.agent.id.toUpperCase() }));
      expect(res.status, res.text).to.equal(202);
      const other = await tenant.tenant.addAgent();
      expectError(
        await client.post(TEMPLATES, tenant.template({ agent_id: other.id.toUpperCase() })),
        403,
        'agent_not_authorized',
        'agent_id',
      );
    });

    it('treats a retry that differs only in the case of agent_id as the same request (replayed)', async () => {
      const s = await sandbox();
      const body = s.template();
      const headers = { 'Idempotency-Key': `case-${randomE164()}` };
      const first = await s.client.post(TEMPLATES, body, { headers });
      expect(first.status, first.text).to.equal(202);
      const again = await s.client.post(TEMPLATES, { ...body, agent_id: String(body.agent_id).toUpperCase() }, { headers });
      expect(again.status, again.text).to.equal(202);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      expect(again.body.id).to.equal(first.body.id);
    });

    it('still refuses an agent_id that is not a UUID', async () => {
      const s = await sandbox();
      expectError(
        await s.client.post(TEMPLATES, s.template({ agent_id: 'G2345678-1234-1234-1234-123456789012' })),
        422,
        'invalid_agent_id',
        'agent_id',
      );
    });

    it('finds a message by its id in upper case', async () => {
      const s = await sandbox();
      const sent = await s.client.post(TEMPLATES, s.template());
      expect(sent.status, sent.text).to.equal(202);
      const res = await s.client.get(`${MESSAGES}/${String(sent.body.id).toUpperCase()}`);
      expect(res.status, res.text).to.equal(200);
      expect(res.body.id).to.equal(sent.body.id);
    });
  });

  describe('401 carries WWW-Authenticate (RFC 6750)', () => {
    const api = () => harness.server.anonymous;

    it('Bearer realm="mojeeb" without an error when no bearer token was sent', async () => {
      for (const headers of [{}, { Authorization: 'Basic bWs6c2VjcmV0' }] as Array<Record<string, string>>) {
        const res = await api().get(SOME_MESSAGE, { headers });
        expectError(res, 401, 'invalid_api_key');
        expect(res.headers.get('www-authenticate')).to.equal('Bearer realm="mojeeb"');
      }
    });

    it('error="invalid_token" for a malformed, unknown, revoked or expired key', async () => {
      const tenant = await newTenant(harness.db);
      const revoked = await tenant.key();
      await revokeApiKey(harness.db, revoked.record.id, 'test');
      const expired = await tenant.key({ expiresAt: new Date(Date.now() - 1000) });
      const cases: Array<[string, string]> = [
        ['mk_live_8aB3cDe4FgH5iJ6kLm7nOp_a1b2c3d4e5', 'invalid_api_key'],
        [generateApiKey('live').plaintext, 'invalid_api_key'],
        [revoked.plaintext, 'revoked_api_key'],
        [expired.plaintext, 'expired_api_key'],
      ];
      for (const [key, code] of cases) {
        for (const res of [await api().withKey(key).get(SOME_MESSAGE), await api().withKey(key).post(TEMPLATES, {})]) {
          expectError(res, 401, code);
          expect(res.headers.get('www-authenticate'), code).to.equal('Bearer realm="mojeeb", error="invalid_token"');
        }
      }
    });

    it('is not sent on other errors', async () => {
      const s = await sandbox();
      const res = await s.client.get(SOME_MESSAGE);
      expectError(res, 404, 'message_not_found');
      expect(res.headers.get('www-authenticate')).to.equal(null);
    });
  });

  describe('Idempotency-Key length in characters', () => {
    it('accepts 200 Cyrillic letters (400 bytes of UTF-8), and replays with the same key', async () => {
      const s = await sandbox();
      const key = 'ж'.repeat(200);
      const body = s.template();
      const first = await s.client.post(TEMPLATES, body, { headers: { 'Idempotency-Key': utf8Header(key) } });
      expect(first.status, first.text).to.equal(202);
      const again = await s.client.post(TEMPLATES, body, { headers: { 'Idempotency-Key': utf8Header(key) } });
      expect(again.status, again.text).to.equal(202);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
    });

    it('accepts 255 characters outside the BMP (code points, not UTF-16 units) and refuses 256', async () => {
      const s = await sandbox();
      const ok = await s.client.post(TEMPLATES, s.template(), { headers: { 'Idempotency-Key': utf8Header('😀'.repeat(255)) } });
      expect(ok.status, ok.text).to.equal(202);
      expectError(
        await s.client.post(TEMPLATES, s.template(), { headers: { 'Idempotency-Key': utf8Header('ж'.repeat(256)) } }),
        422,
        'invalid_idempotency_key',
        'Idempotency-Key',
      );
      expectError(
        await s.client.post(TEMPLATES, s.template(), { headers: { 'Idempotency-Key': 'a'.repeat(256) } }),
        422,
        'invalid_idempotency_key',
      );
    });

    it('counts a value that is not UTF-8 byte by byte', async () => {
      const s = await sandbox();
      // 255 bytes of ISO-8859-1 "é" (0xE9), which is not valid UTF-8: 255 characters.
      const res = await s.client.post(TEMPLATES, s.template(), { headers: { 'Idempotency-Key': 'é'.repeat(255) } });
      expect(res.status, res.text).to.equal(202);
    });
  });

  describe('security headers', () => {
    it('X-Content-Type-Options and Referrer-Policy on every response; Cache-Control: no-store on /v1', async () => {
      const s = await sandbox();
      const v1 = [
        await s.client.post(TEMPLATES, s.template()),
        await s.client.get(SOME_MESSAGE),
        await harness.server.anonymous.get(SOME_MESSAGE),
        await s.client.request('DELETE', TEMPLATES),
        await s.client.get('/v1/nothing-here'),
        await s.client.post(MESSAGES, '{"not json', { headers: { 'Content-Type': 'application/json' } }),
      ];
      const service = [
        await harness.api.get('/healthz'),
        await harness.api.get('/openapi.yaml'),
        await harness.api.get('/docs'),
        await harness.api.get('/docs/redoc.standalone.js'),
        await harness.api.get('/not-an-endpoint'),
      ];
      for (const res of [...v1, ...service]) {
        expect(res.headers.get('x-content-type-options'), `${res.status} ${res.text.slice(0, 80)}`).to.equal('nosniff');
        expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
      }
      for (const res of v1) expect(res.headers.get('cache-control'), `${res.status}`).to.equal('no-store');
      expect(service[0]!.headers.get('cache-control')).to.equal(null);
    });
  });

  describe('422 recipient_is_sender', () => {
    it('refuses a template or a text to the sending number itself, before anything is stored', async () => {
      const s = await sandbox();
      const before = await harness
        .db('messages')
        .where({ organization_id: s.tenant.organization.id })
        .count<{ count: string }[]>('* as count');
      expectError(await s.client.post(TEMPLATES, s.template({ to: s.tenant.from })), 422, 'recipient_is_sender', 'to');
      expectError(
        await s.client.post(MESSAGES, { agent_id: s.tenant.agent.id, from: s.tenant.from, to: s.tenant.from, text: { body: 'hi' } }),
        422,
        'recipient_is_sender',
        'to',
      );
      const after = await harness
        .db('messages')
        .where({ organization_id: s.tenant.organization.id })
        .count<{ count: string }[]>('* as count');
      expect(after[0]!.count).to.equal(before[0]!.count);
    });

    it('comes after the fields’ own checks and before the agent restriction', async () => {
      const s = await sandbox();
      expectError(
        await s.client.post(TEMPLATES, s.template({ to: s.tenant.from, template: { name: 'Bad Name', language: 'en' } })),
        422,
        'invalid_template_name',
      );
      const other = await s.tenant.addAgent();
      const key = await s.tenant.key({ environment: 'test', agentIds: [other.id] });
      const restricted = harness.server.anonymous.withKey(key.plaintext);
      expectError(await restricted.post(TEMPLATES, s.template({ to: s.tenant.from })), 422, 'recipient_is_sender', 'to');
    });
  });
});
