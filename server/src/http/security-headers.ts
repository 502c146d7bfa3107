/**
 * The headers every response carries whatever answers it (an operation, an error, an asset),
 * as openapi.yaml's "Response headers" section documents:
 *
 * - `X-Content-Type-Options: nosniff` everywhere: a browser must take our `Content-Type` at its
 *   word (a JSON error echoing a field must never be sniffed as HTML);
 * - `Referrer-Policy: no-referrer` everywhere: /docs links out (Redoc's footer), and nothing of
 *   our URLs should travel with it;
 * - `Cache-Control: no-store` under `/v1`: answers are per API key (a message, rate-limit
 *   headers) and no shared cache may keep them.
 *
 * `/docs` adds its own Content-Security-Policy (operations/getApiReference.ts). Not helmet: it
 * would add a dozen headers meant for web applications (COEP, COOP, DNS prefetch, a default CSP
 * on JSON answers) and one more dependency, for the three this API documents. Set before the
 * rest of the chain runs, so that errors and 404s carry them too.
 */
import type { AppMiddleware } from './context.ts';

export function securityHeaders(): AppMiddleware {
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    if (ctx.path === '/v1' || ctx.path.startsWith('/v1/')) ctx.set('Cache-Control', 'no-store');
    await next();
  };
}
