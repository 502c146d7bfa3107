/**
 * Meta's error shapes, as the fake answers them: the Graph error envelope of a refused request,
 * and the error object inside a `failed` status webhook. Titles and HTTP statuses follow Meta's
 * error-code table (../shared/reference/anchors-messaging-apis.md §A5).
 */
import { randomBytes } from 'node:crypto';

export interface MetaErrorSpec {
  readonly code: number;
  /** Default: the status Meta documents for the code (400 when unknown). */
  readonly httpStatus?: number;
  readonly title?: string;
  /** `error_data.details`. */
  readonly details?: string;
  readonly subcode?: number;
  readonly isTransient?: boolean;
  /** Graph `error.type`; default `OAuthException`. */
  readonly type?: string;
}

/** code → [title, HTTP status] */
export const META_ERROR_CATALOG: Readonly<Record<number, readonly [string, number]>> = {
  0: ['AuthException', 401],
  1: ['API Unknown', 400],
  2: ['API Service', 503],
  3: ['API Method', 500],
  4: ['Application request limit reached', 400],
  10: ['Permission Denied', 403],
  33: ['Parameter value is not valid', 400],
  100: ['Invalid parameter', 400],
  104: ['An access token is required to request this resource', 401],
  190: ['Invalid OAuth access token - Cannot parse access token', 401],
  200: ['API Permission', 403],
  368: ['Temporarily blocked for policies violations', 403],
  80007: ['Rate limit issues', 400],
  130429: ['Rate limit hit', 400],
  130472: ["User's number is part of an experiment", 400],
  131000: ['Something went wrong', 500],
  131005: ['Access denied', 403],
  131008: ['Required parameter is missing', 400],
  131009: ['Parameter value is not valid', 400],
  131016: ['Service unavailable', 500],
  131021: ['Recipient cannot be sender', 400],
  131026: ['Message undeliverable', 400],
  131031: ['Account has been locked', 403],
  131042: ['Business eligibility payment issue', 400],
  131045: ['Incorrect certificate', 500],
  131047: ['Re-engagement message', 400],
  131048: ['Spam rate limit hit', 400],
  131049: ['This message was not delivered to maintain healthy ecosystem engagement', 400],
  131050: ['User has stopped marketing messages', 400],
  131051: ['Unsupported message type', 400],
  131053: ['Media upload error', 400],
  131056: ['(Business Account, Consumer Account) pair rate limit hit', 400],
  131057: ['Account in maintenance mode', 500],
  132000: ['Number of parameters does not match the expected number of params', 400],
  132001: ['Template name does not exist in the translation', 404],
  132005: ['Translated text too long', 400],
  132007: ['Template Format Character Policy Violated', 400],
  132012: ['Parameter format does not match format in the created template', 400],
  132015: ['Template is Paused', 400],
  132016: ['Template is Disabled', 400],
  133004: ['Server temporarily unavailable', 503],
  133010: ['Phone number Not Registered', 400],
};

const ERROR_HREF = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';

const tracePrefix = randomBytes(9).toString('base64url');
let traceCounter = 0;

/** Unique per request, cheap (no random bytes per call): a process prefix and a counter. */
export function fbtraceId(): string {
  return `${tracePrefix}${(++traceCounter).toString(36).padStart(8, '0')}`;
}

export function titleOf(spec: MetaErrorSpec): string {
  return spec.title ?? META_ERROR_CATALOG[spec.code]?.[0] ?? 'Unknown error';
}

/** The HTTP status and Graph error body Meta answers for a refused request. */
export function graphError(spec: MetaErrorSpec): { status: number; body: Record<string, unknown> } {
  const status = spec.httpStatus ?? META_ERROR_CATALOG[spec.code]?.[1] ?? 400;
  const error: Record<string, unknown> = {
    message: `(#${spec.code}) ${titleOf(spec)}`,
    type: spec.type ?? 'OAuthException',
    code: spec.code,
    ...(spec.subcode !== undefined ? { error_subcode: spec.subcode } : {}),
    ...(spec.isTransient !== undefined ? { is_transient: spec.isTransient } : {}),
    error_data: { messaging_product: 'whatsapp', details: spec.details ?? titleOf(spec) },
    fbtrace_id: fbtraceId(),
  };
  return { status, body: { error } };
}

/** The error object of a `failed` status (or of `value.errors[]`) in a webhook. */
export function webhookError(spec: MetaErrorSpec): Record<string, unknown> {
  const title = titleOf(spec);
  return { code: spec.code, title, message: title, error_data: { details: spec.details ?? title }, href: ERROR_HREF };
}
