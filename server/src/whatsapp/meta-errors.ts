/**
 * Meta's error codes → our failure code (openapi.yaml `MessageErrorCode`) and what to do next.
 *
 * Meta's guidance is to act on `code` (+ `error_data.details`), never on the title or the HTTP
 * status. The same codes arrive synchronously (the send's error response) and asynchronously
 * (`statuses[].errors[]` of a `failed` status webhook), so both paths use this one classifier.
 *
 * Retry classes:
 * - `backoff`  — transient: retry the same request with exponential backoff and jitter, bounded.
 *                `scope` says what to slow down: the one recipient (131056 pair rate), the
 *                sending number (130429 throughput), or the whole account/app (80007, 4).
 * - `later`    — may succeed hours later (spam-rate limits); do not retry within the job's budget.
 * - `never`    — final for this message: fix the request or the recipient is unreachable.
 * - `operator` — the account, token or number needs a human (expired token, missing permission,
 *                policy block, billing): log and alert operators; the integrator sees a failed
 *                message with `sending_number_unavailable`, never a 401 of their own.
 *
 * The table is data (`META_ERROR_TABLE`) so that it is tested and can be printed as
 * documentation; the source of each row is anchors-messaging-apis.md §A5 (Meta's error-code
 * reference). `alertOperator` marks failures an operator should hear about even when the
 * message itself simply fails (paused/disabled templates, spam limits).
 */

/** openapi.yaml `MessageErrorCode` (`x-extensible-enum`). */
export type MessageErrorCode =
  | 'customer_service_window_closed'
  | 'recipient_unavailable'
  | 'recipient_not_on_whatsapp'
  | 'recipient_opted_out'
  | 'template_error'
  | 'media_error'
  | 'rate_limited'
  | 'sending_number_unavailable'
  | 'upstream_rejected'
  | 'expired';

export type RetryClass = 'backoff' | 'later' | 'never' | 'operator';
export type BackoffScope = 'message' | 'recipient' | 'sending_number' | 'account';

export interface MetaErrorRule {
  /** Single codes, or inclusive [from, to] ranges. */
  readonly codes: ReadonlyArray<number | readonly [number, number]>;
  readonly title: string;
  readonly messageErrorCode: MessageErrorCode;
  readonly retry: RetryClass;
  /** What a backoff applies to (only for `retry: 'backoff'`). */
  readonly scope?: BackoffScope;
  readonly alertOperator?: boolean;
}

export interface MetaErrorClassification {
  readonly messageErrorCode: MessageErrorCode;
  readonly retry: RetryClass;
  /** Backoff per recipient (Meta's pair rate limit, 131056): other recipients of the number are fine. */
  readonly perRecipient: boolean;
  readonly scope: BackoffScope | null;
  /** Operators should hear about it (logs/metrics/CLI), whatever happens to the message. */
  readonly alertOperator: boolean;
  /** The table row's title, or null when the code is unknown. */
  readonly title: string | null;
}

/**
 * First match wins, so specific codes come before the 132xxx range. Sources: anchors §A5.
 */
export const META_ERROR_TABLE: readonly MetaErrorRule[] = [
  {
    codes: [131047],
    title: 'Re-engagement message: more than 24 hours since the customer last wrote',
    messageErrorCode: 'customer_service_window_closed',
    retry: 'never',
  },
  {
    codes: [131026],
    title: 'Message undeliverable (not on WhatsApp, old client, blocked, or declined by Meta)',
    messageErrorCode: 'recipient_unavailable',
    retry: 'never',
  },
  {
    codes: [131049],
    title: 'Meta chose not to deliver (per-user marketing limit)',
    messageErrorCode: 'recipient_unavailable',
    retry: 'never',
  },
  { codes: [130472], title: "Recipient's number is part of an experiment", messageErrorCode: 'recipient_unavailable', retry: 'never' },
  {
    codes: [131050],
    title: 'Recipient stopped marketing messages from this business',
    messageErrorCode: 'recipient_opted_out',
    retry: 'never',
  },
  { codes: [131053], title: 'Media upload error (type, size or URL unusable)', messageErrorCode: 'media_error', retry: 'never' },
  { codes: [132015], title: 'Template paused for low quality', messageErrorCode: 'template_error', retry: 'never', alertOperator: true },
  { codes: [132016], title: 'Template disabled', messageErrorCode: 'template_error', retry: 'never', alertOperator: true },
  {
    codes: [[132000, 132999]],
    title: 'Template error (missing, not approved, parameter count or format mismatch, too long, policy)',
    messageErrorCode: 'template_error',
    retry: 'never',
  },
  {
    codes: [130429],
    title: 'Throughput limit of the sending number reached',
    messageErrorCode: 'rate_limited',
    retry: 'backoff',
    scope: 'sending_number',
  },
  {
    codes: [131056],
    title: 'Pair rate limit: too many messages to this recipient',
    messageErrorCode: 'rate_limited',
    retry: 'backoff',
    scope: 'recipient',
  },
  { codes: [80007], title: 'WhatsApp Business Account rate limit', messageErrorCode: 'rate_limited', retry: 'backoff', scope: 'account' },
  { codes: [4], title: 'Application request limit reached', messageErrorCode: 'rate_limited', retry: 'backoff', scope: 'account' },
  {
    codes: [131048],
    title: 'Spam rate limit: messages restricted after blocks or reports',
    messageErrorCode: 'rate_limited',
    retry: 'later',
    alertOperator: true,
  },
  {
    codes: [131000, 1, 2, 131016, 133004, 131057],
    title: 'Meta is temporarily unavailable or something went wrong',
    messageErrorCode: 'upstream_rejected',
    retry: 'backoff',
    scope: 'message',
  },
  {
    codes: [0, 190],
    title: 'Access token invalid, expired or revoked',
    messageErrorCode: 'sending_number_unavailable',
    retry: 'operator',
    alertOperator: true,
  },
  {
    codes: [10, [200, 299], 3, 131005],
    title: 'Permission or capability missing for this token/app',
    messageErrorCode: 'sending_number_unavailable',
    retry: 'operator',
    alertOperator: true,
  },
  {
    codes: [368, 131031],
    title: 'Account restricted or locked for policy reasons',
    messageErrorCode: 'sending_number_unavailable',
    retry: 'operator',
    alertOperator: true,
  },
  {
    codes: [131042],
    title: 'Business eligibility or payment problem',
    messageErrorCode: 'sending_number_unavailable',
    retry: 'operator',
    alertOperator: true,
  },
  {
    codes: [133010, 131045, 33],
    title: 'Sending number not registered, certificate problem or number deleted',
    messageErrorCode: 'sending_number_unavailable',
    retry: 'operator',
    alertOperator: true,
  },
  { codes: [131051], title: 'Unsupported message type', messageErrorCode: 'upstream_rejected', retry: 'never' },
  {
    codes: [100, 131008, 131009, 131021, 135000],
    title: 'Invalid request (parameter missing or invalid, recipient is the sender)',
    messageErrorCode: 'upstream_rejected',
    retry: 'never',
  },
];

export interface ClassifyHints {
  readonly httpStatus?: number | null;
  /** Graph's `is_transient` flag. */
  readonly isTransient?: boolean | null;
}

/**
 * Classifies one Meta error. `details` (`error_data.details`) is accepted for the future and for
 * logs; no current rule depends on it (Meta's details texts list several reasons at once, so
 * matching words in them would misclassify). An unknown code is final (`upstream_rejected`,
 * `never`) unless the hints say it was transient (HTTP 5xx or `is_transient`): then `backoff`.
 */
export function classifyMetaError(
  code: number | null | undefined,
  details?: string | null,
  hints: ClassifyHints = {},
): MetaErrorClassification {
  void details;
  const rule = typeof code === 'number' && Number.isInteger(code) ? findRule(code) : undefined;
  if (rule) {
    return {
      messageErrorCode: rule.messageErrorCode,
      retry: rule.retry,
      perRecipient: rule.scope === 'recipient',
      scope: rule.retry === 'backoff' ? (rule.scope ?? 'message') : null,
      alertOperator: rule.alertOperator ?? rule.retry === 'operator',
      title: rule.title,
    };
  }
  const transient = hints.isTransient === true || (typeof hints.httpStatus === 'number' && hints.httpStatus >= 500);
  return {
    messageErrorCode: 'upstream_rejected',
    retry: transient ? 'backoff' : 'never',
    perRecipient: false,
    scope: transient ? 'message' : null,
    alertOperator: false,
    title: null,
  };
}

export function findRule(code: number): MetaErrorRule | undefined {
  return META_ERROR_TABLE.find((rule) => rule.codes.some((c) => (typeof c === 'number' ? c === code : code >= c[0] && code <= c[1])));
}
