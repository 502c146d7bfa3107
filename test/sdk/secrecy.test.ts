/**
 * The API key never appears in anything printable the SDK produces, and the SDK refuses to run
 * in a browser unless allowed.
 */
import { inspect } from 'node:util';
import { expect } from 'chai';
import { createMojeebClient, MojeebAuthenticationError, MojeebConfigurationError, MojeebConnectionError, MojeebError } from '@mojeeb/sdk';
import { harness } from '../support/harness.ts';
import { templateTo } from './support.ts';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, it resolved');
}

/** Everything a developer or a logger could print of a value. */
function printable(value: unknown): string {
  const parts = [
    String(value),
    `${value as string}`,
    JSON.stringify(value) ?? '',
    inspect(value),
    inspect(value, { depth: Infinity, showHidden: true }),
    inspect(value, { depth: Infinity, showHidden: true, customInspect: false }),
  ];
  if (value instanceof Error) {
    parts.push(value.message, value.stack ?? '', inspect(value.cause, { depth: Infinity, showHidden: true }));
  }
  return parts.join('\n');
}

describe('SDK: the API key is never printable', function () {
  this.timeout(10_000);
  const apiKey = 'mk_test_S3cretS3cretS3cretS3cret_0123456789';

  it('not in the client: String, template, JSON, inspect (also showHidden, customInspect off), keys', () => {
    const mojeeb = createMojeebClient({ apiKey, baseUrl: harness.server.baseUrl });
    const text = printable(mojeeb) + printable(mojeeb.raw) + printable(mojeeb.whatsapp) + JSON.stringify(Object.entries(mojeeb));
    expect(text).to.not.include(apiKey);
    expect(text).to.not.include('S3cret');
    expect(String(mojeeb)).to.include('mk_test_[redacted]');
    expect(JSON.parse(JSON.stringify(mojeeb))).to.deep.include({ apiKey: 'mk_test_[redacted]', baseUrl: harness.server.baseUrl });
  });

  it('not in an API error, even when the server (or something in between) echoes it', async () => {
    const echoing = async (request: Request) =>
      new Response(
        JSON.stringify({
          error: {
            type: 'authentication_error',
            code: 'invalid_api_key',
            message: `Key ${request.headers.get('authorization')} is not valid`,
            correlation_id: 'req_1',
            hint: `you sent ${apiKey}`,
          },
        }),
        { status: 401, headers: { 'content-type': 'application/json', 'x-correlation-id': 'req_1' } },
      );
    const error = await rejection(createMojeebClient({ apiKey, baseUrl: harness.server.baseUrl, fetch: echoing }).whatsapp.getMessage('x'));
    expect(error).to.be.instanceOf(MojeebAuthenticationError);
    expect(printable(error)).to.not.include('S3cret');
    expect((error as Error).message).to.equal('Key Bearer mk_test_[redacted] is not valid');
    expect((error as MojeebAuthenticationError).extras).to.deep.equal({ hint: 'you sent mk_test_[redacted]' });
  });

  it('not in an error without the envelope (an intermediary echoing the request)', async () => {
    const echoing = async (request: Request) =>
      new Response(`<pre>Authorization: ${request.headers.get('authorization')}</pre>`, { status: 400 });
    const error = await rejection(createMojeebClient({ apiKey, baseUrl: harness.server.baseUrl, fetch: echoing }).whatsapp.getMessage('x'));
    expect(printable(error)).to.not.include('S3cret');
    expect((error as Error).message).to.include('mk_test_[redacted]');
  });

  it('not in a connection error whose cause (from a fetch implementation) contains it', async () => {
    const leaky = async (request: Request): Promise<Response> => {
      const inner = new Error(`socket closed while sending ${request.headers.get('authorization')}`);
      throw new TypeError(`fetch failed for key ${apiKey}`, { cause: inner });
    };
    const error = await rejection(
      createMojeebClient({
        apiKey,
        baseUrl: harness.server.baseUrl,
        fetch: leaky,
        maxRetries: 1,
        initialRetryDelayMs: 1,
      }).whatsapp.sendTemplate(templateTo()),
    );
    expect(error).to.be.instanceOf(MojeebConnectionError);
    expect(printable(error)).to.not.include('S3cret');
    expect((error as Error).message).to.include('mk_test_[redacted]');
    expect(((error as Error).cause as Error).message).to.equal('fetch failed for key mk_test_[redacted]');
  });

  it('not in what the onRequest and onResponse hooks receive, answers and failures alike', async () => {
    const seen: unknown[] = [];
    const hooks = { onRequest: (info: unknown) => seen.push(info), onResponse: (info: unknown) => seen.push(info) };
    // A real exchange with the server (its key, not the test's: the server must answer 200/202).
    const live = createMojeebClient({ apiKey: harness.fixture.apiKey, baseUrl: harness.server.baseUrl, ...hooks });
    const sent = await live.whatsapp.sendTemplate(templateTo(), { correlationId: 'secrecy-hooks' });
    await live.whatsapp.getMessage(sent.id);
    // A failing fetch whose error carries the key, and a path that does.
    const leaky = async (request: Request): Promise<Response> => {
      throw new TypeError(`fetch failed for ${request.headers.get('authorization')} (${apiKey})`);
    };
    const failing = createMojeebClient({
      apiKey,
      baseUrl: harness.server.baseUrl,
      fetch: leaky,
      maxRetries: 1,
      initialRetryDelayMs: 1,
      ...hooks,
    });
    await rejection(failing.whatsapp.getMessage(apiKey));
    expect(seen.length).to.equal(4 + 4);
    const text = seen.map(printable).join('\n');
    expect(text).to.not.include(harness.fixture.apiKey);
    expect(text).to.not.include(harness.fixture.apiKey.slice(8));
    expect(text).to.not.include('S3cret');
    // No headers at all: only the documented fields.
    for (const info of seen) expect(Object.keys(info as object).some((k) => /header|authorization/i.test(k))).to.equal(false);
    expect(text).to.include('mk_test_[redacted]');
  });

  it('not in a configuration error about the key', () => {
    for (const bad of ['mk_live_S3cretS3cretS3cret S3cret_0123456789', 'mk_test_S3cret\nS3cret']) {
      let error: unknown;
      try {
        createMojeebClient({ apiKey: bad });
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(MojeebConfigurationError).and.instanceOf(MojeebError);
      expect(printable(error)).to.not.include('S3cret');
    }
  });
});

describe('SDK: servers only', () => {
  const scope = globalThis as Record<string, unknown>;

  function asBrowser<T>(run: () => T): T {
    const saved = {
      window: Object.getOwnPropertyDescriptor(scope, 'window'),
      document: Object.getOwnPropertyDescriptor(scope, 'document'),
    };
    scope.window = {};
    scope.document = {};
    try {
      return run();
    } finally {
      for (const [name, descriptor] of Object.entries(saved)) {
        if (descriptor) Object.defineProperty(scope, name, descriptor);
        else delete scope[name];
      }
    }
  }

  it('throws in a browser-like environment, without the key in the message', () => {
    let error: unknown;
    asBrowser(() => {
      try {
        createMojeebClient({ apiKey: 'mk_test_S3cretS3cretS3cretS3cret_0123456789' });
      } catch (e) {
        error = e;
      }
    });
    expect(error).to.be.instanceOf(MojeebConfigurationError);
    expect((error as Error).message).to.include('allowBrowser');
    expect(printable(error)).to.not.include('S3cret');
  });

  it('works there with allowBrowser: true', async () => {
    const mojeeb = asBrowser(() =>
      createMojeebClient({ apiKey: harness.fixture.apiKey, baseUrl: harness.server.baseUrl, allowBrowser: true }),
    );
    const message = await mojeeb.whatsapp.sendTemplate(templateTo());
    expect(message.status).to.equal('queued');
  });
});
