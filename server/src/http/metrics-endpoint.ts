/**
 * `/metrics` for Prometheus, and what protects it:
 *
 * - `METRICS_TOKEN`: a scrape must send `Authorization: Bearer <token>`; anything else gets 401
 *   with `WWW-Authenticate: Bearer realm="metrics"`. The comparison is in constant time (both
 *   sides hashed to SHA-256, then `timingSafeEqual`), so neither the token's length nor its
 *   prefix leaks through timing.
 * - `METRICS_PORT`: a server of its own (on `METRICS_HOST`, loopback by default) that answers
 *   `GET /metrics` only; the API's port then answers 404 for it (router.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { METRICS_CONTENT_TYPE, renderMetrics } from '../metrics.ts';
import { bearerKey } from './auth.ts';
import type { AppMiddleware } from './context.ts';

export const METRICS_PATH = '/metrics';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Whether an Authorization header carries `token` (always true without a token). */
export function metricsAuthorized(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const presented = bearerKey(header);
  // Hash even a missing value: the time taken does not depend on what was sent.
  const ok = timingSafeEqual(digest(presented ?? ''), digest(token));
  return ok && presented !== null;
}

const UNAUTHORIZED = 'Unauthorized: /metrics needs Authorization: Bearer <METRICS_TOKEN>.\n';

/** The Koa handler of `/metrics` on the API's port. */
export function metricsHandler(token: string | undefined): AppMiddleware {
  return async (ctx) => {
    if (!metricsAuthorized(ctx.req.headers.authorization, token)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = UNAUTHORIZED;
      return;
    }
    ctx.type = METRICS_CONTENT_TYPE;
    ctx.body = await renderMetrics();
  };
}

/** The server of `METRICS_PORT`: `GET`/`HEAD /metrics` (with the token, when set), 404 for everything else. */
export function createMetricsServer(token: string | undefined): http.Server {
  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: this port serves /metrics only.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed.\n');
      return;
    }
    if (!metricsAuthorized(req.headers.authorization, token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain; charset=utf-8' }).end(UNAUTHORIZED);
      return;
    }
    renderMetrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics could not be rendered.\n');
      },
    );
  });
  server.keepAliveTimeout = 5_000;
  return server;
}
