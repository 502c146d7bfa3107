/**
 * The TypeScript SDK against the run's live server: the three WhatsApp methods, the raw typed
 * client, idempotency keys, and one typed exception per error type the server produces today.
 * Every response the SDK receives is validated against openapi.yaml (validatingFetch).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  createMojeebClient,
  MojeebApiError,
  MojeebAuthenticationError,
  MojeebConfigurationError,
  MojeebConnectionError,
  MojeebIdempotencyError,
  MojeebNotFoundError,
  MojeebPermissionError,
  MojeebQuotaError,
  MojeebRateLimitError,
  MojeebValidationError,
  SDK_VERSION,
  toMojeebApiError,
  type MessageResult,
} from '@mojeeb/sdk';
import { readRepoFile } from '../support/contract.ts';
import { harness } from '../support/harness.ts';
import { awayFromMinuteBoundary, randomE164 } from '../support/tenants.ts';
import { messagesTo, sdkClient, sdkTenant, templateTo, validatingFetch } from './support.ts';

const STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, it resolved');
}

function expectQueued(message: MessageResult, to: string, type: 'text' | 'template'): void {
  expect(message).to.include({ status: 'queued', to, from: harness.fixture.from, agent_id: harness.fixture.agentId, type });
  expect(message.id).to.match(UUID);
  expect(message.platform_message_id).to.equal(null);
}

describe('SDK: the client against a live server', function () {
  this.timeout(20_000);

  describe('whatsapp methods', () => {
    it('sendTemplate answers the queued message; getMessage reads it back', async () => {
      const mojeeb = sdkClient();
      const to = randomE164();
      const sent = await mojeeb.whatsapp.sendTemplate(templateTo(to));
      expectQueued(sent, to, 'template');
      expect(sent.lastResponse).to.include({ status: 202, idempotentReplayed: false, attempts: 1 });
      expect(sent.lastResponse.correlationId).to.match(/^req_/);
      expect(sent.lastResponse.idempotencyKey).to.match(UUID);
      expect(sent.lastResponse.rateLimit?.limit).to.be.a('number');
      expect(JSON.parse(JSON.stringify(sent))).to.not.have.property('lastResponse'); // not enumerable

      const read = await mojeeb.whatsapp.getMessage(sent.id);
      // The status may already have moved on once delivery runs; the rest is the same message.
      const { id, agent_id, from, to: recipient, type, conversation_id, created_at } = sent;
      expect(read).to.deep.include({ id, agent_id, from, to: recipient, type, conversation_id, created_at });
      expect(read.status).to.be.oneOf(STATUSES);
      expect(read.lastResponse).to.include({ status: 200, idempotencyKey: null, attempts: 1 });
      expect(await messagesTo(to)).to.have.length(1);
    });

    it('sendMessage sends free-form text inside the 24-hour window', async () => {
      const f = harness.fixture;
      const sent = await sdkClient().whatsapp.sendMessage({
        agent_id: f.agentId,
        from: f.from,
        to: f.to,
        text: { body: 'Your order has shipped.' },
      });
      expectQueued(sent, f.to, 'text');
    });

    it('generates a fresh Idempotency-Key per logical send: two calls, two messages', async () => {
      const mojeeb = sdkClient();
      const to = randomE164();
      const first = await mojeeb.whatsapp.sendTemplate(templateTo(to));
      const second = await mojeeb.whatsapp.sendTemplate(templateTo(to));
      expect(first.lastResponse.idempotencyKey).to.not.equal(second.lastResponse.idempotencyKey);
      expect(first.id).to.not.equal(second.id);
      expect(await messagesTo(to)).to.have.length(2);
    });

    it("uses the caller's Idempotency-Key: a repeated send replays the first answer, one message", async () => {
      const mojeeb = sdkClient();
      const to = randomE164();
      const idempotencyKey = `order-${randomUUID()}-shipped`;
      const first = await mojeeb.whatsapp.sendTemplate(templateTo(to), { idempotencyKey });
      const again = await mojeeb.whatsapp.sendTemplate(templateTo(to), { idempotencyKey });
      expect(first.lastResponse).to.include({ idempotencyKey, idempotentReplayed: false });
      expect(again.lastResponse).to.include({ idempotencyKey, idempotentReplayed: true });
      expect(again.id).to.equal(first.id);
      expect(await messagesTo(to)).to.have.length(1);
    });

    it('sends the caller’s correlation id and reports the one the server echoed', async () => {
      const sent = await sdkClient().whatsapp.sendTemplate(templateTo(), { correlationId: 'crm-ticket-9001' });
      expect(sent.lastResponse.correlationId).to.equal('crm-ticket-9001');
    });

    it('getMessage refuses an empty id before any request', async () => {
      expect(await rejection(sdkClient().whatsapp.getMessage(''))).to.be.instanceOf(MojeebConfigurationError);
    });
  });

  describe('the raw typed client', () => {
    it('reaches every operation of the spec, with {data, error, response} values', async () => {
      const { raw } = sdkClient();
      const health = await raw.GET('/healthz');
      expect(health.data).to.deep.equal({ status: 'ok' });

      const sent = await raw.POST('/v1/whatsapp/templates', { body: templateTo() });
      expect(sent.response.status).to.equal(202);
      expect(sent.data?.status).to.equal('queued');

      const missing = await raw.GET('/v1/whatsapp/messages/{id}', { params: { path: { id: randomUUID() } } });
      expect(missing.data).to.equal(undefined);
      expect(missing.error?.error.code).to.equal('message_not_found');
      const error = toMojeebApiError(missing);
      expect(error).to.be.instanceOf(MojeebNotFoundError);
      expect(error?.correlationId).to.equal(missing.response.headers.get('x-correlation-id'));
      expect(toMojeebApiError(health)).to.equal(null);
    });
  });

  describe('typed errors, one per error type the server produces', () => {
    it('authentication_error: a wrong key', async () => {
      const mojeeb = createMojeebClient({
        apiKey: 'mk_test_thisIsNotARealKey0000_0000000000',
        baseUrl: harness.server.baseUrl,
        fetch: validatingFetch,
      });
      const error = await rejection(mojeeb.whatsapp.sendTemplate(templateTo()));
      expect(error).to.be.instanceOf(MojeebAuthenticationError).and.instanceOf(MojeebApiError);
      const e = error as MojeebAuthenticationError;
      expect(e).to.include({
        status: 401,
        type: 'authentication_error',
        code: 'invalid_api_key',
        param: null,
        name: 'MojeebAuthenticationError',
      });
      expect(e.message).to.be.a('string').and.not.be.empty;
      expect(e.correlationId).to.match(/^req_/);
      expect(e.extras).to.deep.equal({});
      expect(e.idempotencyKey).to.match(UUID);
      expect(e.toJSON()).to.include({ code: 'invalid_api_key', status: 401, correlationId: e.correlationId });
    });

    it('permission_error: a read-only key sending, with required_scope', async () => {
      const t = await sdkTenant({ scopes: ['whatsapp:read'] });
      const error = await rejection(sdkClient({ apiKey: t.apiKey }).whatsapp.sendTemplate(t.template()));
      expect(error).to.be.instanceOf(MojeebPermissionError);
      expect(error).to.include({ status: 403, type: 'permission_error', code: 'insufficient_scope' });
      expect((error as MojeebPermissionError).extras.required_scope).to.equal('whatsapp:send');
    });

    it('validation_error: an unknown template, with param', async () => {
      const body = templateTo();
      const error = await rejection(
        sdkClient().whatsapp.sendTemplate({ ...body, template: { ...body.template, name: 'no_such_template' } }),
      );
      expect(error).to.be.instanceOf(MojeebValidationError);
      expect(error).to.include({ status: 422, type: 'validation_error', code: 'template_not_found', param: 'template.name' });
    });

    it('validation_error: text outside the window, with the window in extras', async () => {
      const f = harness.fixture;
      const error = await rejection(
        sdkClient().whatsapp.sendMessage({ agent_id: f.agentId, from: f.from, to: randomE164(), text: { body: 'Hello' } }),
      );
      expect(error).to.be.instanceOf(MojeebValidationError);
      const e = error as MojeebValidationError;
      expect(e.code).to.equal('customer_service_window_closed');
      expect(e.extras.window).to.include({ open: false });
    });

    it('validation_error: a number of another agent, with available_phones', async () => {
      const error = await rejection(sdkClient().whatsapp.sendTemplate({ ...templateTo(), from: randomE164() }));
      expect(error).to.include({ code: 'from_phone_not_found_for_agent', param: 'from' });
      expect((error as MojeebValidationError).extras.available_phones).to.deep.equal([harness.fixture.from]);
    });

    it('idempotency_error: a key reused with another body, with original_correlation_id', async () => {
      const mojeeb = sdkClient();
      const idempotencyKey = randomUUID();
      const first = await mojeeb.whatsapp.sendTemplate(templateTo(), { idempotencyKey });
      const error = await rejection(mojeeb.whatsapp.sendTemplate(templateTo(), { idempotencyKey }));
      expect(error).to.be.instanceOf(MojeebIdempotencyError);
      const e = error as MojeebIdempotencyError;
      expect(e).to.include({ status: 422, code: 'idempotency_key_in_use_with_different_params', idempotencyKey });
      expect(e.extras.original_correlation_id).to.equal(first.lastResponse.correlationId);
    });

    it('rate_limit_error: over the key’s limit, with Retry-After and the rate-limit headers', async function () {
      // It may wait for the next minute (awayFromMinuteBoundary): up to 10 s more than the default.
      this.timeout(30_000);
      const t = await sdkTenant({ rateLimitPerMinute: 1 });
      await awayFromMinuteBoundary(harness.db, 5);
      const mojeeb = sdkClient({ apiKey: t.apiKey, maxRetries: 0 });
      await mojeeb.whatsapp.sendTemplate(t.template());
      const error = await rejection(mojeeb.whatsapp.sendTemplate(t.template()));
      expect(error).to.be.instanceOf(MojeebRateLimitError);
      const e = error as MojeebRateLimitError;
      expect(e).to.include({ status: 429, code: 'rate_limit_exceeded' });
      expect(e.retryAfterSeconds).to.be.a('number').within(0, 60);
      expect(e.rateLimit).to.include({ limit: 1, remaining: 0 });
    });

    it('quota_error: a live key of an organization without quota left, with quota_limit', async () => {
      const t = await sdkTenant({ environment: 'live', quota: 0 });
      const error = await rejection(sdkClient({ apiKey: t.apiKey }).whatsapp.sendTemplate(t.template()));
      expect(error).to.be.instanceOf(MojeebQuotaError);
      expect(error).to.include({ status: 402, type: 'quota_error', code: 'message_quota_exceeded' });
      expect((error as MojeebQuotaError).extras.quota_limit).to.equal(0);
    });

    it('not_found_error: an unknown message id', async () => {
      const error = await rejection(sdkClient().whatsapp.getMessage(randomUUID()));
      expect(error).to.be.instanceOf(MojeebNotFoundError);
      expect(error).to.include({ status: 404, code: 'message_not_found', idempotencyKey: null });
    });

    it('a connection error when nothing listens, after the retries', async () => {
      const mojeeb = createMojeebClient({
        apiKey: harness.fixture.apiKey,
        baseUrl: 'http://127.0.0.1:2',
        maxRetries: 1,
        initialRetryDelayMs: 1,
      });
      const error = await rejection(mojeeb.whatsapp.sendTemplate(templateTo()));
      expect(error).to.be.instanceOf(MojeebConnectionError);
      expect(error).to.include({ attempts: 2 });
      expect((error as MojeebConnectionError).idempotencyKey).to.match(UUID);
      expect((error as Error).message).to.include('ECONNREFUSED');
    });
  });

  describe('options', () => {
    it('refuses invalid options with a MojeebConfigurationError', () => {
      const bad: Array<Record<string, unknown>> = [
        {},
        { apiKey: '' },
        { apiKey: 'mk_test_abc def' },
        { apiKey: 'mk_test_x', baseUrl: 'not a url' },
        { apiKey: 'mk_test_x', baseUrl: 'ftp://example.com' },
        { apiKey: 'mk_test_x', maxRetries: -1 },
        { apiKey: 'mk_test_x', maxRetries: 11 },
        { apiKey: 'mk_test_x', maxRetries: 1.5 },
        { apiKey: 'mk_test_x', timeoutMs: -5 },
        { apiKey: 'mk_test_x', timeoutMs: 0 },
      ];
      for (const options of bad) {
        expect(() => createMojeebClient(options as never), JSON.stringify(options)).to.throw(MojeebConfigurationError);
      }
    });

    it('defaults to the production base URL', () => {
      expect(createMojeebClient({ apiKey: 'mk_test_x' }).baseUrl).to.equal('https://api.mojeeb.app');
    });

    it('SDK_VERSION is the package version', () => {
      expect(SDK_VERSION).to.equal(JSON.parse(readRepoFile('sdk/package.json').toString('utf8')).version);
    });
  });
});
