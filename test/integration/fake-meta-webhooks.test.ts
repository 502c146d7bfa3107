/**
 * The webhooks the fake Meta posts back, signed, to a loopback receiver that verifies them like
 * our webhook route: asynchronous failures and inbound messages, reversed, shuffled and
 * duplicated delivery, wrong signatures; and stop() ending everything in flight.
 */
import { expect } from 'chai';
import { createCloudApiClient, MetaTransportError } from '../../server/src/whatsapp/cloud-api.ts';
import { buildMetaMessage } from '../../server/src/whatsapp/message-builder.ts';
import { classifyMetaError } from '../../server/src/whatsapp/meta-errors.ts';
import type { InboundMessageEvent, StatusEvent } from '../../server/src/whatsapp/webhook-payload.ts';
import { startFakeMeta } from '../support/fake-meta/index.ts';
import { APP_SECRET, fakeMetaSuite, NUMBER, statuses, TO } from './fake-meta-support.ts';

describe('fake Meta, driven by the Cloud API client', function () {
  this.timeout(60_000);
  const meta = fakeMetaSuite();

  it("an asynchronous failure arrives as a failed status with Meta's error; an inbound message as an inbound event", async () => {
    meta.fake.failRecipientAsync('+15550000026', { code: 131026, details: 'Receiver is incapable of receiving this message' });
    const result = await meta.api.sendMessage(
      NUMBER.phoneNumberId,
      NUMBER.accessToken,
      buildMetaMessage({ messageId: 'm-5', to: '+15550000026', content: { text: { body: 'hi' } } }),
    );
    const inboundWamid = meta.fake.sendInbound({
      phoneNumberId: NUMBER.phoneNumberId,
      from: TO,
      text: 'مرحبا / hello',
      replyTo: result.wamid,
    });
    await meta.fake.webhooksIdle();
    const events = meta.receiver.received.flatMap((r) => r.events);
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
    expect(meta.receiver.received.some((r) => r.raw.includes('\\u0645'))).to.equal(true); // non-ASCII escaped, as Meta does
    expect(meta.fake.webhooks.every((w) => w.validation.valid)).to.equal(true);
  });

  it('reversed, shuffled and duplicated webhooks, bounded in count', async () => {
    const reversed = await meta.anotherFake({ order: 'reverse', duplicate: 1 });
    const client = createCloudApiClient({ baseUrl: reversed.url, graphVersion: 'v23.0', timeoutMs: 5_000 });
    const { wamid } = await client.sendMessage(
      NUMBER.phoneNumberId,
      NUMBER.accessToken,
      buildMetaMessage({ messageId: 'm-6', to: TO, content: { text: { body: 'hi' } } }),
    );
    await reversed.webhooksIdle();
    const seen = statuses(meta.receiver.received)
      .filter((e) => e.wamid === wamid)
      .map((e) => e.status);
    expect(seen).to.have.length(6);
    expect(seen[0]).to.equal('read');
    expect(new Set(seen)).to.deep.equal(new Set(['sent', 'delivered', 'read']));
    expect(reversed.stats().webhooks.duplicates).to.equal(3);

    meta.receiver.received.length = 0;
    const shuffled = await meta.anotherFake({ order: 'shuffle', seed: 7, batchSize: 2, maxWebhooks: 4 });
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
    expect(meta.receiver.received.length).to.equal(stats.webhooks.posted);
    expect(meta.receiver.received.every((r) => r.signatureValid && r.events.length <= 2)).to.equal(true);
  });

  it('a webhook with a wrong or missing signature is refused by the receiver', async () => {
    const payload = { object: 'whatsapp_business_account', entry: [] };
    expect((await meta.fake.deliverWebhook(payload, { signature: 'invalid' })).responseStatus).to.equal(401);
    expect((await meta.fake.deliverWebhook(payload, { signature: 'missing' })).responseStatus).to.equal(401);
    expect((await meta.fake.deliverWebhook(payload)).responseStatus).to.equal(200);
    expect(meta.receiver.received.map((r) => r.signatureValid)).to.deep.equal([false, false, true]);
  });

  it('stop() closes the server, the hung requests and the webhook queue', async () => {
    const f = await startFakeMeta({
      phoneNumbers: [NUMBER],
      webhook: { callbackUrl: meta.receiver.url, appSecret: APP_SECRET },
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
