import { expect } from 'chai';
import { generateApiKey } from '../../server/src/domain/api-keys/key-format.ts';
import { revokeApiKey } from '../../server/src/domain/api-keys/store.ts';
import { requestExample, type ContractClient, type ContractResponse } from '../support/contract.ts';
import { harness } from '../support/harness.ts';
import { awayFromMinuteBoundary, newTenant, type Tenant } from '../support/tenants.ts';

const MESSAGES = '/v1/whatsapp/messages';
const TEMPLATES = '/v1/whatsapp/templates';
const SOME_MESSAGE = `${MESSAGES}/01c45011-d803-4eb0-a762-3228a4c392f3`;

function templateFor(tenant: Pick<Tenant, 'from'>, agentId: string): Record<string, unknown> {
  const example = requestExample('sendWhatsAppTemplate', 'named') as Record<string, unknown>;
  return { ...example, agent_id: agentId, from: tenant.from };
}

function expectError(res: ContractResponse, status: number, type: string, code: string): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.body.error).to.include({ type, code });
}

/** Past authentication, plan, scope and rate limit: whatever the operation answers then. */
function expectAuthenticated(res: ContractResponse): void {
  expect([401, 403, 429], res.text).not.to.include(res.status);
}

function expectRateHeaders(res: ContractResponse, limit: number): void {
  expect(res.headers.get('x-ratelimit-limit')).to.equal(String(limit));
  expect(Number(res.headers.get('x-ratelimit-remaining'))).to.be.within(0, limit);
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  expect(reset % 60, 'windows end on a minute').to.equal(0);
  expect(reset - Date.now() / 1000).to.be.within(-2, 62);
}

describe('authentication', () => {
  let tenant: Tenant;
  let api: ContractClient;

  before(async () => {
    tenant = await newTenant(harness.db);
    api = harness.server.anonymous;
  });

  describe('401 invalid_api_key', () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['no Authorization header', {}],
      ['an empty Authorization header', { Authorization: '' }],
      ['the Basic scheme', { Authorization: 'Basic bWs6c2VjcmV0' }],
      ['Bearer without a key', { Authorization: 'Bearer ' }],
      ['a key of another format', { Authorization: 'Bearer sk_live_51H8dQ2eZvKYlo2C0abcdefgh' }],
      ['an environment that does not exist', { Authorization: 'Bearer mk_prod_8aB3cDe4FgH5iJ6kLm7nOp_1f0c2e9a7b' }],
      ['a truncated key', { Authorization: 'Bearer mk_live_8aB3cDe4FgH5iJ6kLm7nOp_1f0c2e9a7' }],
      ['a key whose checksum does not match', { Authorization: 'Bearer mk_live_8aB3cDe4FgH5iJ6kLm7nOp_a1b2c3d4e5' }],
    ];
    for (const [what, headers] of cases) {
      it(`for ${what}, on every /v1 operation`, async () => {
        for (const res of [
          await api.get(SOME_MESSAGE, { headers }),
          await api.post(TEMPLATES, templateFor(tenant, tenant.agent.id), { headers }),
          await api.post(MESSAGES, requestExample('sendWhatsAppMessage', 'reply'), { headers }),
        ]) {
          expectError(res, 401, 'authentication_error', 'invalid_api_key');
          expect(res.headers.get('x-ratelimit-limit'), 'no per-key limit without a key').to.equal(null);
        }
      });
    }

    it('for a well-formed key with a valid checksum that was never issued', async () => {
      const unknown = generateApiKey('live').plaintext;
      expectError(await api.withKey(unknown).get(SOME_MESSAGE), 401, 'authentication_error', 'invalid_api_key');
    });

    it('accepts the scheme name in any case', async () => {
      const { plaintext } = await tenant.key();
      expectAuthenticated(await api.get(SOME_MESSAGE, { headers: { Authorization: `bearer ${plaintext}` } }));
    });
  });

  it('answers 401 revoked_api_key on the very next request after a revocation', async () => {
    const { plaintext, record } = await tenant.key();
    const client = api.withKey(plaintext);
    expectAuthenticated(await client.get(SOME_MESSAGE));
    expect(await revokeApiKey(harness.db, record.id, 'leaked')).to.equal(true);
    expectError(await client.get(SOME_MESSAGE), 401, 'authentication_error', 'revoked_api_key');
    expectError(await client.post(TEMPLATES, templateFor(tenant, tenant.agent.id)), 401, 'authentication_error', 'revoked_api_key');
  });

  it('answers 401 expired_api_key once the expiry has passed', async () => {
    const { plaintext } = await tenant.key({ expiresAt: new Date(Date.now() - 1000) });
    const res = await api.withKey(plaintext).get(SOME_MESSAGE);
    expectError(res, 401, 'authentication_error', 'expired_api_key');
    expect(res.headers.get('x-ratelimit-limit')).to.equal(null);
  });

  it('accepts a key whose expiry is in the future', async () => {
    const { plaintext } = await tenant.key({ expiresAt: new Date(Date.now() + 3_600_000) });
    expectAuthenticated(await api.withKey(plaintext).get(SOME_MESSAGE));
  });

  it('records last_used_at', async () => {
    const { plaintext, record } = await tenant.key();
    expect(record.lastUsedAt).to.equal(null);
    await api.withKey(plaintext).get(SOME_MESSAGE);
    const row = await harness.db('api_keys').where({ id: record.id }).first('last_used_at');
    expect(row.last_used_at).to.be.instanceOf(Date);
  });
});

describe('permissions', () => {
  let tenant: Tenant;

  before(async () => {
    tenant = await newTenant(harness.db);
  });

  it('answers 403 insufficient_scope with required_scope for sends without whatsapp:send', async () => {
    const { plaintext } = await tenant.key({ scopes: ['whatsapp:read'] });
    const client = harness.server.anonymous.withKey(plaintext);
    for (const res of [
      await client.post(TEMPLATES, templateFor(tenant, tenant.agent.id)),
      await client.post(MESSAGES, {
        ...(requestExample('sendWhatsAppMessage', 'reply') as object),
        agent_id: tenant.agent.id,
        from: tenant.from,
      }),
    ]) {
      expectError(res, 403, 'permission_error', 'insufficient_scope');
      expect(res.body.error.required_scope).to.equal('whatsapp:send');
      expectRateHeaders(res, 60);
    }
    expectAuthenticated(await client.get(SOME_MESSAGE));
  });

  it('answers 403 insufficient_scope naming whatsapp:read for a status lookup with neither WhatsApp scope', async () => {
    const { plaintext } = await tenant.key({ scopes: ['messenger:send', 'instagram:send'] });
    const res = await harness.server.anonymous.withKey(plaintext).get(SOME_MESSAGE);
    expectError(res, 403, 'permission_error', 'insufficient_scope');
    expect(res.body.error.required_scope).to.equal('whatsapp:read');
  });

  it('lets whatsapp:send read statuses, and * do everything', async () => {
    for (const scopes of [['whatsapp:send'], ['*']] as const) {
      const { plaintext } = await tenant.key({ scopes: [...scopes] });
      const client = harness.server.anonymous.withKey(plaintext);
      expectAuthenticated(await client.get(SOME_MESSAGE));
      expectAuthenticated(await client.post(TEMPLATES, templateFor(tenant, tenant.agent.id)));
    }
  });

  for (const plan of ['free', 'starter'] as const) {
    it(`answers 403 plan_upgrade_required for an organization on the ${plan} plan`, async () => {
      const small = await newTenant(harness.db, { plan });
      const { plaintext } = await small.key();
      const client = harness.server.anonymous.withKey(plaintext);
      for (const res of [await client.get(SOME_MESSAGE), await client.post(TEMPLATES, templateFor(small, small.agent.id))]) {
        expectError(res, 403, 'permission_error', 'plan_upgrade_required');
        expect(res.body.error.required_plan).to.equal('professional');
      }
    });
  }

  it('lets plans above Professional in', async () => {
    for (const plan of ['business', 'enterprise'] as const) {
      const big = await newTenant(harness.db, { plan });
      expectAuthenticated(await harness.server.anonymous.withKey((await big.key()).plaintext).get(SOME_MESSAGE));
    }
  });

  describe('agents', () => {
    it('answers 403 agent_not_authorized for an agent outside the key allow-list', async () => {
      const other = await tenant.addAgent();
      const { plaintext } = await tenant.key({ agentIds: [tenant.agent.id] });
      const client = harness.server.anonymous.withKey(plaintext);
      const res = await client.post(TEMPLATES, templateFor(tenant, other.id));
      expectError(res, 403, 'permission_error', 'agent_not_authorized');
      expect(res.body.error.param).to.equal('agent_id');
      expectRateHeaders(res, 60);
      expectAuthenticated(await client.post(TEMPLATES, templateFor(tenant, tenant.agent.id)));
    });

    it('lets a key without an allow-list act for agents created after it', async () => {
      const { plaintext } = await tenant.key();
      const later = await tenant.addAgent('Created later');
      expectAuthenticated(await harness.server.anonymous.withKey(plaintext).post(TEMPLATES, templateFor(tenant, later.id)));
    });

    it("answers another organization's agent exactly like an agent that does not exist", async () => {
      const stranger = await newTenant(harness.db);
      const client = harness.server.anonymous.withKey((await tenant.key()).plaintext);
      const foreign = await client.post(TEMPLATES, templateFor(tenant, stranger.agent.id));
      const missing = await client.post(TEMPLATES, templateFor(tenant, 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'));
      for (const res of [foreign, missing]) {
        expectError(res, 422, 'validation_error', 'agent_not_found');
        expect(res.body.error.param).to.equal('agent_id');
      }
      const shape = (res: ContractResponse) => ({ ...res.body.error, correlation_id: undefined, message: undefined });
      expect(shape(foreign)).to.deep.equal(shape(missing));
    });
  });
});

describe('rate limits', () => {
  it('puts X-RateLimit-* on every response to a usable key, errors included', async function () {
    // It may wait for the next minute (awayFromMinuteBoundary): up to 10 s more than the default.
    this.timeout(30_000);
    const tenant = await newTenant(harness.db);
    const { plaintext } = await tenant.key({ rateLimitPerMinute: 1000 });
    const client = harness.server.anonymous.withKey(plaintext);
    await awayFromMinuteBoundary(harness.db);
    const responses = [
      await client.get(SOME_MESSAGE),
      await client.post(TEMPLATES, { agent_id: 'not-a-uuid' }),
      await client.request('POST', TEMPLATES, { body: '{', headers: { 'Content-Type': 'application/json' } }),
    ];
    expect(responses.map((r) => r.status)).to.deep.equal([404, 422, 400]);
    for (const res of responses) expectRateHeaders(res, 1000);
    const remaining = responses.map((r) => Number(r.headers.get('x-ratelimit-remaining')));
    expect(remaining, 'every request counts').to.deep.equal([999, 998, 997]);
  });

  it('answers 429 rate_limit_exceeded with Retry-After once the per-key limit is used up', async function () {
    // It may wait for the next minute (awayFromMinuteBoundary): up to 10 s more than the default.
    this.timeout(30_000);
    const tenant = await newTenant(harness.db);
    const limited = await tenant.key({ rateLimitPerMinute: 3 });
    const neighbour = await tenant.key({ rateLimitPerMinute: 3 });
    await awayFromMinuteBoundary(harness.db);
    const client = harness.server.anonymous.withKey(limited.plaintext);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await client.get(SOME_MESSAGE);
      statuses.push(res.status);
      expect(res.headers.get('x-ratelimit-remaining')).to.equal(String(2 - i));
    }
    expect(statuses).not.to.include(429);
    const refused = await client.get(SOME_MESSAGE);
    expectError(refused, 429, 'rate_limit_error', 'rate_limit_exceeded');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).to.be.within(1, 60);
    expect(refused.headers.get('x-ratelimit-remaining')).to.equal('0');
    expect(Number(refused.headers.get('x-ratelimit-reset')) - Date.now() / 1000).to.be.closeTo(retryAfter, 2);
    expectError(await client.post(TEMPLATES, templateFor(tenant, tenant.agent.id)), 429, 'rate_limit_error', 'rate_limit_exceeded');
    // Each key has its own counter.
    expectAuthenticated(await harness.server.anonymous.withKey(neighbour.plaintext).get(SOME_MESSAGE));
  });

  it('defaults to 60 requests per minute', async () => {
    const tenant = await newTenant(harness.db);
    const res = await harness.server.anonymous.withKey((await tenant.key()).plaintext).get(SOME_MESSAGE);
    expectRateHeaders(res, 60);
    expect(res.headers.get('x-ratelimit-remaining')).to.equal('59');
  });
});
