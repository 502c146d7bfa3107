// Errors are EXCEPTIONS: the `whatsapp.*` methods resolve with the message or reject with one of
// these classes (stripe-node style: one hierarchy, one factory from the response's type/status).
// The raw client keeps openapi-fetch's convention instead (`{ data, error, response }`); turn its
// `error` into the same classes with `toMojeebApiError(result)`.
//
//   MojeebError                       everything the SDK throws
//   ├─ MojeebApiError                 the API answered with an error (the envelope's fields)
//   │  ├─ MojeebAuthenticationError   authentication_error (401)
//   │  ├─ MojeebPermissionError       permission_error (403)
//   │  ├─ MojeebValidationError       validation_error (400, 413, 415, 422)
//   │  ├─ MojeebIdempotencyError      idempotency_error (409, 422)
//   │  ├─ MojeebRateLimitError        rate_limit_error (429)
//   │  ├─ MojeebQuotaError            quota_error (402)
//   │  ├─ MojeebNotFoundError         not_found_error (404, 405)
//   │  ├─ MojeebUpstreamError         upstream_error (503)
//   │  └─ MojeebInternalError         internal_error (500, 501)
//   ├─ MojeebConnectionError          no HTTP answer (network failure), after the retries
//   │  └─ MojeebTimeoutError          an attempt ran past `timeoutMs`, after the retries
//   └─ MojeebConfigurationError       invalid options, or a browser without `allowBrowser`
//
// An error of a type this version does not know yet gets the class its HTTP status implies (and
// keeps its own `type` and `code` strings), so code written today keeps working.
import type { ErrorCode, ErrorExtras, ErrorType, MessageResult, RateLimitInfo } from './types.js';
import type { Redactor } from './redact.js';

function setName(constructor: { prototype: Error }, name: string): void {
  Object.defineProperty(constructor.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
}

/** The base class of every error the SDK throws. */
export class MojeebError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message };
  }
}
setName(MojeebError, 'MojeebError');

export interface MojeebApiErrorInit {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: ErrorCode;
  readonly message: string;
  readonly param: string | null;
  readonly correlationId: string | null;
  readonly extras: ErrorExtras;
  readonly retryAfterSeconds: number | null;
  readonly idempotencyKey: string | null;
  readonly rateLimit: RateLimitInfo | null;
}

/** The API answered with a non-2xx status. Branch on `code`; fall back to the class or `type`. */
export class MojeebApiError extends MojeebError {
  /** The HTTP status. */
  readonly status: number;
  /** The broad category, e.g. `validation_error`. */
  readonly type: ErrorType;
  /** The precise reason, e.g. `template_not_found`: the field to branch on. */
  readonly code: ErrorCode;
  /** The request field at fault, when there is one (e.g. `template.name`). */
  readonly param: string | null;
  /** `error.correlation_id` (= the `X-Correlation-ID` header): quote it to support. */
  readonly correlationId: string | null;
  /** The per-error extra fields (`required_scope`, `window`, `available_phones`, …), as sent. */
  readonly extras: ErrorExtras;
  /** `Retry-After`, in seconds, when the API sent it (429, 409 in progress, some 503). */
  readonly retryAfterSeconds: number | null;
  /** The `Idempotency-Key` of the failed send: retry with it to stay idempotent. */
  readonly idempotencyKey: string | null;
  readonly rateLimit: RateLimitInfo | null;

  constructor(init: MojeebApiErrorInit) {
    super(init.message);
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param;
    this.correlationId = init.correlationId;
    this.extras = init.extras;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.idempotencyKey = init.idempotencyKey;
    this.rateLimit = init.rateLimit;
  }

  override toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      status: this.status,
      type: this.type,
      code: this.code,
      message: this.message,
      param: this.param,
      correlationId: this.correlationId,
      extras: this.extras,
      retryAfterSeconds: this.retryAfterSeconds,
      idempotencyKey: this.idempotencyKey,
    };
  }
}
setName(MojeebApiError, 'MojeebApiError');

export class MojeebAuthenticationError extends MojeebApiError {}
setName(MojeebAuthenticationError, 'MojeebAuthenticationError');
export class MojeebPermissionError extends MojeebApiError {}
setName(MojeebPermissionError, 'MojeebPermissionError');
export class MojeebValidationError extends MojeebApiError {}
setName(MojeebValidationError, 'MojeebValidationError');
export class MojeebIdempotencyError extends MojeebApiError {}
setName(MojeebIdempotencyError, 'MojeebIdempotencyError');
export class MojeebRateLimitError extends MojeebApiError {}
setName(MojeebRateLimitError, 'MojeebRateLimitError');
export class MojeebQuotaError extends MojeebApiError {}
setName(MojeebQuotaError, 'MojeebQuotaError');
export class MojeebNotFoundError extends MojeebApiError {}
setName(MojeebNotFoundError, 'MojeebNotFoundError');
export class MojeebUpstreamError extends MojeebApiError {}
setName(MojeebUpstreamError, 'MojeebUpstreamError');
export class MojeebInternalError extends MojeebApiError {}
setName(MojeebInternalError, 'MojeebInternalError');

/** No HTTP answer: DNS, refused or reset connection, TLS… The send may or may not have happened. */
export class MojeebConnectionError extends MojeebError {
  /** HTTP attempts made, retries included. */
  readonly attempts: number;
  /** The `Idempotency-Key` of the send: retrying with it later is safe. */
  readonly idempotencyKey: string | null;

  constructor(message: string, init: { attempts: number; idempotencyKey: string | null; cause?: unknown }) {
    super(message, { cause: init.cause });
    this.attempts = init.attempts;
    this.idempotencyKey = init.idempotencyKey;
  }

  override toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, attempts: this.attempts, idempotencyKey: this.idempotencyKey };
  }
}
setName(MojeebConnectionError, 'MojeebConnectionError');

/** Every attempt ran past `timeoutMs` (or the last one did, after other failures). */
export class MojeebTimeoutError extends MojeebConnectionError {
  readonly timeoutMs: number;

  constructor(message: string, init: { attempts: number; idempotencyKey: string | null; timeoutMs: number }) {
    super(message, init);
    this.timeoutMs = init.timeoutMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs };
  }
}
setName(MojeebTimeoutError, 'MojeebTimeoutError');

/** The client was constructed or called with invalid options, or in a browser. */
export class MojeebConfigurationError extends MojeebError {}
setName(MojeebConfigurationError, 'MojeebConfigurationError');

/**
 * `whatsapp.waitForStatus` gave up: the message did not reach the awaited status within its
 * `timeoutMs` (or the key's rate limit would not allow another read before then).
 */
export class MojeebWaitTimeoutError extends MojeebError {
  readonly timeoutMs: number;
  /** The message as last read (its status is the one it had then); null when no read succeeded. */
  readonly lastMessage: MessageResult | null;
  /** Reads made. */
  readonly polls: number;

  constructor(message: string, init: { timeoutMs: number; lastMessage: MessageResult | null; polls: number }) {
    super(message);
    this.timeoutMs = init.timeoutMs;
    this.lastMessage = init.lastMessage;
    this.polls = init.polls;
  }
}
setName(MojeebWaitTimeoutError, 'MojeebWaitTimeoutError');

type ApiErrorClass = new (init: MojeebApiErrorInit) => MojeebApiError;

const CLASS_BY_TYPE: Readonly<Record<string, ApiErrorClass>> = {
  authentication_error: MojeebAuthenticationError,
  permission_error: MojeebPermissionError,
  validation_error: MojeebValidationError,
  idempotency_error: MojeebIdempotencyError,
  rate_limit_error: MojeebRateLimitError,
  quota_error: MojeebQuotaError,
  not_found_error: MojeebNotFoundError,
  upstream_error: MojeebUpstreamError,
  internal_error: MojeebInternalError,
};

/** The type the HTTP status implies (the table "Error types" of openapi.yaml, read backwards). */
export function typeForStatus(status: number): ErrorType {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 400:
    case 413:
    case 415:
    case 422:
      return 'validation_error';
    case 409:
      return 'idempotency_error';
    case 429:
      return 'rate_limit_error';
    case 402:
      return 'quota_error';
    case 404:
    case 405:
      return 'not_found_error';
    case 502:
    case 503:
    case 504:
      return 'upstream_error';
    default:
      return status >= 500 ? 'internal_error' : 'unknown_error';
  }
}

const ENVELOPE_FIELDS = new Set(['type', 'code', 'message', 'correlation_id', 'param']);

function parseRetryAfter(value: string | null): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export function rateLimitFrom(headers: Headers): RateLimitInfo | null {
  const limit = headers.get('x-ratelimit-limit');
  const remaining = headers.get('x-ratelimit-remaining');
  const reset = headers.get('x-ratelimit-reset');
  if (limit === null || remaining === null || reset === null) return null;
  const values = [limit, remaining, reset].map(Number);
  if (values.some((v) => !Number.isFinite(v))) return null;
  return { limit: values[0]!, remaining: values[1]!, reset: values[2]! };
}

/** Strings anywhere in a JSON value, redacted (extras are printed with the error). */
function redactDeep(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactDeep(item, redact)]));
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds the error for a non-2xx response from its parsed body (`{ error: {…} }`, or whatever an
 * intermediary sent instead). Everything printable passes through `redact`.
 */
export function createApiError(input: {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly idempotencyKey: string | null;
  readonly redact: Redactor;
}): MojeebApiError {
  const { status, headers, redact } = input;
  const envelope = isRecord(input.body) && isRecord(input.body.error) ? input.body.error : undefined;
  const headerCorrelationId = headers.get('x-correlation-id');
  const common = {
    status,
    retryAfterSeconds: parseRetryAfter(headers.get('retry-after')),
    idempotencyKey: input.idempotencyKey,
    rateLimit: rateLimitFrom(headers),
  };
  if (envelope && typeof envelope.code === 'string' && typeof envelope.message === 'string') {
    const type = typeof envelope.type === 'string' ? redact(envelope.type) : typeForStatus(status);
    const extras: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(envelope)) if (!ENVELOPE_FIELDS.has(key)) extras[redact(key)] = redactDeep(value, redact);
    const ErrorClass = CLASS_BY_TYPE[type] ?? CLASS_BY_TYPE[typeForStatus(status)] ?? MojeebApiError;
    return new ErrorClass({
      ...common,
      type,
      code: redact(envelope.code),
      message: redact(envelope.message),
      param: typeof envelope.param === 'string' ? redact(envelope.param) : null,
      correlationId: typeof envelope.correlation_id === 'string' ? redact(envelope.correlation_id) : headerCorrelationId,
      extras: extras as ErrorExtras,
    });
  }
  // Not the API's envelope: a proxy or load balancer answered. Say what came, briefly.
  const type = typeForStatus(status);
  const text = typeof input.body === 'string' ? input.body : input.body === undefined ? '' : JSON.stringify(input.body);
  const excerpt = redact(text.replace(/\s+/g, ' ').trim().slice(0, 200));
  const ErrorClass = CLASS_BY_TYPE[type] ?? MojeebApiError;
  return new ErrorClass({
    ...common,
    type,
    code: 'unexpected_response',
    message: `HTTP ${status} without the API's error envelope${excerpt ? `: ${excerpt}` : ''}`,
    param: null,
    correlationId: headerCorrelationId,
    extras: {} as ErrorExtras,
  });
}

/** True when `error` is an API error with this code (narrows `code` to it). */
export function isApiErrorWithCode<C extends ErrorCode>(error: unknown, code: C): error is MojeebApiError & { readonly code: C } {
  return error instanceof MojeebApiError && error.code === code;
}
