/**
 * A small client for the two Graph API calls delivery needs: send a message
 * (`POST {base}/{version}/{phone-number-id}/messages`) and list a WABA's templates
 * (`GET {base}/{version}/{waba-id}/message_templates`, following `paging.next`).
 *
 * Outcomes, and what the caller must do with them:
 * - 200 → `{ wamid, messageStatus, waId }`. Accepted, not delivered: statuses come by webhook.
 * - a Graph error response (`{ error: { code, … } }`) → `MetaApiError`; classify it with
 *   `classifyMetaError(err.code, err.details, err)`. Meta did not send the message.
 * - no usable answer → `MetaTransportError`. `requestMayHaveArrived` is the important bit:
 *   - false: the request never reached Meta (connection refused, DNS failure, TLS refusal,
 *     connect timeout) — retrying cannot send the message twice;
 *   - true: it may have been processed (timeout or reset after the request was written, an
 *     unreadable 200, a gateway 5xx without a Graph error) — do NOT resend blindly; reconcile
 *     first (the message's id travels as `biz_opaque_callback_data` and comes back in its status
 *     webhooks), or fail it after a deadline.
 *
 * The access token only ever travels in the Authorization header. It is never part of an error
 * message, and the `access_token` query parameter Graph puts into `paging.next` URLs is
 * stripped before following them (and they are only followed on the configured base URL's
 * origin, so a token is never sent elsewhere).
 */
import { Agent, request } from 'undici';
import type { MetaMessageBody } from './message-builder.ts';

export interface CloudApiClientOptions {
  /** `https://graph.facebook.com` in production; the fake Meta's URL in tests. */
  readonly baseUrl: string;
  /** `v23.0`, … */
  readonly graphVersion: string;
  /** Per request, until the whole response body is read. */
  readonly timeoutMs: number;
  /**
   * Carries the requests instead of the client's own keep-alive connection pool (undici's
   * `request`, several times cheaper per call than `fetch`); tests inject one to play Meta's
   * answers and failures.
   */
  readonly fetch?: typeof fetch;
  /** Bound on `paging.next` follows in `listTemplates` (default 50 pages). */
  readonly maxTemplatePages?: number;
  /** Page size asked of `message_templates` (default 100). */
  readonly templatePageSize?: number;
}

export interface SendResult {
  readonly wamid: string;
  /** `messages[0].message_status`: `accepted`, `held_for_quality_assessment`, `paused`; null when Meta omitted it. */
  readonly messageStatus: string | null;
  /** `contacts[0].wa_id`: WhatsApp's id of the recipient. */
  readonly waId: string | null;
  /** `x-fb-trace-id` response header, for Meta support. */
  readonly fbTraceId: string | null;
}

export interface RequestOptions {
  /** Aborts the request (e.g. on shutdown); the result is a `MetaTransportError` with reason `aborted`. */
  readonly signal?: AbortSignal;
}

export interface CloudApiClient {
  readonly graphVersion: string;
  sendMessage(phoneNumberId: string, accessToken: string, body: MetaMessageBody, options?: RequestOptions): Promise<SendResult>;
  /** All of the WABA's templates (Meta's objects, for `templateFromMeta`), every page. */
  listTemplates(wabaId: string, accessToken: string, options?: RequestOptions): Promise<Array<Record<string, unknown>>>;
}

/** Meta answered with a Graph error: the request was processed and refused. */
export class MetaApiError extends Error {
  override name = 'MetaApiError';
  readonly httpStatus: number;
  /** Graph `error.code`; null when the error body was not Graph's. */
  readonly code: number | null;
  readonly subcode: number | null;
  readonly type: string | null;
  /** `error_data.details`, Meta's most specific explanation. */
  readonly details: string | null;
  readonly fbtraceId: string | null;
  /** Graph's `is_transient` when present, otherwise HTTP 5xx. */
  readonly isTransient: boolean;
  readonly metaMessage: string | null;

  constructor(fields: {
    httpStatus: number;
    code: number | null;
    subcode: number | null;
    type: string | null;
    message: string | null;
    details: string | null;
    fbtraceId: string | null;
    isTransient: boolean;
  }) {
    super(`Meta API error ${fields.code ?? 'without code'} (HTTP ${fields.httpStatus})${fields.message ? `: ${fields.message}` : ''}`);
    this.httpStatus = fields.httpStatus;
    this.code = fields.code;
    this.subcode = fields.subcode;
    this.type = fields.type;
    this.metaMessage = fields.message;
    this.details = fields.details;
    this.fbtraceId = fields.fbtraceId;
    this.isTransient = fields.isTransient;
  }
}

export type TransportFailure =
  | 'connection_refused'
  | 'dns'
  | 'connect_timeout'
  | 'tls'
  | 'timeout'
  | 'connection_reset'
  | 'aborted'
  | 'bad_response'
  | 'gateway_error'
  | 'network';

/** No usable answer from Meta. See `requestMayHaveArrived`. */
export class MetaTransportError extends Error {
  override name = 'MetaTransportError';
  constructor(
    message: string,
    readonly reason: TransportFailure,
    /** True when Meta may have processed the request: reconcile before any resend. */
    readonly requestMayHaveArrived: boolean,
    readonly httpStatus: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `listTemplates` met more pages than its bound: the list is incomplete, so none is returned. */
export class MetaPagingError extends Error {
  override name = 'MetaPagingError';
}

/** Failures that happen before a connection carries the request. */
const NOT_ARRIVED: Record<string, TransportFailure> = {
  ECONNREFUSED: 'connection_refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  ENETUNREACH: 'connection_refused',
  EHOSTUNREACH: 'connection_refused',
  EADDRNOTAVAIL: 'connection_refused',
  UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
  CERT_HAS_EXPIRED: 'tls',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls',
};
const TEMPLATE_FIELDS = 'id,name,language,status,category,parameter_format,components';

export function createCloudApiClient(options: CloudApiClientOptions): CloudApiClient {
  const base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  if (!/^v[0-9]+\.[0-9]+$/.test(options.graphVersion)) throw new Error(`graphVersion must look like v23.0, not ${options.graphVersion}`);
  if (!(options.timeoutMs > 0)) throw new Error('timeoutMs must be positive');
  const exchange = options.fetch ? fetchExchange(options.fetch) : pooledExchange();
  const maxPages = options.maxTemplatePages ?? 50;
  const pageSize = options.templatePageSize ?? 100;
  const endpoint = (...segments: string[]) => new URL(segments.map(encodeURIComponent).join('/'), base);

  /** One request; returns status, headers and parsed body (or throws a transport/API error). */
  async function call(method: 'GET' | 'POST', url: URL, accessToken: string, body: unknown, what: string, signal?: AbortSignal) {
    if (typeof accessToken !== 'string' || accessToken.length === 0) throw new Error('an access token is required');
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('timeout')), options.timeoutMs);
    const onAbort = () => controller.abort(new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    let response: Answer;
    try {
      response = await exchange(
        method,
        url,
        {
          authorization: `Bearer ${accessToken}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body === undefined ? undefined : JSON.stringify(body),
        controller.signal,
      );
    } catch (error) {
      throw transportError(error, controller.signal, method, what, accessToken);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    const { text } = response;
    const traceId = response.header('x-fb-trace-id');
    let parsed: unknown;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.status >= 200 && response.status < 300) {
      if (!isRecord(parsed))
        throw new MetaTransportError(
          `${what}: Meta answered ${response.status} with a body that is not JSON`,
          'bad_response',
          method === 'POST',
          response.status,
        );
      return { status: response.status, body: parsed, traceId };
    }
    const graph = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : null;
    if (graph === null && response.status >= 500) {
      // A gateway's own 502/503/504, not Graph's: the request may well have reached Meta.
      throw new MetaTransportError(
        `${what}: HTTP ${response.status} without a Graph error body`,
        'gateway_error',
        method === 'POST',
        response.status,
      );
    }
    const data = graph && isRecord(graph.error_data) ? graph.error_data : {};
    throw new MetaApiError({
      httpStatus: response.status,
      code: graph && typeof graph.code === 'number' ? graph.code : null,
      subcode: graph && typeof graph.error_subcode === 'number' ? graph.error_subcode : null,
      type: graph ? str(graph.type) : null,
      message: redact(graph ? str(graph.message) : null, accessToken),
      details: redact(str(data.details), accessToken),
      fbtraceId: (graph ? str(graph.fbtrace_id) : null) ?? traceId,
      isTransient: graph && typeof graph.is_transient === 'boolean' ? graph.is_transient : response.status >= 500,
    });
  }

  return {
    graphVersion: options.graphVersion,

    async sendMessage(phoneNumberId, accessToken, body, requestOptions = {}) {
      const what = `send to phone number ${phoneNumberId}`;
      const result = await call(
        'POST',
        endpoint(options.graphVersion, phoneNumberId, 'messages'),
        accessToken,
        body,
        what,
        requestOptions.signal,
      );
      const message = Array.isArray(result.body.messages) && isRecord(result.body.messages[0]) ? result.body.messages[0] : null;
      const wamid = message ? str(message.id) : null;
      if (wamid === null) {
        // Meta answered 200 but we cannot tell which message it created: as unknown as a timeout.
        throw new MetaTransportError(`${what}: Meta answered ${result.status} without messages[0].id`, 'bad_response', true, result.status);
      }
      const contact = Array.isArray(result.body.contacts) && isRecord(result.body.contacts[0]) ? result.body.contacts[0] : null;
      return {
        wamid,
        messageStatus: message ? str(message.message_status) : null,
        waId: contact ? str(contact.wa_id) : null,
        fbTraceId: result.traceId,
      };
    },

    async listTemplates(wabaId, accessToken, requestOptions = {}) {
      const templates: Array<Record<string, unknown>> = [];
      let url: URL | null = endpoint(options.graphVersion, wabaId, 'message_templates');
      url.searchParams.set('fields', TEMPLATE_FIELDS);
      url.searchParams.set('limit', String(pageSize));
      for (let page = 1; url !== null; page++) {
        if (page > maxPages)
          throw new MetaPagingError(`WABA ${wabaId} has more than ${maxPages} pages of templates; raise maxTemplatePages`);
        const result = await call('GET', url, accessToken, undefined, `list templates of WABA ${wabaId}`, requestOptions.signal);
        for (const item of Array.isArray(result.body.data) ? result.body.data : []) if (isRecord(item)) templates.push(item);
        url = nextPage(result.body.paging, base);
      }
      return templates;
    },
  };
}

/** An answer from Meta, read whole. */
interface Answer {
  readonly status: number;
  readonly text: string;
  header(name: string): string | null;
}

/** One request/response, whatever carries it; a redirect is never followed (it would replay the token elsewhere). */
type Exchange = (
  method: 'GET' | 'POST',
  url: URL,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal,
) => Promise<Answer>;

function fetchExchange(doFetch: typeof fetch): Exchange {
  return async (method, url, headers, body, signal) => {
    const response = await doFetch(url, { method, headers, ...(body === undefined ? {} : { body }), signal, redirect: 'error' });
    return { status: response.status, text: await response.text(), header: (name) => response.headers.get(name) };
  };
}

/** Keep-alive connections to Meta, shared by the client's calls. */
function pooledExchange(): Exchange {
  const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 10_000 });
  return async (method, url, headers, body, signal) => {
    const response = await request(url, { method, headers, body, signal, dispatcher });
    const text = await response.body.text();
    // As `fetch` with `redirect: 'error'`: a failure whose outcome is unknown, never followed.
    if (response.statusCode >= 300 && response.statusCode < 400)
      throw new Error(`redirected (HTTP ${response.statusCode}); not following it`);
    const header = (name: string) => {
      const value = response.headers[name];
      return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
    };
    return { status: response.statusCode, text, header };
  };
}

/** `paging.next`, if any, made safe to follow: same origin as the base URL, no token in the query. */
function nextPage(paging: unknown, base: URL): URL | null {
  if (!isRecord(paging) || typeof paging.next !== 'string' || paging.next.length === 0) return null;
  let next: URL;
  try {
    next = new URL(paging.next);
  } catch {
    throw new MetaPagingError('paging.next is not a URL');
  }
  if (next.origin !== base.origin)
    throw new MetaPagingError(`paging.next points at another origin (${next.origin}); not following it with the token`);
  next.searchParams.delete('access_token');
  return next;
}

function transportError(error: unknown, signal: AbortSignal, method: string, what: string, token: string): MetaTransportError {
  if (signal.aborted) {
    const reason = signal.reason instanceof Error && signal.reason.message === 'timeout' ? 'timeout' : 'aborted';
    // We cannot tell whether the request had been written when the timer fired: assume it was.
    return new MetaTransportError(
      `${what}: ${reason === 'timeout' ? 'no answer from Meta in time' : 'request aborted'}`,
      reason,
      method === 'POST',
    );
  }
  const codes = errorCodes(error);
  const notArrived = codes.length > 0 && codes.every((code) => code in NOT_ARRIVED);
  const reason: TransportFailure = notArrived
    ? NOT_ARRIVED[codes[0]!]!
    : codes.some((c) => c === 'ECONNRESET' || c === 'UND_ERR_SOCKET' || c === 'EPIPE')
      ? 'connection_reset'
      : 'network';
  const detail = redact(codes.length > 0 ? codes.join(', ') : error instanceof Error ? error.message : String(error), token);
  return new MetaTransportError(`${what}: ${reason.replaceAll('_', ' ')} (${detail})`, reason, method === 'POST' && !notArrived, null, {
    cause: error,
  });
}

/** Error codes of a failed request: `fetch` wraps the socket error in `cause`, sometimes an AggregateError; `request` throws it with its code. */
function errorCodes(error: unknown, depth = 0): string[] {
  if (!isRecord(error) || depth > 4) return [];
  const own = typeof error.code === 'string' && error.code !== 'ERR_ABORTED' ? [error.code] : [];
  const nested = Array.isArray(error.errors) ? error.errors.flatMap((e) => errorCodes(e, depth + 1)) : [];
  const cause = errorCodes(error.cause, depth + 1);
  const all = [...nested, ...cause];
  return all.length > 0 ? all : own;
}

function redact(text: string | null, token: string): string | null {
  return text === null || token.length < 4 ? text : text.split(token).join('[redacted]');
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
