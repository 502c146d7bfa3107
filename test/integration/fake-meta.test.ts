/**
 * The Cloud API client against the fake Meta, over loopback: sends validated against Meta's
 * document, Meta's errors on demand, lost connections and timeouts, template paging, and the
 * throughput limit. The webhooks it posts back: fake-meta-webhooks.test.ts.
 */
import { expect } from 'chai';
import { templateFromMeta } from '../../server/src/domain/templates.ts';
import { createCloudApiClient, MetaApiError, MetaTransportError } from '../../server/src/whatsapp/cloud-api.ts';
import { buildMetaMessage } from '../../server/src/whatsapp/message-builder.ts';
import { classifyMetaError } from '../../server/src/whatsapp/meta-errors.ts';
import { startFakeMeta } from '../support/fake-meta/index.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { fakeMetaSuite, NUMBER, statuses, TO } from './fake-meta-support.ts';

describe('fake Meta, driven by the Cloud API client', function () {
  this.timeout(60_000);
  const meta = fakeMetaSuite();

  it("a text send: 200 with a wamid, the body valid against Meta's document, then signed sent → delivered → read webhooks carrying our id", async () => {
    const messageId = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
    const result = await meta.api.sendMessage(
      NUMBER.phoneNumberId,
      NUMBER.accessToken,
      buildMetaMessage({ messageId, to: TO, content: { text: { body: 'Your order shipped: https://track.example/9001' } } }),
    );
    expect(result.wamid).to.match(/^wamid\.[A-Za-z0-9+/=]+$/);
    expect(result).to.deep.include({ messageStatus: 'accepted', waId: '15551234567' });
    expect(result.fbTraceId).to.be.a('string');

    expect(meta.fake.requests).to.have.length(1);
    const request = meta.fake.requests[0]!;
    expect(request).to.deep.include({
      outcome: 'accepted',
      tokenValid: true,
      graphVersion: 'v23.0',
      objectId: NUMBER.phoneNumberId,
      wamid: result.wamid,
    });
    expect(request.validation).to.deep.equal({ valid: true, errors: [] });
    expect(request.headers.authorization).to.equal('Bearer <redacted>');
    expect(meta.fake.validator.validateSendResponse(request.response!.body).valid).to.equal(true);

    await meta.fake.webhooksIdle();
    expect(meta.receiver.received.every((r) => r.signatureValid)).to.equal(true);
    expect(meta.fake.webhooks.every((w) => w.validation.valid && w.responseStatus === 200)).to.equal(true);
    const events = statuses(meta.receiver.received);
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
    const result = await meta.api.sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, body);
    expect(result.messageStatus).to.equal('accepted');
    expect(meta.fake.invalidRequests()).to.deep.equal([]);
    expect(meta.fake.accepted.map((m) => m.callbackData)).to.deep.equal(['a6b0c1d2-e3f4-4a5b-8c6d-7e8f9a0b1c2d']);
  });

  it("a programmed error comes back as a MetaApiError with Meta's code, and classifies", async () => {
    meta.fake.failNext({ code: 131056, httpStatus: 400, details: 'pair rate limit' });
    const body = buildMetaMessage({ messageId: 'm-1', to: TO, content: { text: { body: 'hi' } } });
    const error = (await meta.api.sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, body).catch((e: unknown) => e)) as MetaApiError;
    expect(error).to.be.instanceOf(MetaApiError);
    expect(error).to.deep.include({ httpStatus: 400, code: 131056, details: 'pair rate limit', type: 'OAuthException' });
    expect(error.fbtraceId).to.be.a('string');
    expect(meta.fake.validator.validateGraphError(meta.fake.requests[0]!.response!.body).valid).to.equal(true);
    expect(classifyMetaError(error.code, error.details, error)).to.include({
      messageErrorCode: 'rate_limited',
      retry: 'backoff',
      perRecipient: true,
    });

    // failNext is used up: the next send goes through
    expect((await meta.api.sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, body)).wamid).to.match(/^wamid\./);

    meta.fake.failRecipient('+15550000047', { code: 131047 }, { count: 1 });
    const windowClosed = (await meta.api
      .sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, { ...body, to: '+15550000047' })
      .catch((e: unknown) => e)) as MetaApiError;
    expect(windowClosed.code).to.equal(131047);
    expect(classifyMetaError(windowClosed.code)).to.include({ messageErrorCode: 'customer_service_window_closed', retry: 'never' });
  });

  it('a wrong token is a 401 with code 190 (an operator problem); the token is in no error or record', async () => {
    const body = buildMetaMessage({ messageId: 'm-2', to: TO, content: { text: { body: 'hi' } } });
    const error = (await meta.api.sendMessage(NUMBER.phoneNumberId, 'EAAG-wrong-token', body).catch((e: unknown) => e)) as MetaApiError;
    expect(error).to.deep.include({ httpStatus: 401, code: 190 });
    expect(classifyMetaError(error.code)).to.include({ retry: 'operator', messageErrorCode: 'sending_number_unavailable' });
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.to.include('EAAG-wrong-token');
    expect(JSON.stringify(meta.fake.requests)).not.to.include('EAAG-wrong-token');
    expect(meta.fake.requests[0]).to.deep.include({ outcome: 'unauthorized', tokenValid: false });
  });

  it("a body Meta's document rejects is answered with (#100) and recorded as invalid", async () => {
    const bad = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: TO,
      type: 'text',
      text: { body: 'hi', bold: true },
    } as never;
    const error = (await meta.api.sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, bad).catch((e: unknown) => e)) as MetaApiError;
    expect(error).to.deep.include({ httpStatus: 400, code: 100 });
    expect(error.details).to.match(/bold/);
    expect(meta.fake.invalidRequests()).to.have.length(1);
    expect(meta.fake.accepted).to.have.length(0);
  });

  it('a dropped connection after the request arrived is a MetaTransportError(requestMayHaveArrived) — and the webhooks still identify the message', async () => {
    meta.fake.dropNext({ accepted: true });
    const messageId = '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b';
    const error = (await meta.api
      .sendMessage(NUMBER.phoneNumberId, NUMBER.accessToken, buildMetaMessage({ messageId, to: TO, content: { text: { body: 'hi' } } }))
      .catch((e: unknown) => e)) as MetaTransportError;
    expect(error).to.be.instanceOf(MetaTransportError);
    expect(error).to.deep.include({ requestMayHaveArrived: true, reason: 'connection_reset' });
    expect(meta.fake.requests[0]!.outcome).to.equal('dropped');
    expect(meta.fake.accepted).to.have.length(1);

    // Reconciliation material: Meta did send it, and its statuses carry our id.
    await meta.fake.webhooksIdle();
    const events = statuses(meta.receiver.received);
    expect(events.map((e) => e.status)).to.deep.equal(['sent', 'delivered', 'read']);
    expect(events.every((e) => e.callbackData === messageId && e.wamid === meta.fake.accepted[0]!.wamid)).to.equal(true);

    // What a blind retry would do — and how a test spots it: the same id accepted twice.
    expect(meta.fake.duplicateSends()).to.deep.equal([]);
    await meta.api.sendMessage(
      NUMBER.phoneNumberId,
      NUMBER.accessToken,
      buildMetaMessage({ messageId, to: TO, content: { text: { body: 'hi' } } }),
    );
    expect(meta.fake.duplicateSends()).to.deep.equal([{ callbackData: messageId, count: 2 }]);
    expect(meta.fake.stats().duplicateSends).to.equal(1);

    meta.fake.dropNext(); // not accepted this time: nothing was sent
    const lost = await meta.api
      .sendMessage(
        NUMBER.phoneNumberId,
        NUMBER.accessToken,
        buildMetaMessage({ messageId: 'm-3', to: TO, content: { text: { body: 'hi' } } }),
      )
      .catch((e: unknown) => e);
    expect(lost).to.be.instanceOf(MetaTransportError).and.deep.include({ requestMayHaveArrived: true });
    expect(meta.fake.accepted).to.have.length(2);
  });

  it('no answer in time is a timeout that may have arrived; a closed port never arrived', async () => {
    meta.fake.hangNext();
    const quick = createCloudApiClient({ baseUrl: meta.fake.url, graphVersion: 'v23.0', timeoutMs: 200 });
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
    const small = createCloudApiClient({ baseUrl: meta.fake.url, graphVersion: 'v23.0', timeoutMs: 5_000, templatePageSize: 3 });
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
    expect(meta.fake.requests.map((r) => r.outcome)).to.deep.equal(['listed', 'listed', 'listed']);
    expect(meta.fake.requests.every((r) => !r.tokenInQuery && r.tokenValid)).to.equal(true);
    for (const r of meta.fake.requests) expect(meta.fake.validator.validateTemplateList(r.response!.body).valid).to.equal(true);
    const denied = await meta.api.listTemplates(NUMBER.wabaId, 'EAAG-other').catch((e: unknown) => e);
    expect(denied).to.be.instanceOf(MetaApiError).and.deep.include({ code: 190 });
  });

  it("answers 130429 above a number's throughput and reports the highest rate it saw", async () => {
    const limited = await meta.anotherFake({ throughputPerNumber: 3, statusFlow: [] });
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
});
