// The client: one factory, three WhatsApp methods that resolve with the message or throw a typed
// error, and the raw openapi-fetch client for everything else in openapi.yaml. The API key is
// captured in this closure only: no property, getter, toString, toJSON or inspect output of the
// client holds it.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { looksLikeBrowser } from './environment.js';
import { createApiError, MojeebApiError, MojeebConfigurationError, MojeebError, rateLimitFrom } from './errors.js';
import type { paths } from './generated/openapi.js';
import { createRedactor, describeKey, scrubCause, type Redactor } from './redact.js';
import { attemptsOf, createRetryingFetch, type FetchFunction, type RetryPolicy } from './retry.js';
import type { Message, MessageResult, ResponseInfo, SendMessageRequest, SendTemplateRequest } from './types.js';
import { SDK_VERSION } from './version.js';

export const DEFAULT_BASE_URL = 'https://api.mojeeb.app';

export interface MojeebClientOptions {
  /** An API key, `mk_live_…` or `mk_test_…`. Keep it on your servers. */
  readonly apiKey: string;
  /** Defaults to https://api.mojeeb.app. */
  readonly baseUrl?: string;
  /**
   * Retries after the first attempt, for network errors, timeouts, 429, 409
   * idempotency_key_in_progress and 5xx (except 501). Default 2; 0 disables; at most 10.
   */
  readonly maxRetries?: number;
  /** Per attempt, until the whole response is read. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** A fetch implementation; defaults to the global one. Called once per attempt. */
  readonly fetch?: FetchFunction;
  /** Construct the client even in a browser-like environment (exposes the key to its users). */
  readonly allowBrowser?: boolean;
  /** First backoff delay; doubles per retry up to maxRetryDelayMs, with jitter. Default 500 ms. */
  readonly initialRetryDelayMs?: number;
  /** Default 8 000 ms. */
  readonly maxRetryDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the error is thrown at once. Default 60 000 ms. */
  readonly maxRetryAfterMs?: number;
}

/** Per-call options of every method. */
export interface RequestOptions {
  /** Sent as X-Correlation-ID (1–128 of `A-Z a-z 0-9 . _ : -`), echoed in the response and errors. */
  readonly correlationId?: string;
  /** Aborts the call, waits between retries included; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  readonly maxRetries?: number;
  readonly timeoutMs?: number;
}

/** Per-call options of the two send methods. */
export interface SendOptions extends RequestOptions {
  /**
   * The Idempotency-Key of this send. Default: a fresh UUID per call, reused by every retry of
   * that call. Pass your own (e.g. `order-12345-confirmation`) to stay idempotent across your
   * own retries, process restarts included.
   */
  readonly idempotencyKey?: string;
}

export type MojeebRawClient = Client<paths>;

export interface MojeebWhatsApp {
  /** POST /v1/whatsapp/messages: free-form text, inside the 24-hour customer-service window. */
  sendMessage(body: SendMessageRequest, options?: SendOptions): Promise<MessageResult>;
  /** POST /v1/whatsapp/templates: an approved template, at any time. */
  sendTemplate(body: SendTemplateRequest, options?: SendOptions): Promise<MessageResult>;
  /** GET /v1/whatsapp/messages/{id}: the message and its delivery status. */
  getMessage(id: string, options?: RequestOptions): Promise<MessageResult>;
}

export interface MojeebClient {
  readonly whatsapp: MojeebWhatsApp;
  /**
   * The typed openapi-fetch client for every operation of openapi.yaml, with the same
   * authentication, retries, timeouts and generated Idempotency-Key on POSTs. It does NOT throw
   * on HTTP errors: it returns `{ data, error, response }` (openapi-fetch's convention); turn
   * `error` into a typed exception with `toMojeebApiError(result)`.
   */
  readonly raw: MojeebRawClient;
  readonly baseUrl: string;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const MAX_TIMER_MS = 2_147_483_647;

function integerOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new MojeebConfigurationError(`${name} must be an integer from ${min} to ${max}, got ${typeof value === 'number' ? value : typeof value}`);
  }
  return value;
}

function checkApiKey(apiKey: unknown): string {
  if (typeof apiKey !== 'string' || apiKey.length === 0) {
    throw new MojeebConfigurationError('apiKey is required: pass the API key (mk_live_… or mk_test_…) as a string');
  }
  // Never echo the value: it is a secret, even when it is wrong.
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new MojeebConfigurationError(`apiKey (${describeKey(apiKey)}) contains whitespace or characters that cannot be sent in a header`);
  }
  return apiKey;
}

function checkBaseUrl(baseUrl: string, redact: Redactor): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new MojeebConfigurationError(`baseUrl is not an absolute URL: ${redact(String(baseUrl))}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new MojeebConfigurationError(`baseUrl must be http(s), got ${url.protocol}`);
  if (url.username || url.password) throw new MojeebConfigurationError('baseUrl must not contain credentials');
  return url.href.replace(/\/+$/, '');
}

function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/** Creates a client. Throws MojeebConfigurationError on invalid options or in a browser. */
export function createMojeebClient(options: MojeebClientOptions): MojeebClient {
  if (typeof options !== 'object' || options === null) throw new MojeebConfigurationError('createMojeebClient needs an options object with apiKey');
  if (!options.allowBrowser && looksLikeBrowser()) {
    throw new MojeebConfigurationError(
      'The Mojeeb SDK runs on servers only: in a browser your API key would be visible to every visitor. ' +
        'Call the API from your backend, or pass allowBrowser: true if this environment is not a public web page.',
    );
  }
  const apiKey = checkApiKey(options.apiKey);
  const redact = createRedactor(apiKey);
  const baseUrl = checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL, redact);
  const baseFetch: FetchFunction | undefined = options.fetch ?? (typeof globalThis.fetch === 'function' ? (request) => globalThis.fetch(request) : undefined);
  if (typeof baseFetch !== 'function') throw new MojeebConfigurationError('no fetch implementation: pass options.fetch (Node.js 20+ has one built in)');

  const policy: RetryPolicy = {
    maxRetries: integerOption('maxRetries', options.maxRetries, 2, 0, 10),
    timeoutMs: integerOption('timeoutMs', options.timeoutMs, 30_000, 1, MAX_TIMER_MS),
    initialDelayMs: integerOption('initialRetryDelayMs', options.initialRetryDelayMs, 500, 0, MAX_TIMER_MS),
    maxDelayMs: integerOption('maxRetryDelayMs', options.maxRetryDelayMs, 8_000, 0, MAX_TIMER_MS),
    maxRetryAfterMs: integerOption('maxRetryAfterMs', options.maxRetryAfterMs, 60_000, 0, MAX_TIMER_MS),
  };
  const defaultFetch = createRetryingFetch(baseFetch, policy, redact);
  const fetchFor = (call: RequestOptions): FetchFunction =>
    call.maxRetries === undefined && call.timeoutMs === undefined
      ? defaultFetch
      : createRetryingFetch(
          baseFetch,
          {
            ...policy,
            maxRetries: integerOption('maxRetries', call.maxRetries, policy.maxRetries, 0, 10),
            timeoutMs: integerOption('timeoutMs', call.timeoutMs, policy.timeoutMs, 1, MAX_TIMER_MS),
          },
          redact,
        );

  const authorization = `Bearer ${apiKey}`;
  const userAgent = `mojeeb-sdk-typescript/${SDK_VERSION}`;
  const authenticate: Middleware = {
    onRequest({ request }) {
      request.headers.set('Authorization', authorization);
      if (!looksLikeBrowser()) request.headers.set('User-Agent', userAgent);
      // A raw POST without its own key still gets one per logical call (reused by its retries).
      if (request.method === 'POST' && !request.headers.has('Idempotency-Key')) request.headers.set('Idempotency-Key', newIdempotencyKey());
      return request;
    },
  };
  const raw = createClient<paths>({ baseUrl, fetch: defaultFetch });
  raw.use(authenticate);

  async function run(
    perform: () => Promise<{ data?: unknown; error?: unknown; response: Response }>,
    idempotencyKey: string | null,
    signal: AbortSignal | undefined,
  ): Promise<MessageResult> {
    let result: { data?: unknown; error?: unknown; response: Response };
    try {
      result = await perform();
    } catch (error) {
      if (error instanceof MojeebError) throw error;
      if (signal?.aborted) throw error; // the caller's signal: its reason, as fetch does
      throw new MojeebError(redact(`unexpected failure while calling the API: ${error instanceof Error ? error.message : String(error)}`), {
        cause: scrubCause(error, redact),
      });
    }
    const { data, error, response } = result;
    if (!response.ok || error !== undefined) {
      throw createApiError({ status: response.status, headers: response.headers, body: error, idempotencyKey, redact });
    }
    if (typeof data !== 'object' || data === null) {
      throw new MojeebError(`HTTP ${response.status} without the message object in its body`);
    }
    const info: ResponseInfo = {
      status: response.status,
      correlationId: response.headers.get('x-correlation-id'),
      idempotencyKey,
      idempotentReplayed: response.headers.get('idempotent-replayed') === 'true',
      attempts: attemptsOf(response),
      rateLimit: rateLimitFrom(response.headers),
      headers: response.headers,
    };
    Object.defineProperty(data, 'lastResponse', { value: info, enumerable: false, writable: false, configurable: true });
    return data as Message as MessageResult;
  }

  const headersFor = (call: RequestOptions) => (call.correlationId === undefined ? {} : { 'X-Correlation-ID': call.correlationId });

  const whatsapp: MojeebWhatsApp = Object.freeze({
    sendMessage(body: SendMessageRequest, call: SendOptions = {}) {
      const key = call.idempotencyKey ?? newIdempotencyKey();
      return run(
        () =>
          raw.POST('/v1/whatsapp/messages', {
            body,
            params: { header: { ...headersFor(call), 'Idempotency-Key': key } },
            fetch: fetchFor(call),
            ...(call.signal ? { signal: call.signal } : {}),
          }),
        key,
        call.signal,
      );
    },
    sendTemplate(body: SendTemplateRequest, call: SendOptions = {}) {
      const key = call.idempotencyKey ?? newIdempotencyKey();
      return run(
        () =>
          raw.POST('/v1/whatsapp/templates', {
            body,
            params: { header: { ...headersFor(call), 'Idempotency-Key': key } },
            fetch: fetchFor(call),
            ...(call.signal ? { signal: call.signal } : {}),
          }),
        key,
        call.signal,
      );
    },
    async getMessage(id: string, call: RequestOptions = {}) {
      if (typeof id !== 'string' || id.length === 0) throw new MojeebConfigurationError('getMessage needs the message id (a UUID string)');
      return run(
        () =>
          raw.GET('/v1/whatsapp/messages/{id}', {
            params: { path: { id }, header: headersFor(call) },
            fetch: fetchFor(call),
            ...(call.signal ? { signal: call.signal } : {}),
          }),
        null,
        call.signal,
      );
    },
  });

  const description = `MojeebClient { baseUrl: '${baseUrl}', apiKey: '${describeKey(apiKey)}', maxRetries: ${policy.maxRetries}, timeoutMs: ${policy.timeoutMs} }`;
  const client = { whatsapp, raw, baseUrl };
  Object.defineProperties(client, {
    toString: { value: () => description, enumerable: false },
    toJSON: {
      value: () => ({ baseUrl, apiKey: describeKey(apiKey), maxRetries: policy.maxRetries, timeoutMs: policy.timeoutMs }),
      enumerable: false,
    },
    [INSPECT]: { value: () => description, enumerable: false },
  });
  return Object.freeze(client);
}

/**
 * The typed exception for a raw-client result that is an HTTP error, or null when it is not:
 * `const result = await client.raw.GET(...); const error = toMojeebApiError(result); if (error) throw error;`
 */
export function toMojeebApiError(result: { error?: unknown; response: Response }): MojeebApiError | null {
  if (result.response.ok && result.error === undefined) return null;
  return createApiError({
    status: result.response.status,
    headers: result.response.headers,
    body: result.error,
    idempotencyKey: null,
    redact: (text) => text,
  });
}
