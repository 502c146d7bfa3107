/**
 * Retries, idempotency keys across retries, timeouts and forward compatibility, through a
 * fault-injecting proxy on loopback in front of the run's real server (test/sdk/support.ts).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  createMojeebClient,
  MojeebApiError,
  MojeebConnectionError,
  MojeebInternalError,
  MojeebPermissionError,
  MojeebRateLimitError,
  MojeebTimeoutError,
  MojeebUpstreamError,
  MojeebValidationError,
  type MojeebClientOptions,
} from '@mojeeb/sdk';
import { backoffDelayMs, retryAfterMs, type RetryPolicy } from '../../sdk/src/retry.ts';
import { harness } from '../support/harness.ts';
import { randomE164 } from '../support/tenants.ts';
import {
  errorAnswer,
  messagesTo,
  sdkTenant,
  startFaultProxy,
  templateTo,
  validatingFetch,
  type FaultProxy,
  type ProxyAction,
} from './support.ts';

const FORWARD: ProxyAction = { kind: 'forward' };
const rateLimitHeaders = () => ({
  'X-RateLimit-Limit': '60',
  'X-RateLimit-Remaining': '0',
  'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000) + 1),
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, it resolved');
}

describe('SDK: retries and idempotency across them', function () {
  this.timeout(20_000);
  let proxy: FaultProxy | undefined;

  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  async function through(plan: (index: number) => ProxyAction, options: Partial<MojeebClientOptions> = {}) {
    proxy = await startFaultProxy(harness.server.baseUrl, (_request, index) => plan(index));
    // Plain fetch: the answers the proxy makes up are not the server's, and must not count in
    // the contract coverage report (the server's own answers are validated everywhere else).
    const mojeeb = createMojeebClient({
      apiKey: harness.fixture.apiKey,
      baseUrl: proxy.baseUrl,
      initialRetryDelayMs: 10,
      maxRetryDelayMs: 40,
      ...options,
    });
    return { mojeeb, proxy };
  }

  it('429, then 503, then 202: one call succeeds and exactly one message exists', async () => {
    // Attempt 1: the rate limiter in front answers 429 (Retry-After: 1 s). Attempt 2: the server
    // processes the send, but the client gets a 503 (a lost answer). Attempt 3: same key, so the
    // server replays the 202 of attempt 2 instead of sending a second message.
    const { mojeeb, proxy } = await through((index) =>
      index === 0
        ? errorAnswer(429, 'rate_limit_error', 'rate_limit_exceeded', { 'Retry-After': '1', ...rateLimitHeaders() })
        : index === 1
          ? { ...errorAnswer(503, 'upstream_error', 'service_unavailable'), kind: 'forward-then-respond' }
          : FORWARD,
    );
    const to = randomE164();
    const started = Date.now();
    const message = await mojeeb.whatsapp.sendTemplate(templateTo(to));
    const elapsed = Date.now() - started;

    expect(message.status).to.equal('queued');
    expect(message.lastResponse).to.include({ status: 202, attempts: 3, idempotentReplayed: true });
    expect(elapsed, 'Retry-After: 1 was honoured').to.be.at.least(1000);
    const keys = proxy.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).to.have.length(3);
    expect(new Set(keys).size, 'one Idempotency-Key for the three attempts').to.equal(1);
    expect(keys[0]).to.equal(message.lastResponse.idempotencyKey);

    const stored = await messagesTo(to);
    expect(stored.map((m) => m.id)).to.deep.equal([message.id]);
    const read = await createMojeebClient({
      apiKey: harness.fixture.apiKey,
      baseUrl: harness.server.baseUrl,
      fetch: validatingFetch,
    }).whatsapp.getMessage(message.id);
    expect(read.to).to.equal(to);
  });

  it('retries a dropped connection with the same key; one message', async () => {
    const { mojeeb, proxy } = await through((index) => (index === 0 ? { kind: 'drop' } : FORWARD));
    const to = randomE164();
    const message = await mojeeb.whatsapp.sendTemplate(templateTo(to));
    expect(message.lastResponse.attempts).to.equal(2);
    expect(new Set(proxy.requests.map((r) => r.headers['idempotency-key'])).size).to.equal(1);
    expect(await messagesTo(to)).to.have.length(1);
  });

  it('retries 409 idempotency_key_in_progress after its Retry-After', async () => {
    const { mojeeb, proxy } = await through((index) =>
      index === 0 ? errorAnswer(409, 'idempotency_error', 'idempotency_key_in_progress', { 'Retry-After': '0' }) : FORWARD,
    );
    const message = await mojeeb.whatsapp.sendTemplate(templateTo());
    expect(message.lastResponse.attempts).to.equal(2);
    expect(proxy.requests).to.have.length(2);
  });

  it("keeps the caller's Idempotency-Key on every attempt", async () => {
    const { mojeeb, proxy } = await through((index) => (index < 2 ? errorAnswer(500, 'internal_error', 'internal_error') : FORWARD));
    const idempotencyKey = `order-${randomUUID()}`;
    const message = await mojeeb.whatsapp.sendTemplate(templateTo(), { idempotencyKey });
    expect(message.lastResponse).to.include({ idempotencyKey, attempts: 3 });
    expect(proxy.requests.map((r) => r.headers['idempotency-key'])).to.deep.equal([idempotencyKey, idempotencyKey, idempotencyKey]);
  });

  it('the raw client gets a generated Idempotency-Key on POST, reused by its retries', async () => {
    const { mojeeb, proxy } = await through((index) => (index === 0 ? errorAnswer(503, 'upstream_error', 'service_unavailable') : FORWARD));
    const to = randomE164();
    const result = await mojeeb.raw.POST('/v1/whatsapp/templates', { body: templateTo(to) });
    expect(result.response.status).to.equal(202);
    const keys = proxy.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).to.be.a('string').with.length(36);
    expect(keys[1]).to.equal(keys[0]);
    expect(await messagesTo(to)).to.have.length(1);
  });

  it('is bounded: 503 every time gives MojeebUpstreamError after maxRetries + 1 attempts', async () => {
    const { mojeeb, proxy } = await through(() => errorAnswer(503, 'upstream_error', 'service_unavailable'), { maxRetries: 2 });
    const error = await rejection(mojeeb.whatsapp.sendTemplate(templateTo()));
    expect(error).to.be.instanceOf(MojeebUpstreamError);
    expect(error).to.include({ status: 503, code: 'service_unavailable' });
    expect(proxy.requests).to.have.length(3);
  });

  it('500 every time gives MojeebInternalError; maxRetries per call overrides the client’s', async () => {
    const { mojeeb, proxy } = await through(() => errorAnswer(500, 'internal_error', 'internal_error'), { maxRetries: 3 });
    const error = await rejection(mojeeb.whatsapp.getMessage(randomUUID(), { maxRetries: 1 }));
    expect(error).to.be.instanceOf(MojeebInternalError);
    expect(proxy.requests).to.have.length(2);
  });

  it('does not retry 4xx answers, 501, or a Retry-After beyond maxRetryAfterMs', async () => {
    const cases: Array<[ProxyAction, Function]> = [
      [FORWARD, MojeebValidationError], // the real server: 422 template_not_found
      [errorAnswer(501, 'internal_error', 'not_implemented'), MojeebInternalError],
      [errorAnswer(429, 'rate_limit_error', 'rate_limit_exceeded', { 'Retry-After': '3600', ...rateLimitHeaders() }), MojeebRateLimitError],
    ];
    for (const [action, expected] of cases) {
      const { mojeeb, proxy } = await through(() => action, { maxRetries: 3, maxRetryAfterMs: 60_000 });
      const body = templateTo();
      const error = await rejection(mojeeb.whatsapp.sendTemplate({ ...body, template: { ...body.template, name: 'no_such_template' } }));
      expect(error).to.be.instanceOf(expected);
      expect(proxy.requests, expected.name).to.have.length(1);
      await proxy.close();
    }
  });

  it('times out an attempt that never answers, retries it, then throws MojeebTimeoutError', async () => {
    const { mojeeb, proxy } = await through(() => ({ kind: 'hang' }), { timeoutMs: 150, maxRetries: 1 });
    const started = Date.now();
    const error = await rejection(mojeeb.whatsapp.sendTemplate(templateTo()));
    expect(error).to.be.instanceOf(MojeebTimeoutError).and.instanceOf(MojeebConnectionError);
    expect(error).to.include({ attempts: 2, timeoutMs: 150 });
    expect(proxy.requests).to.have.length(2);
    expect(proxy.requests[0]!.headers['idempotency-key']).to.equal((error as MojeebTimeoutError).idempotencyKey);
    expect(Date.now() - started).to.be.below(5_000);
  });

  it("stops at once when the caller's signal aborts, even while waiting to retry", async () => {
    const { mojeeb, proxy } = await through(() => errorAnswer(503, 'upstream_error', 'service_unavailable', { 'Retry-After': '30' }), {
      maxRetries: 5,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const error = await rejection(mojeeb.whatsapp.sendTemplate(templateTo(), { signal: controller.signal }));
    expect((error as Error).name).to.equal('AbortError');
    expect(Date.now() - started).to.be.below(3_000);
    expect(proxy.requests).to.have.length(1);

    const shutdown = new AbortController();
    const reason = new Error('shutting down');
    setTimeout(() => shutdown.abort(reason), 100);
    expect(await rejection(mojeeb.whatsapp.getMessage(randomUUID(), { signal: shutdown.signal }))).to.equal(reason);
  });

  it('computes delays: exponential with jitter up to the cap, Retry-After in full plus jitter', () => {
    const policy: RetryPolicy = { maxRetries: 5, timeoutMs: 1000, initialDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 60_000 };
    expect(backoffDelayMs(policy, 1, null, () => 0)).to.equal(250);
    expect(backoffDelayMs(policy, 1, null, () => 1)).to.equal(500);
    expect(backoffDelayMs(policy, 3, null, () => 1)).to.equal(2000);
    expect(backoffDelayMs(policy, 10, null, () => 1)).to.equal(8000);
    expect(backoffDelayMs(policy, 1, 2000, () => 0)).to.equal(2000);
    expect(backoffDelayMs(policy, 5, 2000, () => 1)).to.equal(3000);
    expect(retryAfterMs('3')).to.equal(3000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString())).to.be.within(3000, 5000);
    expect(retryAfterMs('soon')).to.equal(null);
  });
});

describe('SDK: forward compatibility (codes, types and fields added after this SDK)', function () {
  this.timeout(20_000);
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  /** Rewrites the real server's error envelopes as a later API version might send them. */
  function future(change: (error: Record<string, unknown>) => void): ProxyAction {
    return {
      kind: 'forward-and-rewrite',
      rewrite: (response) => {
        const body = JSON.parse(response.body.toString('utf8') || '{}') as { error?: Record<string, unknown> } & Record<string, unknown>;
        if (body.error) change(body.error);
        else body.added_in_a_later_version = { nested: true }; // a success body: add a field
        return { ...response, body: Buffer.from(JSON.stringify(body)) };
      },
    };
  }

  async function futureClient(action: ProxyAction, apiKey = harness.fixture.apiKey) {
    proxy = await startFaultProxy(harness.server.baseUrl, () => action);
    // Plain fetch: these answers deliberately go beyond today's contract.
    return createMojeebClient({ apiKey, baseUrl: proxy.baseUrl, maxRetries: 0 });
  }

  it('an unknown code of a known type: the type’s class, the code kept as sent', async () => {
    const mojeeb = await futureClient(future((e) => (e.code = 'template_paused_by_meta')));
    const body = templateTo();
    const error = await rejection(mojeeb.whatsapp.sendTemplate({ ...body, template: { ...body.template, name: 'no_such_template' } }));
    expect(error).to.be.instanceOf(MojeebValidationError);
    expect(error).to.include({ code: 'template_paused_by_meta', type: 'validation_error', status: 422, param: 'template.name' });
  });

  it('an unknown type and code, with a new extra field: the class of the HTTP status, extras kept', async () => {
    const mojeeb = await futureClient(
      future((e) => {
        e.type = 'compliance_error';
        e.code = 'recipient_blocked_by_policy';
        e.policy_url = 'https://mojeeb.app/policy';
      }),
      'mk_test_thisIsNotARealKey0000_0000000000',
    );
    const error = await rejection(mojeeb.whatsapp.getMessage(randomUUID()));
    expect(error).to.be.instanceOf(MojeebApiError);
    expect(error).to.include({ status: 401, type: 'compliance_error', code: 'recipient_blocked_by_policy' });
    expect((error as MojeebApiError).extras).to.deep.equal({ policy_url: 'https://mojeeb.app/policy' });
  });

  it('an unknown type on a 403: MojeebPermissionError', async () => {
    const t = await sdkTenant({ scopes: ['whatsapp:read'] });
    const mojeeb = await futureClient(
      future((e) => (e.type = 'entitlement_error')),
      t.apiKey,
    );
    expect(await rejection(mojeeb.whatsapp.sendTemplate(t.template()))).to.be.instanceOf(MojeebPermissionError);
  });

  it('a new field in a message: passed through, nothing breaks', async () => {
    const mojeeb = await futureClient(future(() => {}));
    const message = await mojeeb.whatsapp.sendTemplate(templateTo());
    expect(message.status).to.equal('queued');
    expect(message).to.have.property('added_in_a_later_version');
  });

  it('an answer without the envelope (a proxy’s HTML page): a typed error with code unexpected_response', async () => {
    const mojeeb = await futureClient({
      kind: 'respond',
      status: 502,
      headers: { 'content-type': 'text/html' },
      json: '<html>Bad gateway</html>',
    });
    const error = await rejection(mojeeb.whatsapp.getMessage(randomUUID()));
    expect(error).to.be.instanceOf(MojeebUpstreamError);
    expect(error).to.include({ status: 502, code: 'unexpected_response', type: 'upstream_error', correlationId: null });
    expect((error as Error).message).to.include('Bad gateway');
  });
});
