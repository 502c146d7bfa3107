import { expect } from 'chai';
import {
  createCloudApiClient,
  MetaApiError,
  MetaPagingError,
  MetaTransportError,
  type CloudApiClient,
} from '../../server/src/whatsapp/cloud-api.ts';
import type { MetaMessageBody } from '../../server/src/whatsapp/message-builder.ts';

const TOKEN = 'EAAG-secret-token-123456';
const BODY: MetaMessageBody = {
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: '+15551234567',
  biz_opaque_callback_data: 'msg-1',
  type: 'text',
  text: { body: 'hi', preview_url: false },
};

interface Call {
  url: string;
  init: RequestInit;
}

function client(
  answer: (call: Call) => Promise<Response> | Response,
  options: { timeoutMs?: number; baseUrl?: string; maxTemplatePages?: number; templatePageSize?: number } = {},
) {
  const calls: Call[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    return answer(call);
  }) as typeof fetch;
  const api: CloudApiClient = createCloudApiClient({
    baseUrl: options.baseUrl ?? 'https://graph.example.test',
    graphVersion: 'v23.0',
    timeoutMs: options.timeoutMs ?? 1_000,
    fetch: fetchFn,
    ...(options.maxTemplatePages ? { maxTemplatePages: options.maxTemplatePages } : {}),
    ...(options.templatePageSize ? { templatePageSize: options.templatePageSize } : {}),
  });
  return { api, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function socketFailure(...codes: string[]): Error {
  const inner =
    codes.length === 1
      ? Object.assign(new Error(`connect ${codes[0]}`), { code: codes[0] })
      : Object.assign(new AggregateError(codes.map((code) => Object.assign(new Error(code), { code }))), { code: codes[0] });
  return new TypeError('fetch failed', { cause: inner });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('WhatsApp Cloud API client (with an injected fetch)', () => {
  it('POSTs the body with the bearer token to {base}/{version}/{phone-number-id}/messages and returns the wamid', async () => {
    const { api, calls } = client(
      () =>
        json(
          200,
          {
            messaging_product: 'whatsapp',
            contacts: [{ input: '+15551234567', wa_id: '15551234567' }],
            messages: [{ id: 'wamid.X', message_status: 'accepted' }],
          },
          { 'x-fb-trace-id': 'trace-1' },
        ),
      { baseUrl: 'https://graph.example.test/prefix' },
    );
    expect(await api.sendMessage('106540352242922', TOKEN, BODY)).to.deep.equal({
      wamid: 'wamid.X',
      messageStatus: 'accepted',
      waId: '15551234567',
      fbTraceId: 'trace-1',
    });
    expect(calls).to.have.length(1);
    expect(calls[0]!.url).to.equal('https://graph.example.test/prefix/v23.0/106540352242922/messages');
    expect(calls[0]!.init.method).to.equal('POST');
    expect(calls[0]!.init.headers).to.deep.include({ authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' });
    expect(JSON.parse(String(calls[0]!.init.body))).to.deep.equal(BODY);
    expect(calls[0]!.url).not.to.include(TOKEN);
  });

  it('a 200 without messages[0].id, or not JSON, is an unknown outcome (requestMayHaveArrived)', async () => {
    for (const response of [json(200, { messaging_product: 'whatsapp', messages: [] }), new Response('<html>', { status: 200 })]) {
      const error = await rejection(client(() => response).api.sendMessage('1', TOKEN, BODY));
      expect(error).to.be.instanceOf(MetaTransportError);
      expect(error).to.deep.include({ reason: 'bad_response', requestMayHaveArrived: true, httpStatus: 200 });
    }
  });

  it('a Graph error becomes a MetaApiError with code, subcode, details, trace id and transience', async () => {
    const { api } = client(() =>
      json(400, {
        error: {
          message: '(#131047) Re-engagement message',
          type: 'OAuthException',
          code: 131047,
          error_subcode: 2494010,
          error_data: { messaging_product: 'whatsapp', details: 'Message failed to send because more than 24 hours have passed' },
          fbtrace_id: 'AXsgnV2',
        },
      }),
    );
    const error = (await rejection(api.sendMessage('1', TOKEN, BODY))) as MetaApiError;
    expect(error).to.be.instanceOf(MetaApiError);
    expect(error).to.deep.include({
      httpStatus: 400,
      code: 131047,
      subcode: 2494010,
      type: 'OAuthException',
      fbtraceId: 'AXsgnV2',
      isTransient: false,
    });
    expect(error.details).to.match(/24 hours/);
    expect(error.message).to.equal('Meta API error 131047 (HTTP 400): (#131047) Re-engagement message');

    const transient = (await rejection(
      client(() =>
        json(500, { error: { message: '(#131000) Something went wrong', type: 'OAuthException', code: 131000 } }),
      ).api.sendMessage('1', TOKEN, BODY),
    )) as MetaApiError;
    expect(transient).to.deep.include({ code: 131000, isTransient: true });
    const flagged = (await rejection(
      client(() => json(400, { error: { message: 'x', type: 'OAuthException', code: 2, is_transient: true } })).api.sendMessage(
        '1',
        TOKEN,
        BODY,
      ),
    )) as MetaApiError;
    expect(flagged.isTransient).to.equal(true);
  });

  it('never lets the token into an error, even if an error text echoes it', async () => {
    const { api } = client(() =>
      json(401, {
        error: { message: `Invalid token ${TOKEN}`, type: 'OAuthException', code: 190, error_data: { details: `token=${TOKEN}` } },
      }),
    );
    const error = (await rejection(api.sendMessage('1', TOKEN, BODY))) as MetaApiError;
    expect(error.code).to.equal(190);
    for (const text of [error.message, error.metaMessage, error.details, error.stack, JSON.stringify(error)])
      expect(String(text)).not.to.include(TOKEN);
  });

  it('a gateway 5xx without a Graph body may have reached Meta; a 4xx without one is a refusal with no code', async () => {
    const gateway = await rejection(
      client(() => new Response('<html>502 Bad Gateway</html>', { status: 502 })).api.sendMessage('1', TOKEN, BODY),
    );
    expect(gateway)
      .to.be.instanceOf(MetaTransportError)
      .and.deep.include({ reason: 'gateway_error', requestMayHaveArrived: true, httpStatus: 502 });
    const refused = await rejection(client(() => new Response('Forbidden', { status: 403 })).api.sendMessage('1', TOKEN, BODY));
    expect(refused).to.be.instanceOf(MetaApiError).and.deep.include({ httpStatus: 403, code: null });
  });

  it('transport failures: refused/DNS never arrived; resets may have', async () => {
    const cases: Array<[Error, string, boolean]> = [
      [socketFailure('ECONNREFUSED'), 'connection_refused', false],
      [socketFailure('ECONNREFUSED', 'ECONNREFUSED'), 'connection_refused', false],
      [socketFailure('ENOTFOUND'), 'dns', false],
      [socketFailure('UND_ERR_CONNECT_TIMEOUT'), 'connect_timeout', false],
      [socketFailure('UND_ERR_SOCKET'), 'connection_reset', true],
      [socketFailure('ECONNRESET'), 'connection_reset', true],
      [new TypeError('fetch failed'), 'network', true],
    ];
    for (const [failure, reason, arrived] of cases) {
      const error = await rejection(client(() => Promise.reject(failure)).api.sendMessage('1', TOKEN, BODY));
      expect(error, reason).to.be.instanceOf(MetaTransportError).and.deep.include({ reason, requestMayHaveArrived: arrived });
      expect(error.message).not.to.include(TOKEN);
    }
  });

  it('a timeout (request written, no answer) may have arrived; an abort by the caller is reported as such', async () => {
    const hang = (call: Call) =>
      new Promise<Response>((_, reject) =>
        call.init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    const started = Date.now();
    const timeout = await rejection(client(hang, { timeoutMs: 50 }).api.sendMessage('1', TOKEN, BODY));
    expect(timeout).to.be.instanceOf(MetaTransportError).and.deep.include({ reason: 'timeout', requestMayHaveArrived: true });
    expect(Date.now() - started).to.be.lessThan(1_000);

    const controller = new AbortController();
    const pending = client(hang, { timeoutMs: 5_000 }).api.sendMessage('1', TOKEN, BODY, { signal: controller.signal });
    controller.abort();
    expect(await rejection(pending))
      .to.be.instanceOf(MetaTransportError)
      .and.deep.include({ reason: 'aborted' });
  });

  it('listTemplates follows paging.next without the access_token Graph puts in it, and stops at the bound', async () => {
    const pages = [
      {
        data: [{ name: 'a' }, { name: 'b' }],
        paging: {
          cursors: { after: 'c1' },
          next: `https://graph.example.test/v23.0/waba/message_templates?after=c1&access_token=${TOKEN}&limit=2`,
        },
      },
      { data: [{ name: 'c' }], paging: { cursors: { after: 'c2' } } },
    ];
    const { api, calls } = client((call) => json(200, call.url.includes('after=c1') ? pages[1] : pages[0]), { templatePageSize: 2 });
    expect((await api.listTemplates('waba', TOKEN)).map((t) => t.name)).to.deep.equal(['a', 'b', 'c']);
    expect(calls.map((c) => c.url)).to.deep.equal([
      'https://graph.example.test/v23.0/waba/message_templates?fields=id%2Cname%2Clanguage%2Cstatus%2Ccategory%2Cparameter_format%2Ccomponents&limit=2',
      'https://graph.example.test/v23.0/waba/message_templates?after=c1&limit=2',
    ]);
    for (const call of calls) expect(call.init.headers).to.deep.include({ authorization: `Bearer ${TOKEN}` });

    const endless = client(
      (call) =>
        json(200, { data: [{ name: call.url }], paging: { next: 'https://graph.example.test/v23.0/waba/message_templates?after=again' } }),
      { maxTemplatePages: 3 },
    );
    expect(await rejection(endless.api.listTemplates('waba', TOKEN))).to.be.instanceOf(MetaPagingError);
    expect(endless.calls).to.have.length(3);

    const elsewhere = client(() => json(200, { data: [], paging: { next: 'https://evil.example/v23.0/waba/message_templates?after=x' } }));
    expect(await rejection(elsewhere.api.listTemplates('waba', TOKEN)))
      .to.be.instanceOf(MetaPagingError)
      .with.property('message')
      .that.matches(/another origin/);
    expect(elsewhere.calls).to.have.length(1);
  });

  it('refuses a malformed configuration', () => {
    expect(() => createCloudApiClient({ baseUrl: 'https://graph.facebook.com', graphVersion: '23', timeoutMs: 1000 })).to.throw(
      /graphVersion/,
    );
    expect(() => createCloudApiClient({ baseUrl: 'https://graph.facebook.com', graphVersion: 'v23.0', timeoutMs: 0 })).to.throw(
      /timeoutMs/,
    );
  });
});
