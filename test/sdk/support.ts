/**
 * Helpers of the SDK tests: a fetch that validates every response the SDK receives against
 * openapi.yaml (like the contract client does), tenants made to measure, and a fault-injecting
 * HTTP proxy on loopback that stands in front of the real server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createMojeebClient, type MojeebClient, type MojeebClientOptions } from '@mojeeb/sdk';
import type { Scope } from '../../server/src/domain/api-keys/scopes.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { contractValidator } from '../support/contract.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164, type Tenant } from '../support/tenants.ts';

/** fetch, plus: every response is validated against openapi.yaml (a violation throws). */
export async function validatingFetch(request: Request): Promise<Response> {
  const response = await fetch(request);
  const bytes = Buffer.from(await response.arrayBuffer());
  const url = new URL(request.url);
  contractValidator().validate({ method: request.method, path: url.pathname, status: response.status, headers: response.headers, bytes });
  return new Response(bytes.length === 0 && [204, 304].includes(response.status) ? null : bytes, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** A client of the run's server with the fixture key, fast retries and contract validation. */
export function sdkClient(overrides: Partial<MojeebClientOptions> = {}): MojeebClient {
  return createMojeebClient({
    apiKey: harness.fixture.apiKey,
    baseUrl: harness.server.baseUrl,
    fetch: validatingFetch,
    initialRetryDelayMs: 10,
    maxRetryDelayMs: 50,
    ...overrides,
  });
}

/** The fixture's template request to a recipient of its own (so messages can be counted). */
export function templateTo(to: string = randomE164()) {
  const f = harness.fixture;
  return {
    agent_id: f.agentId,
    from: f.from,
    to,
    template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://track.example/9001' } },
  };
}

/** Messages stored for a recipient (any organization). */
export async function messagesTo(to: string): Promise<Array<{ id: string; status: string }>> {
  return harness.db('messages').where({ to_number: to }).select('id', 'status');
}

export interface SdkTenant {
  readonly tenant: Tenant;
  readonly apiKey: string;
  template(to?: string): ReturnType<typeof templateTo>;
}

/** A tenant whose number has the example templates approved, with a key made to measure. */
export async function sdkTenant(
  options: { quota?: number; environment?: 'live' | 'test'; scopes?: Scope[]; rateLimitPerMinute?: number } = {},
): Promise<SdkTenant> {
  const tenant = await newTenant(harness.db, { quota: options.quota ?? 1000 });
  const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
  for (const t of EXAMPLE_TEMPLATES) await upsertTemplate(harness.db, connection.id, templateFromMeta(t));
  const key = await tenant.key({
    environment: options.environment ?? 'test',
    rateLimitPerMinute: options.rateLimitPerMinute ?? 100_000,
    ...(options.scopes ? { scopes: options.scopes } : {}),
  });
  return {
    tenant,
    apiKey: key.plaintext,
    template: (to = randomE164()) => ({ ...templateTo(to), agent_id: tenant.agent.id, from: tenant.from }),
  };
}

// ---------------------------------------------------------------------------------------------
// The fault-injecting proxy

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export interface ForwardedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** What the proxy does with one request. */
export type ProxyAction =
  /** Pass it to the real server and its answer back. */
  | { readonly kind: 'forward' }
  /** Answer by itself; the real server never sees the request. */
  | { readonly kind: 'respond'; readonly status: number; readonly headers?: Record<string, string>; readonly json?: unknown }
  /** Pass it on (the server processes it), but send the client this answer instead (a lost response). */
  | { readonly kind: 'forward-then-respond'; readonly status: number; readonly headers?: Record<string, string>; readonly json?: unknown }
  /** Pass it on and let `rewrite` change the answer. */
  | { readonly kind: 'forward-and-rewrite'; readonly rewrite: (response: ForwardedResponse) => ForwardedResponse }
  /** Close the connection without answering (a network error for the client). */
  | { readonly kind: 'drop' }
  /** Never answer (a timeout for the client); the socket closes when the proxy does. */
  | { readonly kind: 'hang' };

export interface FaultProxy {
  readonly baseUrl: string;
  /** Every request received, in order. */
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** A spec-shaped error answer the proxy can send by itself. */
export function errorAnswer(
  status: number,
  type: string,
  code: string,
  headers: Record<string, string> = {},
): ProxyAction & { kind: 'respond' } {
  const correlationId = `req_proxy_${Math.random().toString(36).slice(2, 12)}`;
  return {
    kind: 'respond',
    status,
    headers: { 'X-Correlation-ID': correlationId, ...headers },
    json: { error: { type, code, message: `Injected by the test proxy: ${code}.`, correlation_id: correlationId } },
  };
}

/**
 * Starts a proxy on 127.0.0.1 in front of `target`. `plan(request, index)` decides what happens
 * to the index-th request (0-based).
 */
export async function startFaultProxy(target: string, plan: (request: ProxiedRequest, index: number) => ProxyAction): Promise<FaultProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();

  async function forward(request: ProxiedRequest): Promise<ForwardedResponse> {
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
    const init: RequestInit = { method: request.method, headers, redirect: 'manual' };
    if (request.body.length > 0) init.body = new Uint8Array(request.body);
    const response = await fetch(new URL(request.path, target), init);
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') responseHeaders[name] = value;
    });
    return { status: response.status, headers: responseHeaders, body: Buffer.from(await response.arrayBuffer()) };
  }

  function send(res: ServerResponse, answer: ForwardedResponse): void {
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
    res.end(answer.body);
  }

  function own(status: number, headers: Record<string, string> = {}, json?: unknown): ForwardedResponse {
    const body = json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(json));
    return { status, headers: { ...(json === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...headers }, body };
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      const proxied: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers, body };
      const action = plan(proxied, requests.length);
      requests.push(proxied);
      switch (action.kind) {
        case 'forward':
          return send(res, await forward(proxied));
        case 'respond':
          return send(res, own(action.status, action.headers, action.json));
        case 'forward-then-respond':
          await forward(proxied);
          return send(res, own(action.status, action.headers, action.json));
        case 'forward-and-rewrite':
          return send(res, action.rewrite(await forward(proxied)));
        case 'drop':
          req.socket.destroy();
          return;
        case 'hang':
          return;
      }
    })().catch((error: unknown) => {
      res.writeHead(599);
      res.end(String(error));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
