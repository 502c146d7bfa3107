/**
 * The SDK's webhooks: endpoint management and the event log against the run's server (every
 * response validated against openapi.yaml), and `webhooks.verify`, which returns an event typed
 * by its `type` and throws a typed error for a bad signature or a stale timestamp.
 */
import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import { MojeebNotFoundError, MojeebWebhookVerificationError, webhooks, type WebhookEvent } from '@mojeeb/sdk';
import { signedHeaders } from '../../server/src/domain/webhooks/signing.ts';
import { randomE164 } from '../support/tenants.ts';
import { sdkClient, sdkTenant } from './support.ts';

/** Narrowing on `type`: a compile error here if the union stops narrowing. */
function describeEvent(event: WebhookEvent): string {
  switch (event.type) {
    case 'message.received':
      return `from ${event.data.object.from}: ${event.data.object.text?.body ?? event.data.object.type}`;
    case 'message.failed':
      return `failed: ${event.data.object.error?.code ?? ''}`;
    default:
      return `${event.data.object.id} is ${event.data.object.status}`;
  }
}

describe('SDK: webhooks', () => {
  it('manages endpoints and reads, gets and redelivers events', async () => {
    const { tenant, apiKey } = await sdkTenant({ scopes: ['whatsapp:send', 'webhooks:manage'] });
    const mojeeb = sdkClient({ apiKey });
    const created = await mojeeb.webhooks.createEndpoint({ url: 'http://127.0.0.1:9/hooks', enabled_events: ['message.received'] });
    expect(created.secret).to.match(/^whsec_/);
    expect((await mojeeb.webhooks.getEndpoint(created.id)).url).to.equal('http://127.0.0.1:9/hooks');
    expect((await mojeeb.webhooks.updateEndpoint(created.id, { description: 'CRM' })).description).to.equal('CRM');
    const rotated = await mojeeb.webhooks.rotateSecret(created.id);
    expect(rotated.secret).to.not.equal(created.secret);
    expect((await mojeeb.webhooks.listEndpoints({ limit: 10 })).data.map((e) => e.id)).to.deep.equal([created.id]);

    const raw = await mojeeb.raw.POST('/v1/whatsapp/sandbox/inbound', {
      body: { agent_id: tenant.agent.id, from: tenant.from, to: randomE164(), text: { body: 'Hi there' } },
    });
    expect(raw.response.status).to.equal(200);
    const page = await mojeeb.webhooks.listEvents({ type: 'message.received' });
    expect(page.data).to.have.length(1);
    expect(describeEvent(page.data[0]!)).to.equal(`from ${raw.data!.to}: Hi there`);
    const detail = await mojeeb.webhooks.getEvent(page.data[0]!.id);
    expect(detail.delivery_attempts).to.be.an('array');
    expect((await mojeeb.webhooks.redeliverEvent(page.data[0]!.id, created.id)).status).to.equal('queued');

    expect((await mojeeb.webhooks.deleteEndpoint(created.id)).deleted).to.equal(true);
    let error: unknown;
    try {
      await mojeeb.webhooks.getEndpoint(created.id);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(MojeebNotFoundError);
    expect((error as MojeebNotFoundError).code).to.equal('webhook_endpoint_not_found');
  });

  it('verify: accepts what standardwebhooks signs, refuses a wrong secret, a tampered body, a stale timestamp and missing headers', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = JSON.stringify({
      id: 'evt_0f8e7d6c5b4a39281706f5e4d3c2b1a0',
      object: 'event',
      type: 'message.delivered',
      created_at: '2026-04-30T09:18:31Z',
      livemode: false,
      data: { object: { id: 'x', status: 'delivered' } },
    });
    const at = new Date();
    const oracle = new Webhook(secret).sign('evt_0f8e7d6c5b4a39281706f5e4d3c2b1a0', at, body);
    const headers = {
      'webhook-id': 'evt_0f8e7d6c5b4a39281706f5e4d3c2b1a0',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': oracle,
    };
    expect((await webhooks.verify(body, headers, secret)).type).to.equal('message.delivered');
    expect(
      (await webhooks.verify(Buffer.from(body), new Headers(headers), ['whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', secret])).id,
    ).to.equal(headers['webhook-id']);
    // Our own signer, with two secrets (a rotation), verifies with either.
    const ours = signedHeaders(
      ['whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', secret],
      headers['webhook-id'],
      Number(headers['webhook-timestamp']),
      body,
    );
    expect((await webhooks.verify(body, ours, secret)).id).to.equal(headers['webhook-id']);

    const reason = async (fn: () => Promise<unknown>): Promise<string> => {
      try {
        await fn();
      } catch (e) {
        expect(e).to.be.instanceOf(MojeebWebhookVerificationError);
        return (e as MojeebWebhookVerificationError).reason;
      }
      return 'accepted';
    };
    expect(await reason(() => webhooks.verify(body, headers, 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))).to.equal('invalid_signature');
    expect(await reason(() => webhooks.verify(body.replace('delivered', 'read'), headers, secret))).to.equal('invalid_signature');
    expect(await reason(() => webhooks.verify(body, headers, secret, { now: new Date(at.getTime() + 301_000) }))).to.equal(
      'timestamp_out_of_tolerance',
    );
    expect(await reason(() => webhooks.verify(body, { 'webhook-id': headers['webhook-id'] }, secret))).to.equal('missing_headers');
  });
});
