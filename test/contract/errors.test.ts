import { expect } from 'chai';
import { createApp } from '../../server/src/app.ts';
import { ApiError } from '../../server/src/core/errors.ts';
import { silentLogger } from '../../server/src/logger.ts';
import type { Implementations } from '../../server/src/operations/context.ts';
import { implementations } from '../../server/src/operations/index.ts';
import { harness, spec, startServer, type TestServer } from '../support/harness.ts';

const MESSAGE = '/v1/whatsapp/messages/01c45011-d803-4eb0-a762-3228a4c392f3';
const SECRET = 'password=hunter2 in /srv/app/server/src/domain/messages.ts:42';

describe('errors raised by handlers', () => {
  let server: TestServer;
  let calls = 0;

  // A test-only implementation map: never a production code path.
  const testHandlers: Implementations = {
    ...implementations,
    async getWhatsAppMessageStatus(request) {
      calls++;
      switch (request.headers['X-Correlation-ID']) {
        case 'force-throw':
          throw new Error(SECRET);
        case 'force-reject-non-error':
          throw { detail: SECRET };
        case 'force-not-found':
          throw new ApiError('message_not_found', `No message with id '${request.params.id}' was found.`);
        case 'force-unavailable':
          throw new ApiError(
            'service_unavailable',
            'The service is temporarily unavailable. Retry with backoff.',
            {},
            {
              headers: { 'Retry-After': '5' },
              cause: new Error(SECRET),
            },
          );
        default:
          throw new TypeError(`Cannot read properties of undefined (reading 'rows') — ${SECRET}`);
      }
    },
  };

  before(async () => {
    server = await startServer({ db: harness.db, handlers: testHandlers });
  });
  after(async () => {
    await server.close();
  });

  for (const trigger of ['force-throw', 'force-reject-non-error', 'anything-else']) {
    it(`answers 500 internal_error without internals when a handler fails (${trigger})`, async () => {
      const res = await server.api.get(MESSAGE, { headers: { 'X-Correlation-ID': trigger } });
      expect(res.status).to.equal(500);
      expect(res.body.error).to.deep.equal({
        type: 'internal_error',
        code: 'internal_error',
        message: 'Something went wrong on our side. Retry later; quote the correlation id if it persists.',
        correlation_id: trigger,
      });
      expect(res.text).not.to.include('hunter2');
      expect(res.text).not.to.match(/\bat .*:\d+:\d+/); // no stack frames
      expect(res.text).not.to.include('.ts');
      // …but operators get the detail, tied to the correlation id
      const logged = server.logs.withCorrelationId(trigger).find((l) => l.level === 'error');
      expect(logged, 'an error log line with the correlation id').to.not.equal(undefined);
      expect(JSON.stringify(logged)).to.include('hunter2');
    });
  }

  it('logs the stack of an unexpected error', async () => {
    await server.api.get(MESSAGE, { headers: { 'X-Correlation-ID': 'stack-check' } });
    const logged = server.logs.withCorrelationId('stack-check').find((l) => l.level === 'error') as { err?: { stack?: string } };
    expect(logged.err?.stack).to.match(/TypeError/);
  });

  it('turns an ApiError into its catalog status and envelope', async () => {
    const res = await server.api.get(MESSAGE, { headers: { 'X-Correlation-ID': 'force-not-found' } });
    expect(res.status).to.equal(404);
    expect(res.body.error).to.include({ type: 'not_found_error', code: 'message_not_found', correlation_id: 'force-not-found' });
  });

  it('keeps the headers of an ApiError and never shows its cause', async () => {
    const res = await server.api.get(MESSAGE, { headers: { 'X-Correlation-ID': 'force-unavailable' } });
    expect(res.status).to.equal(503);
    expect(res.headers.get('retry-after')).to.equal('5');
    expect(res.body.error).to.include({ type: 'upstream_error', code: 'service_unavailable' });
    expect(res.text).not.to.include('hunter2');
  });

  it('validates the request before calling the handler', async () => {
    const before = calls;
    const res = await server.api.post('/v1/whatsapp/messages', { to: 'x' });
    expect(res.status).to.equal(422);
    expect(calls).to.equal(before);
  });
});

describe('the implementation map', () => {
  const base = () => ({ spec: spec(), db: harness.db, config: { readinessTimeoutMs: 500 }, logger: silentLogger });

  it('refuses to start with a handler for an operationId the contract does not have', () => {
    const handlers = { ...implementations, getHealthz: async () => ({ status: 200, body: {} }) } as unknown as Implementations;
    expect(() => createApp({ ...base(), handlers })).to.throw(/getHealthz/);
  });

  it('refuses to start with a handler that is not a function', () => {
    const handlers = { getHealth: 'nope' } as unknown as Implementations;
    expect(() => createApp({ ...base(), handlers })).to.throw(/not a function/);
  });

  it('starts with an empty map: every operation answers 501 after validation', async () => {
    const server = await startServer({ db: harness.db, handlers: {} });
    try {
      const status = await server.api.request('GET', '/v1/whatsapp/messages/x');
      expect(status.status).to.equal(501);
      const invalid = await server.api.post('/v1/whatsapp/templates', {});
      expect(invalid.status).to.equal(422);
    } finally {
      await server.close();
    }
  });
});
