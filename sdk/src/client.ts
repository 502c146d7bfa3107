// The client: one factory, three WhatsApp methods that resolve with the message or throw a typed
// error, and the raw openapi-fetch client for everything else in openapi.yaml. The API key is
// captured in this closure only: no property, getter, toString, toJSON or inspect output of the
// client holds it.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { looksLikeBrowser } from './environment.js';
import {
  createApiError,
  MojeebApiError,
  MojeebConfigurationError,
  MojeebError,
  MojeebRateLimitError,
  MojeebWaitTimeoutError,
  rateLimitFrom,
} from './errors.js';
import type { paths } from './generated/openapi.js';
import { listMethods, type ListMethods } from './pagination.js';
import { createRedactor, describeKey, scrubCause } from './redact.js';
import { checkApiKey, checkBaseUrl, checkHook, checkKnownOptions, environmentVariable, integerOption } from './options.js';
import { attemptsOf, createRetryingFetch, sleep, type AttemptHooks, type FetchFunction, type RetryPolicy } from './retry.js';
import type {
  Message,
  MessageResult,
  MessageStatus,
  RequestAttemptInfo,
  ResponseAttemptInfo,
  ResponseInfo,
  SendMessageRequest,
  SendTemplateRequest,
  WaitForStatusOptions,
} from './types.js';
import { SDK_VERSION } from './version.js';
import { createWebhooksApi, type MojeebWebhooks } from './webhooks.js';

export const DEFAULT_BASE_URL = 'https://api.mojeeb.app';

export interface MojeebClientOptions {
  /**
   * An API key, `mk_live_…` or `mk_test_…`. Keep it on your servers. Default: the
   * `MOJEEB_API_KEY` environment variable (where `process.env` exists).
   */
  readonly apiKey?: string;
  /** Default: the `MOJEEB_BASE_URL` environment variable, else https://api.mojeeb.app. */
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
  /**
   * Called before each HTTP attempt (retries included) with its method, URL, attempt number,
   * correlation id and idempotency key; never the API key, headers or bodies. Its exceptions are
   * ignored and it is not awaited.
   */
  readonly onRequest?: (info: RequestAttemptInfo) => void;
  /**
   * Called after each HTTP attempt with the above plus its status (null without an answer),
   * duration, the answer's correlation id, rate-limit headers, the failure without an answer,
   * and whether the SDK retries. Its exceptions are ignored and it is not awaited.
   */
  readonly onResponse?: (info: ResponseAttemptInfo) => void;
}

/** The options createMojeebClient knows; anything else is a TypeError (a misspelt option would otherwise do nothing). */
const KNOWN_OPTIONS: readonly (keyof MojeebClientOptions)[] = [
  'apiKey',
  'baseUrl',
  'maxRetries',
  'timeoutMs',
  'fetch',
  'allowBrowser',
  'initialRetryDelayMs',
  'maxRetryDelayMs',
  'maxRetryAfterMs',
  'onRequest',
  'onResponse',
];

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

export interface MojeebWhatsApp extends ListMethods {
  /** POST /v1/whatsapp/messages: free-form text, inside the 24-hour customer-service window. */
  sendMessage(body: SendMessageRequest, options?: SendOptions): Promise<MessageResult>;
  /** POST /v1/whatsapp/templates: an approved template, at any time. */
  sendTemplate(body: SendTemplateRequest, options?: SendOptions): Promise<MessageResult>;
  /** GET /v1/whatsapp/messages/{id}: the message and its delivery status. */
  getMessage(id: string, options?: RequestOptions): Promise<MessageResult>;
  /**
   * Reads the message (GET /v1/whatsapp/messages/{id}) with growing pauses until its status
   * reaches `until` or is `failed`, and resolves with it: check `message.status`. Stays within a
   * share of the key's rate limit (`maxRateLimitShare`). Throws MojeebWaitTimeoutError after
   * `timeoutMs`, and the API's errors as getMessage does (a 429 is waited out instead).
   */
  waitForStatus(id: string, options: WaitForStatusOptions): Promise<MessageResult>;
}

export interface MojeebClient {
  readonly whatsapp: MojeebWhatsApp;
  /** Webhook endpoints, the event log and `verify` for deliveries (webhooks.ts). */
  readonly webhooks: MojeebWebhooks;
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

/** The order of delivery statuses; `failed` is outside it (it can follow any of them and ends everything). */
const STATUS_ORDER: readonly string[] = ['queued', 'sent', 'delivered', 'read'];

/** Whether `status` is one of `targets`, or later than one of them in STATUS_ORDER. */
export function statusReached(status: string, targets: readonly string[]): boolean {
  const rank = STATUS_ORDER.indexOf(status);
  return targets.some(
    (target) => target === status || (rank >= 0 && STATUS_ORDER.indexOf(target) >= 0 && rank >= STATUS_ORDER.indexOf(target)),
  );
}

/**
 * The earliest next read allowed by the rate limit: `share` of the requests left in the window,
 * spread over what is left of it; the window's end when that share is under one request.
 */
export function rateLimitPauseMs(rateLimit: { remaining: number; reset: number } | null, share: number, now = Date.now()): number {
  if (rateLimit === null) return 0;
  const windowLeftMs = Math.max(0, rateLimit.reset * 1000 - now);
  const allowed = Math.floor(rateLimit.remaining * share);
  if (allowed < 1) return windowLeftMs + 100;
  return windowLeftMs / allowed;
}

function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/** Creates a client. Throws MojeebConfigurationError on invalid options or in a browser. */
export function createMojeebClient(options: MojeebClientOptions = {}): MojeebClient {
  if (typeof options !== 'object' || options === null)
    throw new MojeebConfigurationError('createMojeebClient needs an options object (or none, with MOJEEB_API_KEY set)');
  checkKnownOptions(options, KNOWN_OPTIONS);
  if (!options.allowBrowser && looksLikeBrowser()) {
    throw new MojeebConfigurationError(
      'The Mojeeb SDK runs on servers only: in a browser your API key would be visible to every visitor. ' +
        'Call the API from your backend, or pass allowBrowser: true if this environment is not a public web page.',
    );
  }
  const apiKey = checkApiKey(options.apiKey ?? environmentVariable('MOJEEB_API_KEY'));
  const redact = createRedactor(apiKey);
  const baseUrl = checkBaseUrl(options.baseUrl ?? environmentVariable('MOJEEB_BASE_URL') ?? DEFAULT_BASE_URL, redact);
  const hooks: AttemptHooks = {
    onRequest: checkHook('onRequest', options.onRequest),
    onResponse: checkHook('onResponse', options.onResponse),
  };
  const baseFetch: FetchFunction | undefined =
    options.fetch ?? (typeof globalThis.fetch === 'function' ? (request) => globalThis.fetch(request) : undefined);
  if (typeof baseFetch !== 'function')
    throw new MojeebConfigurationError('no fetch implementation: pass options.fetch (Node.js 20+ has one built in)');

  const policy: RetryPolicy = {
    maxRetries: integerOption('maxRetries', options.maxRetries, 2, 0, 10),
    timeoutMs: integerOption('timeoutMs', options.timeoutMs, 30_000, 1, MAX_TIMER_MS),
    initialDelayMs: integerOption('initialRetryDelayMs', options.initialRetryDelayMs, 500, 0, MAX_TIMER_MS),
    maxDelayMs: integerOption('maxRetryDelayMs', options.maxRetryDelayMs, 8_000, 0, MAX_TIMER_MS),
    maxRetryAfterMs: integerOption('maxRetryAfterMs', options.maxRetryAfterMs, 60_000, 0, MAX_TIMER_MS),
  };
  const defaultFetch = createRetryingFetch(baseFetch, policy, redact, hooks);
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
          hooks,
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

  async function run<T = MessageResult>(
    perform: () => Promise<{ data?: unknown; error?: unknown; response: Response }>,
    idempotencyKey: string | null,
    signal: AbortSignal | undefined,
  ): Promise<T> {
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
    return data as Message as T;
  }

  const headersFor = (call: RequestOptions) => (call.correlationId === undefined ? {} : { 'X-Correlation-ID': call.correlationId });

  // The list, conversation and window reads (pagination.ts): GETs with path and query parameters.
  const read = <T>(path: string, params: { path?: Record<string, string>; query?: object }, call: RequestOptions) =>
    run<T>(
      () =>
        (raw.GET as (p: string, init: object) => Promise<{ data?: unknown; error?: unknown; response: Response }>)(path, {
          params: { ...params, header: headersFor(call) },
          fetch: fetchFor(call),
          ...(call.signal ? { signal: call.signal } : {}),
        }),
      null,
      call.signal,
    );

  const whatsapp: MojeebWhatsApp = Object.freeze({
    ...listMethods(read),
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
    async waitForStatus(id: string, wait: WaitForStatusOptions) {
      if (typeof id !== 'string' || id.length === 0)
        throw new MojeebConfigurationError('waitForStatus needs the message id (a UUID string)');
      if (typeof wait !== 'object' || wait === null) throw new MojeebConfigurationError('waitForStatus needs options with `until`');
      const targets: readonly MessageStatus[] = Array.isArray(wait.until) ? wait.until : [wait.until as MessageStatus];
      if (targets.length === 0 || targets.some((t) => typeof t !== 'string' || (t as string) === '')) {
        throw new MojeebConfigurationError('waitForStatus: `until` must be a status or a non-empty list of statuses');
      }
      const timeoutMs = integerOption('timeoutMs', wait.timeoutMs, 60_000, 0, MAX_TIMER_MS);
      const initialMs = integerOption('initialIntervalMs', wait.initialIntervalMs, 1_000, 1, MAX_TIMER_MS);
      const maxMs = integerOption('maxIntervalMs', wait.maxIntervalMs, 15_000, 1, MAX_TIMER_MS);
      const share = wait.maxRateLimitShare ?? 0.1;
      if (typeof share !== 'number' || !(share > 0 && share <= 1))
        throw new MojeebConfigurationError(`maxRateLimitShare must be a number above 0 and at most 1, got ${String(share)}`);
      const call: RequestOptions = {
        ...(wait.correlationId === undefined ? {} : { correlationId: wait.correlationId }),
        ...(wait.signal ? { signal: wait.signal } : {}),
      };
      const deadline = Date.now() + timeoutMs;
      let last: MessageResult | null = null;
      let polls = 0;
      for (let round = 1; ; round++) {
        let notBefore = 0;
        try {
          polls++;
          last = await whatsapp.getMessage(id, call);
          if (last.status === 'failed' || statusReached(last.status, targets)) return last;
          notBefore = rateLimitPauseMs(last.lastResponse.rateLimit, share);
        } catch (error) {
          if (!(error instanceof MojeebRateLimitError)) throw error;
          // Still limited after the client's own retries: wait for the window, then go on.
          notBefore = Math.max((error.retryAfterSeconds ?? 1) * 1000, rateLimitPauseMs(error.rateLimit, share));
        }
        const backoff = Math.min(maxMs, initialMs * 1.5 ** (round - 1)) * (0.9 + Math.random() * 0.2);
        const delay = Math.max(backoff, notBefore);
        if (Date.now() + delay > deadline) {
          const seen = last === null ? 'no successful read' : `status '${last.status}'`;
          throw new MojeebWaitTimeoutError(
            `message ${id} did not reach ${targets.map((t) => `'${t}'`).join(' or ')} within ${timeoutMs} ms (${seen} after ${polls} read${polls === 1 ? '' : 's'})`,
            { timeoutMs, lastMessage: last, polls },
          );
        }
        await sleep(delay, wait.signal);
      }
    },
  });

  const description = `MojeebClient { baseUrl: '${baseUrl}', apiKey: '${describeKey(apiKey)}', maxRetries: ${policy.maxRetries}, timeoutMs: ${policy.timeoutMs} }`;
  const client = { whatsapp, webhooks: createWebhooksApi(raw, toMojeebApiError), raw, baseUrl };
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
