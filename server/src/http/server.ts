/**
 * The HTTP server of the app, with the limits that keep a slow or stuck client from holding a
 * connection (Node's defaults allow minutes):
 *
 * - `headersTimeout`: the request's headers must arrive within HTTP_HEADERS_TIMEOUT_MS;
 * - `requestTimeout`: the whole request, body included, within HTTP_REQUEST_TIMEOUT_MS;
 * - `keepAliveTimeout`: an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS;
 * - `maxConnections`: at most HTTP_MAX_CONNECTIONS open connections, further ones are closed at once.
 *
 * A client cut by the first two gets `408 Request Timeout` and the connection is closed. Node
 * checks those two deadlines every `connectionsCheckingInterval`, so a cut comes up to that much
 * after its deadline: a quarter of the shorter timeout, between 100 ms and 1 s.
 */
import http from 'node:http';
import type { Config } from '../config.ts';

export type HttpServerOptions = Pick<
  Config,
  'port' | 'host' | 'httpHeadersTimeoutMs' | 'httpRequestTimeoutMs' | 'httpKeepAliveTimeoutMs' | 'httpMaxConnections'
>;

/** A Koa application (anything with Koa's `callback`). */
export interface HttpApp {
  callback(): (req: http.IncomingMessage, res: http.ServerResponse) => unknown;
}

/** Creates the server for `app` and starts listening; wait for its `listening` (or `error`) event. */
export function listen(app: HttpApp, options: HttpServerOptions): http.Server {
  const server = createHttpServer(app, options);
  server.listen(options.port, options.host);
  return server;
}

export function createHttpServer(app: HttpApp, options: Omit<HttpServerOptions, 'port' | 'host'>): http.Server {
  const shorter = Math.min(options.httpHeadersTimeoutMs, options.httpRequestTimeoutMs);
  const server = http.createServer(
    {
      headersTimeout: options.httpHeadersTimeoutMs,
      requestTimeout: options.httpRequestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(shorter / 4))),
    },
    app.callback(),
  );
  server.keepAliveTimeout = options.httpKeepAliveTimeoutMs;
  server.maxConnections = options.httpMaxConnections;
  return server;
}
