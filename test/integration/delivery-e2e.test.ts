/**
 * Delivery end to end, all real and on loopback: the API server (with Meta's webhook endpoint),
 * the delivery worker (graphile-worker) and the fake Meta, which validates every request against
 * Meta's own OpenAPI document and posts signed webhooks back.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startDeliveryWorker, type DeliveryWorker } from '../../server/src/delivery/worker.ts';
import { SANDBOX_RECIPIENTS } from '../../server/src/delivery/sandbox.ts';
import { createConnection } from '../../server/src/domain/agents.ts';
import { SecretBox } from '../../server/src/domain/secrets.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { createCloudApiClient } from '../../server/src/whatsapp/cloud-api.ts';
import type { ContractClient, ContractResponse } from '../support/contract.ts';
import { startFakeMeta, type FakeMeta } from '../support/fake-meta/index.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness, startServer, type TestServer } from '../support/harness.ts';
import { newTenant, randomE164, type Tenant } from '../support/tenants.ts';
import { runAdmin } from '../support/processes.ts';

const APP_SECRET = randomBytes(16).toString('hex');
const VERIFY_TOKEN = 'verify-me';

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('delivery end to end (server → worker → fake Meta → shuffled, duplicated, signed webhooks)', function () {
  this.timeout(90_000);
  let fake: FakeMeta;
  let server: TestServer;
  let worker: DeliveryWorker;
  let tenant: Tenant;
  let live: ContractClient;
  let test: ContractClient;
  let metaNumber: string;
  const phoneNumberId = String(100_000_000_000_000 + Math.floor(Math.random() * 1e12));
  const accessToken = `EAAG${randomBytes(24).toString('hex')}`;
  const secrets = new SecretBox(randomBytes(32));

  before(async () => {
    // Webhooks shuffled within each flush window and half of them delivered twice.
    fake = await startFakeMeta({
      phoneNumbers: [{ phoneNumberId, accessToken }],
      firstStatusDelayMs: 20,
      statusDelayMs: 40,
      order: 'shuffle',
      duplicate: 0.5,
      seed: 11,
    });
    server = await startServer({ db: harness.db, metaAppSecret: APP_SECRET, metaVerifyToken: VERIFY_TOKEN });
    fake.setWebhookTarget({ callbackUrl: `${server.baseUrl}/webhooks/whatsapp`, appSecret: APP_SECRET });
    tenant = await newTenant(harness.db);
    metaNumber = randomE164();
    const connection = await createConnection(
      harness.db,
      { agentId: tenant.agent.id, phoneNumber: metaNumber, phoneNumberId, accessToken, wabaId: '1029384756' },
      secrets,
    );
    for (const t of EXAMPLE_TEMPLATES) await upsertTemplate(harness.db, connection.id, templateFromMeta(t));
    const sandboxConnection = await harness
      .db('whatsapp_connections')
      .where({ agent_id: tenant.agent.id, phone_number: tenant.from })
      .first('id');
    for (const t of EXAMPLE_TEMPLATES) await upsertTemplate(harness.db, sandboxConnection.id, templateFromMeta(t));
    live = server.anonymous.withKey((await tenant.key({ environment: 'live', rateLimitPerMinute: 10_000 })).plaintext);
    test = server.anonymous.withKey((await tenant.key({ environment: 'test', rateLimitPerMinute: 10_000 })).plaintext);
    worker = await startDeliveryWorker({
      connectionString: harness.database.connectionString,
      concurrency: 4,
      pollIntervalMs: 200,
      deps: {
        db: harness.db,
        cloudApi: createCloudApiClient({ baseUrl: fake.url, graphVersion: 'v23.0', timeoutMs: 5_000 }),
        secrets,
        logger: silentLogger,
        sandboxStepMs: 50,
      },
    });
  });

  after(async () => {
    await worker?.stop();
    await server?.close();
    await fake?.stop();
  });

  const statusOf = async (client: ContractClient, id: string): Promise<ContractResponse> => client.get(`/v1/whatsapp/messages/${id}`);

  it('answers Meta’s subscription check only with the right verify token', async () => {
    const ok = await server.anonymous.get(
      `/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(ok.status).to.equal(200);
    expect(ok.text).to.equal('1158201444');
    const wrong = await server.anonymous.get('/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1');
    expect(wrong.status).to.equal(403);
  });

  it('delivers a text and a template through Meta: sent, delivered and read, with timestamps', async () => {
    const customer = randomE164();
    // The customer writes first (an inbound webhook), which opens the window for text.
    fake.sendInbound({ phoneNumberId, from: customer, text: 'Where is my order?' });
    const text = { agent_id: tenant.agent.id, from: metaNumber, to: customer, text: { body: 'It ships today.' } };
    await until(
      'the inbound message to open the window',
      async () => (await live.post('/v1/whatsapp/messages', text, { headers: { 'Idempotency-Key': 'e2e-text' } })).status === 202,
    );
    const sentText = await live.post('/v1/whatsapp/messages', text, { headers: { 'Idempotency-Key': 'e2e-text' } });
    const sentTemplate = await live.post('/v1/whatsapp/templates', {
      agent_id: tenant.agent.id,
      from: metaNumber,
      to: customer,
      template: {
        name: 'appointment_reminder',
        language: 'ar',
        parameters: { '1': 'Sara', '2': 'tomorrow' },
        header_media_url: 'https://cdn.example/map.jpg',
        buttons: [{ type: 'url', index: 0, value: 'a/1' }],
      },
    });
    expect(sentTemplate.status, sentTemplate.text).to.equal(202);

    for (const id of [sentText.body.id, sentTemplate.body.id]) {
      await until(`message ${id} to be read`, async () => (await statusOf(live, id)).body.status === 'read');
      const message = (await statusOf(live, id)).body;
      expect(message.platform_message_id).to.match(/^wamid\./);
      for (const field of ['sent_at', 'delivered_at', 'read_at']) expect(message[field], field).to.be.a('string');
      expect(Date.parse(message.sent_at)).to.be.at.most(Date.parse(message.delivered_at));
      expect(Date.parse(message.delivered_at)).to.be.at.most(Date.parse(message.read_at));
      expect(message.conversation_id).to.equal(sentText.body.conversation_id);
    }
    expect(fake.accepted.map((a) => a.callbackData)).to.include.members([sentText.body.id, sentTemplate.body.id]);
    expect(fake.invalidRequests(), 'every request Meta received is valid against its document').to.deep.equal([]);
    expect(fake.duplicateSends()).to.deep.equal([]);
  });

  it('fails a message with the mapped error when Meta refuses it, without retrying a final error', async () => {
    const customer = randomE164();
    fake.failRecipient(customer, { code: 131026, httpStatus: 400 });
    const sent = await live.post('/v1/whatsapp/templates', {
      agent_id: tenant.agent.id,
      from: metaNumber,
      to: customer,
      template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'S', tracking_url: 'https://t.example' } },
    });
    await until('the failure', async () => (await statusOf(live, sent.body.id)).body.status === 'failed');
    const message = (await statusOf(live, sent.body.id)).body;
    expect(message.error).to.include({ code: 'recipient_unavailable', meta_error_code: 131026 });
    expect(message.failed_at).to.be.a('string');
    expect(fake.requests.filter((r) => (r.body as { to?: string } | undefined)?.to === customer)).to.have.length(1);
  });

  it('changes nothing for a webhook with a bad signature', async () => {
    const customer = randomE164();
    const before = await harness.db('conversations').where({ customer_number: customer }).count('id as n').first();
    const record = await fake.deliverWebhook(
      {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '1029384756',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: metaNumber.slice(1), phone_number_id: phoneNumberId },
                  contacts: [{ profile: { name: 'X' }, wa_id: customer.slice(1) }],
                  messages: [
                    {
                      from: customer.slice(1),
                      id: `wamid.${randomUUID()}`,
                      timestamp: String(Math.floor(Date.now() / 1000)),
                      type: 'text',
                      text: { body: 'forged' },
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
      { signature: 'invalid' },
    );
    expect(record.responseStatus).to.equal(401);
    expect(await harness.db('conversations').where({ customer_number: customer }).count('id as n').first()).to.deep.equal(before);
  });

  it('records an access-token error on the number for operators (connection list), and keeps the message for a retry', async () => {
    const customer = randomE164();
    fake.failRecipient(customer, { code: 190, httpStatus: 401, details: 'Error validating access token: Session has expired.' });
    const sent = await live.post('/v1/whatsapp/templates', {
      agent_id: tenant.agent.id,
      from: metaNumber,
      to: customer,
      template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'S', tracking_url: 'https://t.example' } },
    });
    const alert = async () =>
      (await harness.db('whatsapp_connections').where({ phone_number: metaNumber }).first('last_delivery_error')).last_delivery_error;
    await until('the alert', async () => (await alert()) !== null);
    expect(await alert()).to.include({ meta_error_code: 190 });
    const listed = await runAdmin(['connection', 'list', '--agent', tenant.agent.id], {
      env: { DATABASE_URL: harness.database.connectionString },
    });
    expect(listed.stdout).to.match(new RegExp(`ALERT \\${metaNumber}: WhatsApp refused sends \\(error 190`));
    const message = (await statusOf(live, sent.body.id)).body;
    expect(message.status, 'not failed and not a 401 for the integrator: retried later').to.equal('queued');
  });

  describe('sandbox', () => {
    it('takes a test-key message to read, step by step, without calling Meta', async () => {
      const requestsBefore = fake.requests.length;
      const sent = await test.post('/v1/whatsapp/templates', {
        agent_id: tenant.agent.id,
        from: tenant.from,
        to: randomE164(),
        template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'S', tracking_url: 'https://t.example' } },
      });
      await until('read', async () => (await statusOf(test, sent.body.id)).body.status === 'read');
      const message = (await statusOf(test, sent.body.id)).body;
      expect(message.platform_message_id).to.match(/^wamid\.sandbox\./);
      expect(fake.requests.length).to.equal(requestsBefore);
    });

    for (const [number, magic] of Object.entries(SANDBOX_RECIPIENTS)) {
      const type = magic.appliesTo[0]!;
      const expected = magic.outcome.kind === 'failed' ? `failed: ${magic.outcome.error.code}` : magic.outcome.kind;
      it(`${number} (${type}) → ${expected}`, async () => {
        const body =
          type === 'text'
            ? { agent_id: tenant.agent.id, from: tenant.from, to: number, text: { body: 'hi' } }
            : {
                agent_id: tenant.agent.id,
                from: tenant.from,
                to: number,
                template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'S', tracking_url: 'u' } },
              };
        if (type === 'text') {
          const { recordInboundMessage } = await import('../../server/src/domain/conversations.ts');
          await recordInboundMessage(harness.db, {
            businessNumber: tenant.from,
            customerNumber: number,
            platformMessageId: null,
            type: 'text',
            content: {},
            receivedAt: new Date(),
          });
        }
        const sent = await test.post(type === 'text' ? '/v1/whatsapp/messages' : '/v1/whatsapp/templates', body);
        expect(sent.status, sent.text).to.equal(202);
        const final = magic.outcome.kind === 'failed' ? 'failed' : magic.outcome.kind;
        await until(final, async () => (await statusOf(test, sent.body.id)).body.status === final);
        const message = (await statusOf(test, sent.body.id)).body;
        if (magic.outcome.kind === 'failed') {
          expect(message.error).to.include({ code: magic.outcome.error.code, meta_error_code: magic.outcome.error.metaErrorCode });
        } else {
          await new Promise((r) => setTimeout(r, 300));
          expect((await statusOf(test, sent.body.id)).body.status, 'stays delivered (read receipts off)').to.equal('delivered');
        }
      });
    }
  });
});
