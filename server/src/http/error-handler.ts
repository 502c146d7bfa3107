/**
 * The one error middleware: whatever goes wrong below it becomes the standard envelope
 * `{"error":{type,code,message,correlation_id,...extras}}`.
 *
 * - An ApiError answers with its catalog status, type and extras, plus its own headers.
 * - The database being unavailable (refused or dropped connections, a pool that cannot get a
 *   connection in time, PostgreSQL shutting down) or stalled (a statement cancelled by
 *   `statement_timeout`, a lock wait cut by `lock_timeout`) answers 503 `service_unavailable`
 *   with `Retry-After`: the request wrote nothing and may be retried as is. It is logged by the
 *   access log's one line (`db_failure`), without a stack; the outage itself is logged when it
 *   starts and ends (db/availability.ts).
 * - Anything else is logged (with the correlation id and the stack, for operators) and answers
 *   500 `internal_error` with a generic message: never a stack trace, an exception message or
 *   any other internal detail.
 */
import { classifyDatabaseFailure, type DatabaseAvailability } from '../db/availability.ts';
import { errorFields } from '../logger.ts';
import type { AppMiddleware } from './context.ts';
import { ApiError, INTERNAL_ERROR_MESSAGE } from '../core/errors.ts';

export function errorHandler(availability?: DatabaseAvailability): AppMiddleware {
  return async (ctx, next) => {
    try {
      await next();
      // An operation with an API key looked the key up: the database answered.
      if (availability?.unavailable && ctx.state.route?.authenticated && ctx.status < 500) availability.succeeded();
    } catch (thrown) {
      const failure = thrown instanceof ApiError ? null : classifyDatabaseFailure(thrown);
      const error =
        thrown instanceof ApiError
          ? thrown
          : failure !== null
            ? new ApiError(
                'service_unavailable',
                'The service is temporarily unavailable. Retry with backoff.',
                {},
                { headers: { 'Retry-After': '1' }, cause: thrown },
              )
            : new ApiError('internal_error', INTERNAL_ERROR_MESSAGE);
      if (failure !== null) {
        // One line per request (the access log's), no stack: an outage fails every request alike.
        ctx.state.dbFailure = failure;
        availability?.failed(failure);
      } else if (error.status >= 500) {
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

/** A connection-level or stalled-database failure (not a bug in the query). */
export function isDatabaseUnavailable(error: unknown): boolean {
  return classifyDatabaseFailure(error) !== null;
}
