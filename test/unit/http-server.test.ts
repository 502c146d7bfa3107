import { expect } from 'chai';
import Koa from 'koa';
import { loadConfig } from '../../server/src/config.ts';
import { createHttpServer } from '../../server/src/http/server.ts';

describe('HTTP server limits (unit)', () => {
  it('takes its timeouts and connection cap from the configuration', () => {
    const config = loadConfig({
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '3000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '4000',
      HTTP_MAX_CONNECTIONS: '7',
    });
    const server = createHttpServer(new Koa(), config);
    expect(server).to.include({ headersTimeout: 2_000, requestTimeout: 3_000, keepAliveTimeout: 4_000, maxConnections: 7 });
    const defaults = createHttpServer(new Koa(), loadConfig({}));
    expect(defaults).to.include({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, maxConnections: 1_000 });
  });
});
