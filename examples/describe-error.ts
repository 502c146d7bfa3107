// One place that turns anything the SDK throws into a decision. Branch on the class (or `type`)
// for the broad category and on `code` for the precise reason; a code or type added to the API
// after this was written still lands in the right branch by its class, which the SDK chooses from
// the type or, for an unknown type, from the HTTP status.
import {
  MojeebApiError,
  MojeebAuthenticationError,
  MojeebConfigurationError,
  MojeebConnectionError,
  MojeebIdempotencyError,
  MojeebInternalError,
  MojeebNotFoundError,
  MojeebPermissionError,
  MojeebQuotaError,
  MojeebRateLimitError,
  MojeebTimeoutError,
  MojeebUpstreamError,
  MojeebValidationError,
} from '@mojeeb/sdk';

export type Decision = 'fix-the-key' | 'fix-the-request' | 'retry-later' | 'send-a-template' | 'give-up' | 'report';

export interface Described {
  readonly kind: string;
  readonly decision: Decision;
  readonly line: string;
}

export function describeError(error: unknown): Described {
  if (error instanceof MojeebApiError) {
    const where = `${error.constructor.name} ${error.status} ${error.type}/${error.code}` + (error.param ? ` param=${error.param}` : '');
    const support = `correlation id ${error.correlationId}`;
    const d = (decision: Decision, advice: string): Described => ({ kind: error.constructor.name, decision, line: `${where}: ${advice} (${support})` });

    if (error instanceof MojeebAuthenticationError) return d('fix-the-key', 'the API key is wrong, revoked or expired');
    if (error instanceof MojeebPermissionError) {
      if (error.code === 'insufficient_scope') return d('fix-the-key', `the key needs the scope ${String(error.extras.required_scope)}`);
      if (error.code === 'plan_upgrade_required') return d('give-up', `the organization needs the ${String(error.extras.required_plan)} plan`);
      return d('fix-the-key', error.message);
    }
    if (error instanceof MojeebValidationError) {
      if (error.code === 'customer_service_window_closed') return d('send-a-template', `the 24-hour window closed at ${error.extras.window?.expires_at ?? 'never opened'}`);
      if (error.code === 'from_phone_not_found_for_agent') return d('fix-the-request', `use one of ${(error.extras.available_phones ?? []).join(', ')}`);
      return d('fix-the-request', error.message);
    }
    if (error instanceof MojeebIdempotencyError) {
      if (error.code === 'idempotency_key_in_progress') return d('retry-later', `the first request with this key is still running; retry in ${error.retryAfterSeconds} s`);
      return d('fix-the-request', `key ${error.idempotencyKey} was used for another request (${String(error.extras.original_correlation_id)})`);
    }
    if (error instanceof MojeebRateLimitError) return d('retry-later', `rate limited; retry in ${error.retryAfterSeconds} s`);
    if (error instanceof MojeebQuotaError) return d('give-up', `the monthly quota of ${String(error.extras.quota_limit)} is used up until ${String(error.extras.quota_resets_at)}`);
    if (error instanceof MojeebNotFoundError) return d('fix-the-request', error.message);
    if (error instanceof MojeebUpstreamError || error instanceof MojeebInternalError) return d('retry-later', `the service failed after the SDK's retries: ${error.message}`);
    return d('report', `an error this code does not know yet: ${error.message}`);
  }
  if (error instanceof MojeebConnectionError) {
    // A send may or may not have happened: retrying with the same idempotency key is safe.
    const kind = error instanceof MojeebTimeoutError ? 'MojeebTimeoutError' : 'MojeebConnectionError';
    const retry = error.idempotencyKey ? `; retry with idempotency key ${error.idempotencyKey}` : '; retry later';
    return { kind, decision: 'retry-later', line: `${kind}: ${error.message}${retry}` };
  }
  if (error instanceof MojeebConfigurationError) return { kind: 'MojeebConfigurationError', decision: 'report', line: `MojeebConfigurationError: ${error.message}` };
  return { kind: 'unknown', decision: 'report', line: `not from the SDK: ${String(error)}` };
}
