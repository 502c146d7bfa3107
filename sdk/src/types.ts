// The public types of the SDK, all derived from openapi.yaml through ./generated (openapi-typescript
// output and the known-value lists of the extensible enums).
import type { components } from './generated/openapi.js';
import type {
  KnownErrorCode,
  KnownErrorType,
  KnownMessageErrorCode,
  KnownMessageStatus,
  KnownMessageType,
} from './generated/error-codes.js';

type Schemas = components['schemas'];

/**
 * An open union: every known value autocompletes and narrows, yet any other string is accepted,
 * because the API may add values at any time (`x-extensible-enum`). `string & {}` keeps the
 * known literals from collapsing into plain `string`.
 */
export type Extensible<Known extends string> = Known | (string & {});

/** `error.code` of an API error: the field to branch on. New codes may appear at any time. */
export type ErrorCode = Extensible<KnownErrorCode>;
/** `error.type` of an API error: its broad category. New types may appear at any time. */
export type ErrorType = Extensible<KnownErrorType>;
/** `error.code` of a failed message. New codes may appear at any time. */
export type MessageErrorCode = Extensible<KnownMessageErrorCode>;
/** A message's `status`. New statuses may appear at any time: treat an unknown one as not final. */
export type MessageStatus = Extensible<KnownMessageStatus>;
/** A message's `type`. New types may appear at any time. */
export type MessageType = Extensible<KnownMessageType>;

export type SendMessageRequest = Schemas['SendMessageRequest'];
export type SendTemplateRequest = Schemas['SendTemplateRequest'];
export type TemplateContent = Schemas['TemplateContent'];
export type TemplateButton = Schemas['TemplateButton'];
export type TemplateParameters = Schemas['TemplateParameters'];
export type CustomerServiceWindow = Schemas['CustomerServiceWindow'];

/** Why a message failed (its `error`, when `status` is `failed`). */
export type MessageError = Omit<Schemas['MessageError'], 'code'> & { code: MessageErrorCode };

/** A WhatsApp message and its delivery status, as the API returns it. */
export type Message = Omit<Schemas['Message'], 'status' | 'type' | 'error'> & {
  status: MessageStatus;
  type: MessageType;
  error: MessageError | null;
};

/** The `error` member of every non-2xx response body, as the API sends it. */
export type ApiErrorBody = Omit<Schemas['ApiError'], 'type' | 'code'> & { type: ErrorType; code: ErrorCode };

/**
 * The per-error extra fields (`required_scope`, `available_phones`, `window`, `quota_limit`,
 * …; see the error catalog), exactly as sent, plus any field a later API version adds.
 */
export type ErrorExtras = Readonly<Omit<Schemas['ApiError'], 'type' | 'code' | 'message' | 'correlation_id' | 'param'>> &
  Readonly<Record<string, unknown>>;

/** The rate-limit headers of a response (present on every authenticated response). */
export interface RateLimitInfo {
  readonly limit: number;
  readonly remaining: number;
  /** Unix time (seconds) at which the current window ends. */
  readonly reset: number;
}

/** What the SDK saw of the final HTTP exchange of a call. */
export interface ResponseInfo {
  readonly status: number;
  /** `X-Correlation-ID`: quote it to support. */
  readonly correlationId: string | null;
  /** The `Idempotency-Key` the send carried on every attempt (null for reads). */
  readonly idempotencyKey: string | null;
  /** True when the API replayed the answer of an earlier request with the same key. */
  readonly idempotentReplayed: boolean;
  /** HTTP attempts made, retries included (1 when the first attempt succeeded). */
  readonly attempts: number;
  readonly rateLimit: RateLimitInfo | null;
  readonly headers: Headers;
}

/** A message as returned by the SDK's methods: the API's object, plus `lastResponse`. */
export type MessageResult = Message & {
  /** Details of the HTTP exchange. Not enumerable: JSON.stringify and spreading ignore it. */
  readonly lastResponse: ResponseInfo;
};

/**
 * What `onRequest` sees of one HTTP attempt, before it is sent. Never the API key, never a
 * header or a body.
 */
export interface RequestAttemptInfo {
  readonly method: string;
  /** The full URL of the request (it never carries credentials). */
  readonly url: string;
  /** 1 for the first attempt of a call, 2 for its first retry, … */
  readonly attempt: number;
  /** The `X-Correlation-ID` this call sends, when it sets one (`correlationId` option). */
  readonly correlationId: string | null;
  /** The `Idempotency-Key` of a send (the same on every attempt of a call); null for reads. */
  readonly idempotencyKey: string | null;
}

/** What `onResponse` sees once an attempt ended: with an HTTP answer, or without one. */
export interface ResponseAttemptInfo extends RequestAttemptInfo {
  /** The HTTP status; null when there was no answer (network error or timeout). */
  readonly status: number | null;
  /** From sending the request to having read the whole answer, in milliseconds. */
  readonly durationMs: number;
  /** The `X-Correlation-ID` the API answered with (else the one sent): quote it to support. */
  readonly correlationId: string | null;
  readonly rateLimit: RateLimitInfo | null;
  /** Why there was no answer (`timeout after 30000 ms`, the network error's message); null with an answer. */
  readonly error: string | null;
  /** Whether the SDK will make another attempt for this call. */
  readonly willRetry: boolean;
  /** How long it waits before that attempt; null when it does not retry. */
  readonly retryDelayMs: number | null;
}

/** Options of `whatsapp.waitForStatus`. */
export interface WaitForStatusOptions {
  /**
   * The status to wait for, or several: the wait ends once the message's status is one of them
   * or comes after one of them in queued → sent → delivered → read (so `'delivered'` is also
   * reached by `read`). It always ends on `failed`, which no message leaves. Only statuses the
   * SDK knows are accepted (a typo is a type error).
   */
  readonly until: KnownMessageStatus | readonly KnownMessageStatus[];
  /** How long to wait in all, default 60 000 ms; then MojeebWaitTimeoutError. */
  readonly timeoutMs?: number;
  /** The first pause between two reads, default 1 000 ms; each pause is 1.5 times the previous one. */
  readonly initialIntervalMs?: number;
  /** The longest pause between two reads (rate limit aside), default 15 000 ms. */
  readonly maxIntervalMs?: number;
  /**
   * The share of the requests the key has left in the current rate-limit window
   * (`X-RateLimit-Remaining` until `X-RateLimit-Reset`) the wait may use, from 0 (exclusive)
   * to 1; default 0.1. When that share is less than one request, it waits for the next window.
   */
  readonly maxRateLimitShare?: number;
  /** Sent as X-Correlation-ID on every read. */
  readonly correlationId?: string;
  /** Aborts the wait; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}
