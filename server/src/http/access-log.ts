/**
 * One log line per request, written when the response is finished: correlation id (from the
 * request's logger), method, path (without the query string), status, duration, the client's
 * IP (the socket's peer; with TRUST_PROXY, from X-Forwarded-For: Koa's `ctx.ip`), and, where
 * known, `organization_id` and `key_id` (authenticated requests, refusals of a known key
 * included) and `message_id` (a send, a status lookup). It never logs headers (in particular
 * `Authorization`), the key or bodies. A request that failed because the database is
 * unavailable carries `db_failure` (its kind) and has no other line. Each request is also
 * counted and timed in the metrics (operation and status).
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
      const labels = { operation: ctx.state.route?.operationId ?? 'none', status: String(ctx.status) };
      metrics.httpRequests.inc(labels);
      metrics.httpRequestDuration.observe(labels, durationMs / 1000);
      const ids = ctx.state.logIds;
      ctx.state.logger.info('request', {
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        duration_ms: Math.round(durationMs * 1000) / 1000,
        client_ip: clientIp(ctx.ip),
        ...(ctx.state.route ? { operation_id: ctx.state.route.operationId } : {}),
        ...(ids?.organizationId ? { organization_id: ids.organizationId } : {}),
        ...(ids?.keyId ? { key_id: ids.keyId } : {}),
        ...(ids?.messageId ? { message_id: ids.messageId } : {}),
        ...(ctx.state.dbFailure ? { db_failure: ctx.state.dbFailure } : {}),
      });
    }
  };
}

/** `::ffff:127.0.0.1` → `127.0.0.1`; a forwarded value is cut to a sane length. */
function clientIp(ip: string): string {
  const plain = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  return plain.length > 64 ? plain.slice(0, 64) : plain;
}
