/**
 * The Cloud API client against the fake Meta, over loopback: sends validated against Meta's
 * document, Meta's errors on demand, lost connections, template paging, and signed webhooks
 * posted back to a tiny receiver that verifies them like the real webhook route will.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { templateFromMeta } from '../../server/src/domain/templates.ts';
import { createCloudApiClient, MetaApiError, MetaTransportError, type CloudApiClient } from '../../server/src/whatsapp/cloud-api.ts';
import { buildMetaMessage } from '../../server/src/whatsapp/message-builder.ts';
import { classifyMetaError } from '../../server/src/whatsapp/meta-errors.ts';
import { verifyWebhookSignature } from '../../server/src/whatsapp/signature.ts';
import {
  parseWebhookBody,
  type InboundMessageEvent,
  type StatusEvent,
  type WebhookEvent,
} from '../../server/src/whatsapp/webhook-payload.ts';
import { startFakeMeta, type FakeMeta, type FakeMetaOptions } from '../support/fake-meta/index.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';

const APP_SECRET = 'fake-meta-app-secret';
const NUMBER = {
  phoneNumberId: '106540352242922',
  accessToken: 'EAAG-token-for-106540352242922',
  displayPhoneNumber: '15557654321',
  wabaId: '419561257915477',
};
const TO = '+15551234567';

interface Received {
  readonly raw: Buffer;
  readonly signatureValid: boolean;
  readonly events: WebhookEvent[];
}

/** A loopback receiver standing in for our webhook route: verifies the signature over the raw bytes, 401 when wrong. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const signatureValid = verifyWebhookSignature(raw, req.headers['x-hub-signature-256'], APP_SECRET);
      received.push({ raw, signatureValid, events: signatureValid ? parseWebhookBody(raw).events : [] });
      res.writeHead(signatureValid ? 200 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/whatsapp`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const statuses = (received: Received[]) => received.flatMap((r) => r.events).filter((e): e is StatusEvent => e.kind === 'status');

describe('fake Meta, driven by the Cloud API client', function () {
  this.timeout(60_000);
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let fake: FakeMeta;
  let api: CloudApiClient;
  const extraFakes: FakeMeta[] = [];

  async function anotherFake(options: FakeMetaOptions): Promise<FakeMeta> {
    const f = await startFakeMeta({ phoneNumbers: [NUMBER], webhook: { callbackUrl: receiver.url, appSecret: APP_SECRET }, ...options });
    extraFakes.push(f);
    return f;
  }

  before(async () => {
    receiver = await startReceiver();
    fake = await startFakeMeta({
      phoneNumbers: [NUMBER],
      templates: {
        [NUMBER.wabaId]: [
          ...EXAMPLE_TEMPLATES,
          ...Array.from({ length: 5 }, (_, i) => ({
            name: `promo_${i}`,
            language: 'en',
            status: 'APPROVED',
            category: 'MARKETING',
            components: [{ type: 'BODY', text: 'Hello {{1}}' }],
          })),
        ],
      },
      webhook: { callbackUrl: receiver.url, appSecret: APP_SECRET },
    });
    api = createCloudApiClient({ baseUrl: fake.url, graphVersion: 'v23.0', timeoutMs: 5_000 });
  });

  beforeEach(async () => {
    await fake.webhooksIdle();
    fake.reset();
    receiver.received.length = 0;
  });

  after(async () => {
    for (const f of extraFakes) await f.stop();
    await fake?.stop();
    await receiver?.close();
  });

  it("a text send: 200 with a wamid, the body valid against Meta's document, then signed sent → delivered → read webhooks carrying our id", async () => {
    const messageId = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
    const result = await api.sendMessage(
      NUMBER.phoneNumberId,
      NUMBER.accessToken,
      buildMetaMessage({ messageId, to: TO, content: { text: { body: 'Your order shipped: https://track.example/9001' } } }),
    );
    expect(result.wamid).to.match(/^wamid\.[A-Za-z0-9+/=]+$/);
    expect(result).to.deep.include({ messageStatus: 'accepted', waId: '15551234567' });
    expect(result.fbTraceId).to.be.a('string');

    expect(fake.requests).to.have.length(1);
    const request = fake.requests[0]!;
    expect(request).to.deep.include({
      outcome: 'accepted',
      tokenValid: true,
      graphVersion: 'v23.0',
      objectId: NUMBER.phoneNumberId,
      wamid: result.wamid,
    });
    expect(request.validation).to.deep.equal({ valid: true, errors: [] });
    expect(request.headers.authorization).to.equal('Bearer <redacted>');
    expect(fake.validator.validateSendResponse(request.response!.body).valid).to.equal(true);

    await fake.webhooksIdle();
    expect(receiver.received.every((r) => r.signatureValid)).to.equal(true);
    expect(fake.webhooks.every((w) => w.validation.valid && w.responseStatus === 200)).to.equal(true);
    const events = statuses(receiver.received);
    expect(events.map((e) => e.status)).to.deep.equal(['sent', 'delivered', 'read']);
    for (const event of events)
      expect(event).to.deep.include({
        wamid: result.wamid,
        callbackData: messageId,
        phoneNumberId: NUMBER.phoneNumberId,
        recipientId: '15551234567',
      });
    expect(events[0]!.timestamp.getTime()).to.be.lessThan(events[2]!.timestamp.getTime());
  });

  it('a template send built from an approved definition is valid and accepted', async () => {
    const definition = templateFromMeta(EXAMPLE_TEMPLATES[1]);
    const body = buildMetaMessage({
      messageId: 'a6b0c1d2-e3f4-4a5b-8c6d-7e8f9a0b1c2d',
      to: TO,
      template: definition,
      content: {
        template: {
          name: 'appointment_reminder',
          language: 'ar',
          parameters: { '1': 'سارة', '2': 'الثلاثاء' },
          header_media_url: 'https://cdn.example/map.jpg',
          buttons: [{ type: 'url', index: 0, value: 'a/9001' }],
        },
      },
    });
    const result = await api.sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, body);
    expect(result.messageStatus).to.equal('accepted');
    expect(fake.invalidRequests()).to.deep.equal([]);
    expect(fake.accepted.map((m) => m.callbackData)).to.deep.equal(['a6b0c1d2-e3f4-4a5b-8c6d-7e8f9a0b1c2d']);
  });

  it("a programmed error comes back as a MetaApiError with Meta's code, and classifies", async () => {
    fake.failNext({ code: 131056, httpStatus: 400, details: 'pair rate limit' });
    const body = buildMetaMessage({ messageId: 'm-1', to: TO, content: { text: { body: 'hi' } } });
    const error = (await api.sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, body).catch((e: unknown) => e)) as MetaApiError;
    expect(error).to.be.instanceOf(MetaApiError);
    expect(error).to.deep.include({ httpStatus: 400, code: 131056, details: 'pair rate limit', type: 'OAuthException' });
    expect(error.fbtraceId).to.be.a('string');
    expect(fake.validator.validateGraphError(fake.requests[0]!.response!.body).valid).to.equal(true);
    expect(classifyMetaError(error.code, error.details, error)).to.include({
      messageErrorCode: 'rate_limited',
      retry: 'backoff',
      perRecipient: true,
    });

    // failNext is used up: the next send goes through
    expect((await api.sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, body)).wamid).to.match(/^wamid\./);

    fake.failRecipient('+15550000047', { code: 131047 }, { count: 1 });
    const windowClosed = (await api
      .sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, { ...body, to: '+15550000047' })
      .catch((e: unknown) => e)) as MetaApiError;
    expect(windowClosed.code).to.equal(131047);
    expect(classifyMetaError(windowClosed.code)).to.include({ messageErrorCode: 'customer_service_window_closed', retry: 'never' });
  });

  it('a wrong token is a 401 with code 190 (an operator problem); the token is in no error or record', async () => {
    const body = buildMetaMessage({ messageId: 'm-2', to: TO, content: { text: { body: 'hi' } } });
    const error = (await api.sendMessage(NUMBER.phoneNumberId, 'EAAG-wrong-token', body).catch((e: unknown) => e)) as MetaApiError;
    expect(error).to.deep.include({ httpStatus: 401, code: 190 });
    expect(classifyMetaError(error.code)).to.include({ retry: 'operator', messageErrorCode: 'sending_number_unavailable' });
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.to.include('EAAG-wrong-token');
    expect(JSON.stringify(fake.requests)).not.to.include('EAAG-wrong-token');
    expect(fake.requests[0]).to.deep.include({ outcome: 'unauthorized', tokenValid: false });
  });

  it("a body Meta's document rejects is answered with (#100) and recorded as invalid", async () => {
    const bad = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: TO,
      type: 'text',
      text: { body: 'hi', bold: true },
    } as never;
    const error = (await api.sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, bad).catch((e: unknown) => e)) as MetaApiError;
    expect(error).to.deep.include({ httpStatus: 400, code: 100 });
    expect(error.details).to.match(/bold/);
    expect(fake.invalidRequests()).to.have.length(1);
    expect(fake.accepted).to.have.length(0);
  });

  it('a dropped connection after the request arrived is a MetaTransportError(requestMayHaveArrived) — and the webhooks still identify the message', async () => {
    fake.dropNext({ accepted: true });
    const messageId = '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b';
    const error = (await api
      .sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, buildMetaMessage({ messageId, to: TO, content: { text: { body: 'hi' } } }))
      .catch((e: unknown) => e)) as MetaTransportError;
    expect(error).to.be.instanceOf(MetaTransportError);
    expect(error).to.deep.include({ requestMayHaveArrived: true, reason: 'connection_reset' });
    expect(fake.requests[0]!.outcome).to.equal('dropped');
    expect(fake.accepted).to.have.length(1);

    // Reconciliation material: Meta did send it, and its statuses carry our id.
    await fake.webhooksIdle();
    const events = statuses(receiver.received);
    expect(events.map((e) => e.status)).to.deep.equal(['sent', 'delivered', 'read']);
    expect(events.every((e) => e.callbackData === messageId && e.wamid === fake.accepted[0]!.wamid)).to.equal(true);

    // What a blind retry would do — and how a test spots it: the same id accepted twice.
    expect(fake.duplicateSends()).to.deep.equal([]);
    await api.sendMessage(
      NUMBER.phoneNumberId,
      NUMBER.accessToken,
      buildMetaMessage({ messageId, to: TO, content: { text: { body: 'hi' } } }),
    );
    expect(fake.duplicateSends()).to.deep.equal([{ callbackData: messageId, count: 2 }]);
    expect(fake.stats().duplicateSends).to.equal(1);

    fake.dropNext(); // not accepted this time: nothing was sent
    const lost = await api
      .sendMessage(
        NUMBER.phoneNumberId,
        NUMBER.accessToken,
        buildMetaMessage({ messageId: 'm-3', to: TO, content: { text: { body: 'hi' } } }),
      )
      .catch((e: unknown) => e);
    expect(lost).to.be.instanceOf(MetaTransportError).and.deep.include({ requestMayHaveArrived: true });
    expect(fake.accepted).to.have.length(2);
  });

  it('no answer in time is a timeout that may have arrived; a closed port never arrived', async () => {
    fake.hangNext();
    const quick = createCloudApiClient({ baseUrl: fake.url, graphVersion: 'v23.0', timeoutMs: 200 });
    const body = buildMetaMessage({ messageId: 'm-4', to: TO, content: { text: { body: 'hi' } } });
    const timeout = (await quick
      .sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, body)
      .catch((e: unknown) => e)) as MetaTransportError;
    expect(timeout).to.be.instanceOf(MetaTransportError).and.deep.include({ reason: 'timeout', requestMayHaveArrived: true });

    const closed = await startFakeMeta();
    const closedUrl = closed.url;
    await closed.stop();
    const refused = (await createCloudApiClient({ baseUrl: closedUrl, graphVersion: 'v23.0', timeoutMs: 2_000 })
      .sendMessage('1', 'token', body)
      .catch((e: unknown) => e)) as MetaTransportError;
    expect(refused).to.be.instanceOf(MetaTransportError).and.deep.include({ reason: 'connection_refused', requestMayHaveArrived: false });
  });

  it('lists templates across pages; the follow-up requests do not carry the token Graph put in paging.next', async () => {
    const small = createCloudApiClient({ baseUrl: fake.url, graphVersion: 'v23.0', timeoutMs: 5_000, templatePageSize: 3 });
    const templates = await small.listTemplates(NUMBER.wabaId, NUMBER.accessToken);
    expect(templates.map((t) => t.name)).to.deep.equal([
      'order_shipped',
      'appointment_reminder',
      'promo_0',
      'promo_1',
      'promo_2',
      'promo_3',
      'promo_4',
    ]);
    expect(templates.map((t) => templateFromMeta(t).status)).to.deep.equal(Array(7).fill('APPROVED'));
    expect(fake.requests.map((r) => r.outcome)).to.deep.equal(['listed', 'listed', 'listed']);
    expect(fake.requests.every((r) => !r.tokenInQuery && r.tokenValid)).to.equal(true);
    for (const r of fake.requests) expect(fake.validator.validateTemplateList(r.response!.body).valid).to.equal(true);
    const denied = await api.listTemplates(NUMBER.wabaId, 'EAAG-other').catch((e: unknown) => e);
    expect(denied).to.be.instanceOf(MetaApiError).and.deep.include({ code: 190 });
  });

  it("an asynchronous failure arrives as a failed status with Meta's error; an inbound message as an inbound event", async () => {
    fake.failRecipientAsync('+15550000026', { code: 131026, details: 'Receiver is incapable of receiving this message' });
    const result = await api.sendMessage(
      NUMBER.phoneNumberId,
      NUMBER.accessToken,
      buildMetaMessage({ messageId: 'm-5', to: '+15550000026', content: { text: { body: 'hi' } } }),
    );
    const inboundWamid = fake.sendInbound({ phoneNumberId: NUMBER.phoneNumberId, from: TO, text: 'مرحبا / hello', replyTo: result.wamid });
    await fake.webhooksIdle();
    const events = receiver.received.flatMap((r) => r.events);
    const failed = events.find((e): e is StatusEvent => e.kind === 'status' && e.status === 'failed')!;
    expect(failed.wamid).to.equal(result.wamid);
    expect(failed.errors[0]).to.deep.include({ code: 131026, details: 'Receiver is incapable of receiving this message' });
    expect(classifyMetaError(failed.errors[0]!.code)).to.include({ messageErrorCode: 'recipient_unavailable', retry: 'never' });
    const inbound = events.find((e): e is InboundMessageEvent => e.kind === 'inbound')!;
    expect(inbound).to.deep.include({
      wamid: inboundWamid,
      from: TO,
      type: 'text',
      content: { body: 'مرحبا / hello' },
      phoneNumberId: NUMBER.phoneNumberId,
      displayPhoneNumber: NUMBER.displayPhoneNumber,
    });
    expect(inbound.context).to.deep.equal({ wamid: result.wamid, from: NUMBER.displayPhoneNumber });
    expect(receiver.received.some((r) => r.raw.includes('\\u0645'))).to.equal(true); // non-ASCII escaped, as Meta does
    expect(fake.webhooks.every((w) => w.validation.valid)).to.equal(true);
  });

  it('reversed, shuffled and duplicated webhooks, bounded in count', async () => {
    const reversed = await anotherFake({ order: 'reverse', duplicate: 1 });
    const client = createCloudApiClient({ baseUrl: reversed.url, graphVersion: 'v23.0', timeoutMs: 5_000 });
    const { wamid } = await client.sendMessage(
      NUMBER.phoneNumberId,
      NUMBER.accessToken,
      buildMetaMessage({ messageId: 'm-6', to: TO, content: { text: { body: 'hi' } } }),
    );
    await reversed.webhooksIdle();
    const seen = statuses(receiver.received)
      .filter((e) => e.wamid === wamid)
      .map((e) => e.status);
    expect(seen).to.have.length(6);
    expect(seen[0]).to.equal('read');
    expect(new Set(seen)).to.deep.equal(new Set(['sent', 'delivered', 'read']));
    expect(reversed.stats().webhooks.duplicates).to.equal(3);

    receiver.received.length = 0;
    const shuffled = await anotherFake({ order: 'shuffle', seed: 7, batchSize: 2, maxWebhooks: 4 });
    const shuffledClient = createCloudApiClient({ baseUrl: shuffled.url, graphVersion: 'v23.0', timeoutMs: 5_000 });
    for (let i = 0; i < 5; i++)
      await shuffledClient.sendMessage(
        NUMBER.phoneNumberId,
        NUMBER.accessToken,
        buildMetaMessage({ messageId: `s-${i}`, to: TO, content: { text: { body: `${i}` } } }),
      );
    await shuffled.webhooksIdle();
    const stats = shuffled.stats();
    expect(stats.webhooks.posted).to.be.at.most(4);
    expect(stats.webhooks.dropped).to.be.greaterThan(0);
    expect(receiver.received.length).to.equal(stats.webhooks.posted);
    expect(receiver.received.every((r) => r.signatureValid && r.events.length <= 2)).to.equal(true);
  });

  it('a webhook with a wrong or missing signature is refused by the receiver', async () => {
    const payload = { object: 'whatsapp_business_account', entry: [] };
    expect((await fake.deliverWebhook(payload, { signature: 'invalid' })).responseStatus).to.equal(401);
    expect((await fake.deliverWebhook(payload, { signature: 'missing' })).responseStatus).to.equal(401);
    expect((await fake.deliverWebhook(payload)).responseStatus).to.equal(200);
    expect(receiver.received.map((r) => r.signatureValid)).to.deep.equal([false, false, true]);
  });

  it("answers 130429 above a number's throughput and reports the highest rate it saw", async () => {
    const limited = await anotherFake({ throughputPerNumber: 3, statusFlow: [] });
    const client = createCloudApiClient({ baseUrl: limited.url, graphVersion: 'v23.0', timeoutMs: 5_000 });
    const body = buildMetaMessage({ messageId: 'm-7', to: TO, content: { text: { body: 'hi' } } });
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () =>
        client.sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, body).then(
          () => 'ok',
          (e: MetaApiError) => e.code,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'ok')).to.have.length(3);
    expect(outcomes.filter((o) => o === 130429)).to.have.length(2);
    expect(limited.stats().maxPerSecondByNumber[NUMBER.phoneNumberId]).to.equal(5);
  });

  it('stop() closes the server, the hung requests and the webhook queue', async () => {
    const f = await startFakeMeta({
      phoneNumbers: [NUMBER],
      webhook: { callbackUrl: receiver.url, appSecret: APP_SECRET },
      firstStatusDelayMs: 10_000,
    });
    const client = createCloudApiClient({ baseUrl: f.url, graphVersion: 'v23.0', timeoutMs: 5_000 });
    const body = buildMetaMessage({ messageId: 'm-8', to: TO, content: { text: { body: 'hi' } } });
    await client.sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, body);
    f.hangNext();
    const hung = client.sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, body).catch((e: unknown) => e);
    while (f.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await f.stop();
    expect(await hung).to.be.instanceOf(MetaTransportError);
    expect(Date.now() - started).to.be.lessThan(2_000);
    expect(f.stats().webhooks.pending).to.equal(0);
    const after = await client.sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, body).catch((e: unknown) => e);
    expect(after).to.be.instanceOf(MetaTransportError).and.deep.include({ requestMayHaveArrived: false });
  });
});
