/**
 * The one error middleware: whatever goes wrong below it becomes the standard envelope
 * `{"error":{type,code,message,correlation_id,...extras}}`.
 *
 * - An ApiError answers with its catalog status, type and extras, plus its own headers.
 * - The database being unreachable (refused or dropped connections, a pool that cannot get a
 *   connection in time, PostgreSQL shutting down) answers 503 `service_unavailable` with
 *   `Retry-After`: the request did nothing and may be retried as is.
 * - Anything else is logged (with the correlation id and the stack, for operators) and answers
 *   500 `internal_error` with a generic message: never a stack trace, an exception message or
 *   any other internal detail.
 */
import { errorFields } from '../logger.ts';
import type { AppMiddleware } from './context.ts';
import { ApiError, INTERNAL_ERROR_MESSAGE } from './errors.ts';

export function errorHandler(): AppMiddleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (thrown) {
      const error =
        thrown instanceof ApiError
          ? thrown
          : isDatabaseUnavailable(thrown)
            ? new ApiError('service_unavailable', 'The service is temporarily unavailable. Retry with backoff.', {}, { headers: { 'Retry-After': '1' }, cause: thrown })
            : new ApiError('internal_error', INTERNAL_ERROR_MESSAGE);
      if (error.status >= 500) {
        ctx.state.logger.error(thrown === error ? `api error ${error.code}` : 'unhandled error', {
          code: error.code,
          method: ctx.method,
          path: ctx.path,
          ...errorFields(error.cause ?? thrown),
        });
      }
      if (ctx.headerSent || !ctx.writable) {
        // Too late for an envelope (a streamed body failed mid-way): the log line is all we can do.
        return;
      }
      for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
      ctx.status = error.status;
      ctx.body = error.toResponseBody(ctx.state.correlationId);
      ctx.type = 'application/json';
    }
  };
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300']);

/** A connection-level database failure (not a bug in the query). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'KnexTimeoutError') return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(error.message);
}
