// Retries and timeouts, in one place (stripe-node style). The client hands openapi-fetch a fetch
// function built here; openapi-fetch calls it ONCE per logical call with the final Request
// (Authorization and Idempotency-Key already set by the client's middleware), and this module
// repeats that same request — same headers, so the same Idempotency-Key — until an answer is
// final or the retries are used up:
//
// - a network error or a timed-out attempt;
// - 429 (the rate limit), honouring Retry-After;
// - 409 idempotency_key_in_progress (the first request with this key is still running),
//   honouring Retry-After;
// - 5xx except 501 (not implemented will not change), honouring Retry-After when present.
//
// Delays grow exponentially with "equal jitter" (half fixed, half random) up to maxDelayMs; a
// Retry-After is waited in full plus a small random jitter. A Retry-After longer than
// maxRetryAfterMs is not waited for: the answer is returned (and becomes an error) at once.
// A caller's AbortSignal stops everything, including a wait between attempts.
import { MojeebConnectionError, MojeebTimeoutError, rateLimitFrom } from './errors.js';
import { scrubCause, type Redactor } from './redact.js';
import type { RequestAttemptInfo, ResponseAttemptInfo } from './types.js';

export interface RetryPolicy {
  /** Retries after the first attempt (0 disables retrying). */
  readonly maxRetries: number;
  /** Per attempt, from sending the request to having read the whole response body. */
  readonly timeoutMs: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
}

export type FetchFunction = (request: Request) => Promise<Response>;

/** The per-attempt observers of the client's options (`onRequest`, `onResponse`). */
export interface AttemptHooks {
  readonly onRequest?: ((info: RequestAttemptInfo) => void) | undefined;
  readonly onResponse?: ((info: ResponseAttemptInfo) => void) | undefined;
}

/**
 * Calls an observer: its exceptions (and rejected promises) are ignored, so a broken logging
 * hook never fails or delays a call.
 */
function notify<T>(hook: ((info: T) => unknown) | undefined, info: T): void {
  if (hook === undefined) return;
  try {
    const result = hook(Object.freeze(info)) as unknown;
    if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).catch === 'function') {
      (result as Promise<unknown>).catch((): undefined => undefined);
    }
  } catch {
    // ignored: see above
  }
}

const attemptsByResponse = new WeakMap<Response, number>();

/** How many attempts produced this response (1 when it came first time). */
export function attemptsOf(response: Response): number {
  return attemptsByResponse.get(response) ?? 1;
}

class AttemptTimeout extends Error {}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Seconds (or an HTTP date) → milliseconds; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The wait before retry number `retry` (1-based). */
export function backoffDelayMs(policy: RetryPolicy, retry: number, retryAfter: number | null, random = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1));
  if (retryAfter !== null) return retryAfter + random() * Math.min(exponential, 1000);
  return exponential / 2 + (random() * exponential) / 2;
}

/** Waits `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Whether a response may be retried, and the Retry-After it asks for. */
async function retryVerdict(response: Response, policy: RetryPolicy): Promise<{ retry: boolean; retryAfter: number | null }> {
  const retryAfter = retryAfterMs(response.headers.get('retry-after'));
  let retry = false;
  if (response.status === 429) retry = true;
  else if (response.status >= 500 && response.status !== 501) retry = true;
  else if (response.status === 409) {
    try {
      const body = (await response.clone().json()) as { error?: { code?: unknown } };
      retry = body?.error?.code === 'idempotency_key_in_progress';
    } catch {
      retry = false;
    }
  }
  if (retry && retryAfter !== null && retryAfter > policy.maxRetryAfterMs) retry = false;
  return { retry, retryAfter };
}

/**
 * A fetch function for openapi-fetch that applies `policy` around `baseFetch`. Errors without an
 * HTTP answer become MojeebConnectionError / MojeebTimeoutError, scrubbed with `redact`.
 */
export function createRetryingFetch(
  baseFetch: FetchFunction,
  policy: RetryPolicy,
  redact: Redactor,
  hooks: AttemptHooks = {},
): FetchFunction {
  return async (request) => {
    const callerSignal = request.signal;
    const idempotencyKey = request.headers.get('idempotency-key');
    const sentCorrelationId = request.headers.get('x-correlation-id');
    const url = redact(request.url);
    // Buffer the body once; every attempt gets its own copy.
    const body = request.body === null ? null : await request.arrayBuffer();

    for (let attempt = 1; ; attempt++) {
      if (callerSignal.aborted) throw callerSignal.reason;
      const controller = new AbortController();
      const onCallerAbort = () => controller.abort(callerSignal.reason);
      callerSignal.addEventListener('abort', onCallerAbort, { once: true });
      const timer = setTimeout(() => controller.abort(new AttemptTimeout()), policy.timeoutMs);
      const described: RequestAttemptInfo = { method: request.method, url, attempt, correlationId: sentCorrelationId, idempotencyKey };
      notify(hooks.onRequest, { ...described });
      const startedAt = Date.now();

      let response: Response | undefined;
      let failure: unknown;
      try {
        const sent = await baseFetch(
          new Request(request.url, {
            method: request.method,
            headers: request.headers,
            body: body === null ? null : body.slice(0),
            redirect: request.redirect,
            signal: controller.signal,
          }),
        );
        // Read the whole body under the same timeout, so a stalled body is retried too.
        const bytes = NULL_BODY_STATUSES.has(sent.status) ? null : await sent.arrayBuffer();
        response = new Response(bytes, { status: sent.status, statusText: sent.statusText, headers: sent.headers });
      } catch (error) {
        failure = error;
      } finally {
        clearTimeout(timer);
        callerSignal.removeEventListener('abort', onCallerAbort);
      }

      const durationMs = Date.now() - startedAt;
      const timedOut = controller.signal.aborted && controller.signal.reason instanceof AttemptTimeout;
      if (callerSignal.aborted) {
        notify(hooks.onResponse, {
          ...described,
          status: null,
          durationMs,
          rateLimit: null,
          error: 'aborted by the caller',
          willRetry: false,
          retryDelayMs: null,
        });
        throw callerSignal.reason;
      }

      if (response) {
        const verdict = await retryVerdict(response, policy);
        const retrying = verdict.retry && attempt <= policy.maxRetries;
        const delay = retrying ? backoffDelayMs(policy, attempt, verdict.retryAfter) : null;
        notify(hooks.onResponse, {
          ...described,
          status: response.status,
          durationMs,
          correlationId: response.headers.get('x-correlation-id') ?? sentCorrelationId,
          rateLimit: rateLimitFrom(response.headers),
          error: null,
          willRetry: retrying,
          retryDelayMs: delay === null ? null : Math.round(delay),
        });
        if (delay === null) {
          attemptsByResponse.set(response, attempt);
          return response;
        }
        await sleep(delay, callerSignal);
        continue;
      }

      const retrying = attempt <= policy.maxRetries;
      const delay = retrying ? backoffDelayMs(policy, attempt, null) : null;
      notify(hooks.onResponse, {
        ...described,
        status: null,
        durationMs,
        rateLimit: null,
        error: timedOut ? `timeout after ${policy.timeoutMs} ms` : redact(failure instanceof Error ? failure.message : String(failure)),
        willRetry: retrying,
        retryDelayMs: delay === null ? null : Math.round(delay),
      });
      if (delay !== null) {
        await sleep(delay, callerSignal);
        continue;
      }
      const where = `${request.method} ${new URL(request.url).pathname}`;
      const tries = `${attempt} attempt${attempt === 1 ? '' : 's'}`;
      if (timedOut) {
        throw new MojeebTimeoutError(`${where}: no complete answer within ${policy.timeoutMs} ms (${tries})`, {
          attempts: attempt,
          idempotencyKey,
          timeoutMs: policy.timeoutMs,
        });
      }
      const reason = failure instanceof Error ? failure.message : String(failure);
      const detail = failure instanceof Error && failure.cause instanceof Error ? ` (${failure.cause.message})` : '';
      throw new MojeebConnectionError(redact(`${where} failed without an HTTP answer after ${tries}: ${reason}${detail}`), {
        attempts: attempt,
        idempotencyKey,
        cause: scrubCause(failure, redact),
      });
    }
  };
}
