/**
 * The SDK's conveniences against the run's real server: apiKey and baseUrl from the environment,
 * unknown options refused, the per-attempt hooks, and waitForStatus (its stopping rules, its
 * timeout, and its share of the key's rate limit).
 */
import { expect } from 'chai';
import {
  createMojeebClient,
  MojeebConfigurationError,
  MojeebWaitTimeoutError,
  type RequestAttemptInfo,
  type ResponseAttemptInfo,
} from '@mojeeb/sdk';
import { rateLimitPauseMs, statusReached } from '../../sdk/src/client.ts';
import { markFailed } from '../../server/src/domain/delivery-status.ts';
import { harness } from '../support/harness.ts';
import { errorAnswer, sdkClient, sdkTenant, startFaultProxy, templateTo, validatingFetch, type FaultProxy } from './support.ts';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, it resolved');
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function withEnvironment<T>(values: Record<string, string | undefined>, run: () => T): T {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  const set = (entries: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(entries)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(values);
  try {
    return run();
  } finally {
    set(saved);
  }
}

describe('SDK: apiKey and baseUrl from the environment', () => {
  it('defaults to MOJEEB_API_KEY and MOJEEB_BASE_URL', async () => {
    const mojeeb = withEnvironment({ MOJEEB_API_KEY: harness.fixture.apiKey, MOJEEB_BASE_URL: harness.server.baseUrl }, () =>
      createMojeebClient({ fetch: validatingFetch }),
    );
    expect(mojeeb.baseUrl).to.equal(harness.server.baseUrl);
    const message = await mojeeb.whatsapp.sendTemplate(templateTo());
    expect(message.status).to.equal('queued');
    expect(String(mojeeb)).to.include('mk_test_[redacted]');
  });

  it('options win over the environment', () => {
    const mojeeb = withEnvironment(
      { MOJEEB_API_KEY: 'mk_test_fromTheEnvironment000_0000000000', MOJEEB_BASE_URL: 'http://127.0.0.1:1' },
      () => createMojeebClient({ apiKey: harness.fixture.apiKey, baseUrl: harness.server.baseUrl }),
    );
    expect(mojeeb.baseUrl).to.equal(harness.server.baseUrl);
  });

  it('without either, the key is a configuration error naming MOJEEB_API_KEY, and the base URL the default', () => {
    withEnvironment({ MOJEEB_API_KEY: undefined, MOJEEB_BASE_URL: undefined }, () => {
      const error = thrown(() => createMojeebClient());
      expect(error).to.be.instanceOf(MojeebConfigurationError);
      expect((error as Error).message).to.include('MOJEEB_API_KEY');
      expect(createMojeebClient({ apiKey: 'mk_test_x0000000000000000000000_0000000000' }).baseUrl).to.equal('https://api.mojeeb.app');
    });
    withEnvironment({ MOJEEB_API_KEY: '  ', MOJEEB_BASE_URL: '' }, () => {
      expect(thrown(() => createMojeebClient())).to.be.instanceOf(MojeebConfigurationError);
    });
  });
});

describe('SDK: unknown options', () => {
  it('are a TypeError naming the option and listing the known ones', () => {
    const error = thrown(() => createMojeebClient({ apiKey: harness.fixture.apiKey, baseURL: 'http://x' } as never));
    expect(error).to.be.instanceOf(TypeError);
    const message = (error as Error).message;
    expect(message).to.include("unknown option 'baseURL'");
    expect(message).to.include("did you mean 'baseUrl'");
    for (const known of ['apiKey', 'baseUrl', 'maxRetries', 'timeoutMs', 'fetch', 'allowBrowser', 'onRequest', 'onResponse'])
      expect(message).to.include(known);
    expect(message).not.to.include(harness.fixture.apiKey);
    const other = thrown(() => createMojeebClient({ apiKey: harness.fixture.apiKey, retries: 3 } as never));
    expect((other as Error).message).to.match(/^createMojeebClient: unknown option 'retries'; the options are /);
  });

  it('hooks must be functions', () => {
    expect(thrown(() => createMojeebClient({ apiKey: harness.fixture.apiKey, onRequest: 'log' as never }))).to.be.instanceOf(
      MojeebConfigurationError,
    );
  });
});

describe('SDK: onRequest and onResponse hooks', function () {
  this.timeout(20_000);
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it('see every attempt: method, URL, attempt number, status, duration, correlation id, retry decision', async () => {
    proxy = await startFaultProxy(harness.server.baseUrl, (_request, index) =>
      index === 0 ? errorAnswer(503, 'upstream_error', 'service_unavailable') : { kind: 'forward' },
    );
    const requests: RequestAttemptInfo[] = [];
    const responses: ResponseAttemptInfo[] = [];
    const mojeeb = sdkClient({
      baseUrl: proxy.baseUrl,
      onRequest: (info) => requests.push(info),
      onResponse: (info) => responses.push(info),
    });
    const message = await mojeeb.whatsapp.sendTemplate(templateTo(), { correlationId: 'crm-hooks-1', idempotencyKey: 'hooks-test-1' });
    expect(requests.map((r) => r.attempt)).to.deep.equal([1, 2]);
    expect(requests[0]).to.deep.equal({
      method: 'POST',
      url: `${proxy.baseUrl}/v1/whatsapp/templates`,
      attempt: 1,
      correlationId: 'crm-hooks-1',
      idempotencyKey: 'hooks-test-1',
    });
    expect(responses.map((r) => [r.attempt, r.status, r.willRetry])).to.deep.equal([
      [1, 503, true],
      [2, 202, false],
    ]);
    expect(responses[0]!.retryDelayMs).to.be.a('number');
    expect(responses[1]!.retryDelayMs).to.equal(null);
    expect(responses[1]!.correlationId).to.equal('crm-hooks-1');
    expect(responses[1]!.rateLimit).to.include.keys('limit', 'remaining', 'reset');
    for (const r of responses) expect(r.durationMs).to.be.a('number').and.at.least(0);
    expect(message.lastResponse.attempts).to.equal(2);
    expect(Object.isFrozen(responses[0])).to.equal(true);
  });

  it('report an attempt without an answer (status null, the reason), and a hook that throws changes nothing', async () => {
    proxy = await startFaultProxy(harness.server.baseUrl, (_request, index) => (index === 0 ? { kind: 'drop' } : { kind: 'forward' }));
    const responses: ResponseAttemptInfo[] = [];
    const mojeeb = sdkClient({
      baseUrl: proxy.baseUrl,
      onRequest: () => {
        throw new Error('a broken logger');
      },
      onResponse: (info) => {
        responses.push(info);
        throw new Error('a broken logger');
      },
    });
    const message = await mojeeb.whatsapp.getMessage((await sdkClient().whatsapp.sendTemplate(templateTo())).id);
    expect(message.status).to.equal('queued');
    expect(responses[0]).to.include({ attempt: 1, status: null, willRetry: true });
    expect(responses[0]!.error).to.be.a('string').and.not.equal('');
    expect(responses[1]).to.include({ attempt: 2, status: 200, error: null, willRetry: false });
  });
});

describe('SDK: whatsapp.waitForStatus', function () {
  this.timeout(30_000);

  it('which statuses end the wait: the awaited one, a later one, or failed', () => {
    expect(statusReached('delivered', ['delivered'])).to.equal(true);
    expect(statusReached('read', ['delivered'])).to.equal(true);
    expect(statusReached('sent', ['delivered'])).to.equal(false);
    expect(statusReached('sent', ['delivered', 'sent'])).to.equal(true);
    expect(statusReached('failed', ['read'])).to.equal(false); // failed ends the wait separately
    expect(statusReached('failed', ['failed'])).to.equal(true);
    expect(statusReached('a_status_added_later', ['read'])).to.equal(false);
  });

  it('the rate-limit pause: a share of what is left, spread over the rest of the window', () => {
    const now = 1_000_000_000_000;
    const reset = now / 1000 + 30; // 30 s left
    expect(rateLimitPauseMs(null, 0.1, now)).to.equal(0);
    expect(rateLimitPauseMs({ remaining: 100, reset }, 0.1, now)).to.equal(3_000); // 10 reads in 30 s
    expect(rateLimitPauseMs({ remaining: 50, reset }, 0.5, now)).to.equal(30_000 / 25);
    expect(rateLimitPauseMs({ remaining: 9, reset }, 0.1, now)).to.be.above(30_000); // less than one read: the next window
    expect(rateLimitPauseMs({ remaining: 0, reset: now / 1000 - 1 }, 0.1, now)).to.be.below(1_000);
  });

  it('resolves once the status reaches `until` (or one after it)', async () => {
    const mojeeb = sdkClient();
    const sent = await mojeeb.whatsapp.sendTemplate(templateTo());
    const waiting = mojeeb.whatsapp.waitForStatus(sent.id, {
      until: 'delivered',
      initialIntervalMs: 50,
      maxIntervalMs: 100,
      timeoutMs: 10_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = new Date();
    await harness.db('messages').where({ id: sent.id }).update({ status: 'read', sent_at: now, delivered_at: now, read_at: now });
    const message = await waiting;
    expect(message.id).to.equal(sent.id);
    expect(message.status).to.equal('read');
    expect(message.lastResponse.status).to.equal(200);
  });

  it('stops on failed, resolving with the failed message', async () => {
    const mojeeb = sdkClient();
    const sent = await mojeeb.whatsapp.sendTemplate(templateTo());
    const waiting = mojeeb.whatsapp.waitForStatus(sent.id, {
      until: ['delivered', 'read'],
      initialIntervalMs: 50,
      maxIntervalMs: 100,
      timeoutMs: 10_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await markFailed(harness.db, sent.id, { code: 'recipient_opted_out', message: 'The recipient opted out.', metaErrorCode: null });
    const message = await waiting;
    expect(message.status).to.equal('failed');
    expect(message.error?.code).to.equal('recipient_opted_out');
  });

  it('resolves at once when the status is already there, and throws MojeebWaitTimeoutError after timeoutMs', async () => {
    const mojeeb = sdkClient();
    const sent = await mojeeb.whatsapp.sendTemplate(templateTo());
    expect((await mojeeb.whatsapp.waitForStatus(sent.id, { until: 'queued' })).status).to.equal('queued');
    const started = Date.now();
    const error = await rejection(
      mojeeb.whatsapp.waitForStatus(sent.id, { until: 'read', initialIntervalMs: 50, maxIntervalMs: 100, timeoutMs: 600 }),
    );
    expect(Date.now() - started).to.be.below(2_000);
    expect(error).to.be.instanceOf(MojeebWaitTimeoutError);
    const timeout = error as MojeebWaitTimeoutError;
    expect(timeout.lastMessage?.status).to.equal('queued');
    expect(timeout.polls).to.be.at.least(2);
    expect(timeout.message).to.include("'read'").and.include('600 ms');
  });

  it('never spends more than its share of the requests the key has left in the window', async () => {
    const limit = 60;
    const { apiKey, template } = await sdkTenant({ rateLimitPerMinute: limit });
    const responses: ResponseAttemptInfo[] = [];
    const mojeeb = sdkClient({ apiKey, onResponse: (info) => responses.push(info) });
    const sent = await mojeeb.whatsapp.sendTemplate(template());
    responses.length = 0;
    const share = 0.1;
    const error = await rejection(
      mojeeb.whatsapp.waitForStatus(sent.id, {
        until: 'read',
        initialIntervalMs: 10,
        maxIntervalMs: 20,
        timeoutMs: 3_000,
        maxRateLimitShare: share,
      }),
    );
    expect(error).to.be.instanceOf(MojeebWaitTimeoutError);
    // Without the budget, 10–20 ms pauses would make ~150 reads in 3 s. Per window: at most the
    // share of what was left at its first read (plus that first read).
    const byWindow = new Map<number, ResponseAttemptInfo[]>();
    for (const r of responses) byWindow.set(r.rateLimit!.reset, [...(byWindow.get(r.rateLimit!.reset) ?? []), r]);
    for (const reads of byWindow.values()) {
      const leftAtFirst = reads[0]!.rateLimit!.remaining + 1;
      expect(reads.length, JSON.stringify(reads.map((r) => r.rateLimit))).to.be.at.most(Math.floor(leftAtFirst * share) + 1);
    }
    expect(responses.length).to.be.at.most(2 * (Math.floor(limit * share) + 1));
  });

  it('waits out a 429 (Retry-After) instead of failing', async () => {
    const proxy = await startFaultProxy(harness.server.baseUrl, (request, index) =>
      request.method === 'GET' && index === 1
        ? errorAnswer(429, 'rate_limit_error', 'rate_limit_exceeded', {
            'Retry-After': '1',
            'X-RateLimit-Limit': '60',
            'X-RateLimit-Remaining': '0',
            'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000) + 1),
          })
        : { kind: 'forward' },
    );
    try {
      const mojeeb = sdkClient({ baseUrl: proxy.baseUrl, maxRetries: 0 });
      const sent = await mojeeb.whatsapp.sendTemplate(templateTo());
      const started = Date.now();
      const waiting = mojeeb.whatsapp.waitForStatus(sent.id, {
        until: 'sent',
        initialIntervalMs: 50,
        maxIntervalMs: 100,
        timeoutMs: 10_000,
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await harness.db('messages').where({ id: sent.id }).update({ status: 'sent', sent_at: new Date() });
      const message = await waiting;
      expect(message.status).to.equal('sent');
      expect(Date.now() - started).to.be.at.least(1_000);
      expect(proxy.requests.filter((r) => r.method === 'GET').length).to.equal(2);
    } finally {
      await proxy.close();
    }
  });

  it('refuses bad options, and stops when its signal aborts', async () => {
    const mojeeb = sdkClient();
    expect(await rejection(mojeeb.whatsapp.waitForStatus('x', { until: [] }))).to.be.instanceOf(MojeebConfigurationError);
    expect(await rejection(mojeeb.whatsapp.waitForStatus('x', { until: 'read', maxRateLimitShare: 0 }))).to.be.instanceOf(
      MojeebConfigurationError,
    );
    const sent = await mojeeb.whatsapp.sendTemplate(templateTo());
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop waiting')), 200);
    const error = await rejection(
      mojeeb.whatsapp.waitForStatus(sent.id, { until: 'read', initialIntervalMs: 50, signal: controller.signal }),
    );
    expect((error as Error).message).to.equal('stop waiting');
  });
});
