/**
 * One log line per request, written when the response is finished: correlation id (from the
 * request's logger), method, path (without the query string), status and duration. It never
 * logs headers (in particular `Authorization`) or bodies. A request that failed because the
 * database is unavailable carries `db_failure` (its kind) and has no other line.
 */
import { metrics } from '../metrics.ts';
import type { AppMiddleware } from './context.ts';

export function accessLog(): AppMiddleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      metrics.httpRequests.inc({ operation: ctx.state.route?.operationId ?? 'none', status: String(ctx.status) });
      ctx.state.logger.info('request', {
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        duration_ms: Math.round(durationMs * 1000) / 1000,
        ...(ctx.state.route ? { operation_id: ctx.state.route.operationId } : {}),
        ...(ctx.state.dbFailure ? { db_failure: ctx.state.dbFailure } : {}),
      });
    }
  };
}
