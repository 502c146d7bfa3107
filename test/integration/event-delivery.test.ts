/**
 * Events end to end, all real and on loopback: the API server, the message-delivery worker, the
 * event runner, the fake Meta (signed inbound webhooks) and local receivers. Each delivery is
 * verified with the npm `standardwebhooks` library (an independent implementation of the
 * scheme) and with the SDK's `webhooks.verify`.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import { startEventWorker } from '../../server/src/delivery/events/runner.ts';
import { startDeliveryWorker, type DeliveryWorker } from '../../server/src/delivery/worker.ts';
import { createConnection } from '../../server/src/domain/agents.ts';
import { SecretBox } from '../../server/src/domain/secrets.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { createCloudApiClient } from '../../server/src/whatsapp/cloud-api.ts';
import { registry } from '../../server/src/metrics.ts';
import { webhooks } from '../../sdk/src/index.ts';
import { runAdmin } from '../support/processes.ts';
import type { ContractClient } from '../support/contract.ts';
import { startFakeMeta, type FakeMeta } from '../support/fake-meta/index.ts';
import { harness, startServer, type TestServer } from '../support/harness.ts';
import { newTenant, randomE164, type Tenant } from '../support/tenants.ts';
import { startReceiver, until, type Receiver, type Received } from '../support/webhook-receiver.ts';

const APP_SECRET = randomBytes(16).toString('hex');

async function verifyBoth(item: Received, secret: string): Promise<void> {
  const oracle = new Webhook(secret).verify(item.body, item.headers as Record<string, string>) as { id: string };
  expect(oracle.id).to.equal(item.headers['webhook-id']);
  const ours = await webhooks.verify(item.body, item.headers, secret);
  expect(ours.id).to.equal(item.headers['webhook-id']);
}

describe('event delivery to webhook endpoints', function () {
  this.timeout(90_000);
  let fake: FakeMeta;
  let server: TestServer;
  let worker: DeliveryWorker;
  let events: DeliveryWorker;
  let tenant: Tenant;
  let test: ContractClient;
  let live: ContractClient;
  let metaNumber: string;
  const receivers: Receiver[] = [];
  const phoneNumberId = String(300_000_000_000_000 + Math.floor(Math.random() * 1e12));
  const accessToken = `EAAG${randomBytes(24).toString('hex')}`;
  const secrets = new SecretBox(randomBytes(32));
  const previousAllow = process.env.WEBHOOKS_ALLOW_PRIVATE;

  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  const endpoint = async (client: ContractClient, url: string, enabled: string[] = ['*']) => {
    const res = await client.post('/v1/webhook_endpoints', { url, enabled_events: enabled });
    expect(res.status, res.text).to.equal(201);
    return res.body as { id: string; secret: string };
  };
  const inbound = async (client: ContractClient, t: Tenant, text = 'Hello') => {
    const res = await client.post('/v1/whatsapp/sandbox/inbound', {
      agent_id: t.agent.id,
      from: t.from,
      to: randomE164(),
      text: { body: text },
    });
    expect(res.status, res.text).to.equal(200);
    return res.body as { to: string; conversation_id: string };
  };

  before(async () => {
    // Live endpoints on loopback for this suite only (the operator flag of local development).
    process.env.WEBHOOKS_ALLOW_PRIVATE = '1';
    fake = await startFakeMeta({ phoneNumbers: [{ phoneNumberId, accessToken }], firstStatusDelayMs: 20, statusDelayMs: 40 });
    server = await startServer({ db: harness.db, metaAppSecret: APP_SECRET, metaVerifyToken: 'v' });
    fake.setWebhookTarget({ callbackUrl: `${server.baseUrl}/webhooks/whatsapp`, appSecret: APP_SECRET });
    tenant = await newTenant(harness.db);
    metaNumber = randomE164();
    await createConnection(
      harness.db,
      { agentId: tenant.agent.id, phoneNumber: metaNumber, phoneNumberId, accessToken, wabaId: '1029384756' },
      secrets,
    );
    test = server.anonymous.withKey(
      (await tenant.key({ scopes: ['whatsapp:send', 'webhooks:manage'], rateLimitPerMinute: 10_000 })).plaintext,
    );
    live = server.anonymous.withKey((await tenant.key({ environment: 'live', scopes: ['*'], rateLimitPerMinute: 10_000 })).plaintext);
    const deps = {
      db: harness.db,
      cloudApi: createCloudApiClient({ baseUrl: fake.url, graphVersion: 'v23.0', timeoutMs: 5_000 }),
      secrets,
      logger: silentLogger,
      sandboxStepMs: 50,
    };
    worker = await startDeliveryWorker({ connectionString: harness.database.connectionString, concurrency: 16, pollIntervalMs: 200, deps });
    events = await startEventWorker({
      connectionString: harness.database.connectionString,
      concurrency: 8,
      pollIntervalMs: 100,
      deps,
      events: { retryScheduleMs: [300, 300, 300, 300, 300, 300], disableAfterMs: 1_500, allowPrivate: true },
    });
  });

  after(async () => {
    if (previousAllow === undefined) delete process.env.WEBHOOKS_ALLOW_PRIVATE;
    else process.env.WEBHOOKS_ALLOW_PRIVATE = previousAllow;
    await events?.stop();
    await worker?.stop();
    for (const r of receivers) await r.close();
    await server?.close();
    await fake?.stop();
  });

  it('a sandbox send produces message.sent, .delivered and .read, and a simulated customer message.received, each verified twice', async function () {
    const r = await receiver();
    const { secret } = await endpoint(test, r.url);
    const customer = await inbound(test, tenant, 'Is my order on its way?');
    const sent = await test.post('/v1/whatsapp/messages', {
      agent_id: tenant.agent.id,
      from: tenant.from,
      to: customer.to,
      text: { body: 'It is.' },
    });
    expect(sent.status, sent.text).to.equal(202);
    const ofMessage = () => r.received.filter((x) => x.event.data.object.id === sent.body.id);
    // Generous: in a whole-suite run the message queues behind the sends of earlier test files.
    // (Seen once in a CI run: nothing for 75 s; the state is printed below when it happens, and
    // the test runs once more, with a new endpoint and message, before it fails.)
    this.retries(1);
    await until('sent, delivered and read at the receiver', () => ofMessage().length >= 3, 75_000).catch(async (error: Error) => {
      const message = await harness.db('messages').where({ id: sent.body.id }).first('status', 'platform_message_id', 'updated_at');
      const events = await harness.db('events').where({ message_id: sent.body.id }).select('type', 'created_at');
      const jobs = await harness.db.raw(
        `SELECT t.identifier, j.attempts, j.run_at, j.locked_by, left(j.last_error, 100) AS last_error
         FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
         WHERE j.payload::text LIKE ? OR j.payload::text LIKE ? LIMIT 10`,
        [`%${sent.body.id}%`, `%${String(message?.platform_message_id ?? 'none')}%`],
      );
      const waiting = await harness.db.raw(
        `SELECT task_identifier, count(*) AS n FROM graphile_worker.jobs WHERE locked_by IS NULL GROUP BY 1`,
      );
      throw new Error(
        `${error.message}; received ${JSON.stringify(r.received.map((x) => x.event.type))}; message ${JSON.stringify(message)}; ` +
          `events ${JSON.stringify(events)}; jobs ${JSON.stringify(jobs.rows)}; unlocked jobs by task ${JSON.stringify(waiting.rows)}`,
      );
    });
    expect(
      ofMessage()
        .map((x) => x.event.type)
        .sort(),
    ).to.deep.equal(['message.delivered', 'message.read', 'message.sent']);
    for (const item of ofMessage()) {
      await verifyBoth(item, secret);
      expect(item.event.data.object.status).to.equal(item.event.type.slice('message.'.length));
      expect(item.event).to.include({ object: 'event', livemode: false });
    }
    const received = r.received.find((x) => x.event.type === 'message.received');
    expect(received, 'message.received').to.not.equal(undefined);
    await verifyBoth(received!, secret);
    expect(received!.event.data.object).to.include({ conversation_id: customer.conversation_id, from: customer.to, to: tenant.from });
    // The SDK refuses a tampered body and a stale timestamp.
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => 'accepted',
        (e: Error) => e.message,
      );
    expect(await refusal(webhooks.verify(received!.body.replace('order', 'ordxr'), received!.headers, secret))).to.match(
      /no webhook-signature/,
    );
    expect(await refusal(webhooks.verify(received!.body, received!.headers, secret, { now: new Date(Date.now() + 6 * 60_000) }))).to.match(
      /more than 300 s/,
    );
  });

  it('a signed inbound Meta webhook produces message.received at a live endpoint (never at a test one)', async () => {
    const liveReceiver = await receiver();
    const testReceiver = await receiver();
    const { secret } = await endpoint(live, liveReceiver.url, ['message.received']);
    await endpoint(test, testReceiver.url, ['message.received']);
    const customer = randomE164();
    fake.sendInbound({ phoneNumberId, from: customer, text: 'Where is my order?' });
    await until('message.received at the live endpoint', () => liveReceiver.received.length >= 1);
    const item = liveReceiver.received[0]!;
    await verifyBoth(item, secret);
    expect(item.event).to.include({ type: 'message.received', livemode: true });
    expect(item.event.data.object).to.deep.include({ from: customer, to: metaNumber, type: 'text', text: { body: 'Where is my order?' } });
    await new Promise((r) => setTimeout(r, 500));
    expect(testReceiver.requests).to.equal(0);
  });

  it('an endpoint answering 500 twice, then 200, gets the event on the third attempt with the same webhook-id', async () => {
    const t = await newTenant(harness.db);
    const c = server.anonymous.withKey((await t.key({ scopes: ['whatsapp:send', 'webhooks:manage'], rateLimitPerMinute: 1000 })).plaintext);
    const r = await receiver((n) => ({ status: n <= 2 ? 500 : 200 }));
    const { id: endpointId, secret } = await endpoint(c, r.url);
    await inbound(c, t);
    await until('the third attempt', () => r.received.length === 1);
    expect(r.all).to.have.length(3);
    const ids = new Set(r.all.map((x) => x.headers['webhook-id']));
    expect(ids.size).to.equal(1);
    await verifyBoth(r.received[0]!, secret);
    const eventId = r.received[0]!.event.id;
    // The receiver has answered; the worker records the attempt right after.
    await until('the third attempt recorded', async () => (await c.get(`/v1/events/${eventId}`)).body.delivery_attempts.length === 3);
    const detail = await c.get(`/v1/events/${eventId}`);
    expect(detail.status).to.equal(200);
    expect(detail.body.delivery_attempts.map((a: { http_status: number }) => a.http_status)).to.deep.equal([500, 500, 200]);
    expect(detail.body.delivery_attempts.every((a: { endpoint_id: string }) => a.endpoint_id === endpointId)).to.equal(true);
    await until(
      'the endpoint healthy again',
      async () => (await c.get(`/v1/webhook_endpoints/${endpointId}`)).body.last_success_at !== null,
    );
    const health = await c.get(`/v1/webhook_endpoints/${endpointId}`);
    expect(health.body).to.include({ consecutive_failures: 0, disabled: false });
    expect(health.body.last_success_at).to.be.a('string');

    // Redelivery: once more, same webhook-id.
    expect((await c.post(`/v1/events/${eventId}/redeliver`, { endpoint_id: endpointId })).status).to.equal(202);
    await until('the redelivery', () => r.received.length === 2);
    expect(r.received[1]!.headers['webhook-id']).to.equal(eventId);
  });

  it('a slow endpoint (5 s per request) does not delay another endpoint’s events', async () => {
    const t = await newTenant(harness.db);
    const c = server.anonymous.withKey((await t.key({ scopes: ['whatsapp:send', 'webhooks:manage'], rateLimitPerMinute: 1000 })).plaintext);
    const slow = await receiver(() => ({ status: 200, delayMs: 5_000 }));
    const fast = await receiver();
    await endpoint(c, slow.url);
    await endpoint(c, fast.url);
    const started = Date.now();
    for (let i = 0; i < 3; i++) await inbound(c, t, `message ${i}`);
    await until('three events at the fast endpoint', () => fast.received.length === 3, 10_000);
    const fastDone = Date.now() - started;
    expect(fastDone, 'the fast endpoint got its events while the slow one was still busy').to.be.below(3_000);
    expect(slow.received.length).to.equal(0);
    await until('the slow endpoint catching up', () => slow.received.length >= 1, 15_000);
  });

  it('disables an endpoint whose deliveries all fail for the configured period', async () => {
    const t = await newTenant(harness.db);
    const c = server.anonymous.withKey((await t.key({ scopes: ['whatsapp:send', 'webhooks:manage'], rateLimitPerMinute: 1000 })).plaintext);
    const r = await receiver(() => ({ status: 503 }));
    const { id } = await endpoint(c, r.url);
    await inbound(c, t);
    await until('the endpoint disabled', async () => (await c.get(`/v1/webhook_endpoints/${id}`)).body.disabled === true, 15_000);
    const res = await c.get(`/v1/webhook_endpoints/${id}`);
    expect(res.body).to.include({ disabled: true, disabled_reason: 'failing' });
    expect(res.body.consecutive_failures).to.be.at.least(2);
    // The operator sees it: a metric, and the CLI's health listing.
    expect(await registry.getSingleMetricAsString('mojeeb_webhook_endpoints_disabled_total')).to.match(
      /mojeeb_webhook_endpoints_disabled_total [1-9]/,
    );
    const env = { env: { DATABASE_URL: harness.database.connectionString } };
    const listed = await runAdmin(['webhook', 'list', '--org', t.organization.id, '--json'], env);
    expect(listed.code, listed.stderr).to.equal(0);
    expect(listed.json()).to.have.length(1);
    expect(listed.json()[0]).to.include({ id, disabled: true, disabled_reason: 'failing', environment: 'test' });
    expect(listed.json()[0].consecutive_failures).to.be.at.least(2);
    const human = await runAdmin(['webhook', 'list', '--failing'], env);
    expect(human.stdout).to.include(id).and.include('disabled (failing)');
    expect(human.stdout).not.to.include('whsec_');
  });

  it('a live endpoint whose host resolves to a private address is refused at delivery time too', async () => {
    const t = await newTenant(harness.db);
    const c = server.anonymous.withKey((await t.key({ environment: 'live', scopes: ['*'], rateLimitPerMinute: 1000 })).plaintext);
    const r = await receiver();
    // Created while private addresses are allowed (the operator flag), delivered by a runner that refuses them.
    const { id } = await endpoint(c, r.url.replace('127.0.0.1', 'localhost'));
    const strict = await startEventWorker({
      connectionString: harness.database.connectionString,
      concurrency: 1,
      pollIntervalMs: 100,
      deps: {
        db: harness.db,
        cloudApi: createCloudApiClient({ baseUrl: fake.url, graphVersion: 'v23.0', timeoutMs: 5_000 }),
        secrets,
        logger: silentLogger,
        sandboxStepMs: 50,
      },
      events: { retryScheduleMs: [], disableAfterMs: 3_600_000, allowPrivate: false },
    });
    try {
      await events.stop();
      const { recordInboundEvent } = await import('../../server/src/domain/webhooks/events.ts');
      await harness.db.transaction((trx) =>
        recordInboundEvent(trx, {
          organizationId: t.organization.id,
          environment: 'live',
          inboundMessageId: '00000000-0000-4000-8000-000000000001',
          conversationId: '00000000-0000-4000-8000-000000000002',
          agentId: t.agent.id,
          customerNumber: randomE164(),
          businessNumber: t.from,
          type: 'text',
          content: { body: 'hi' },
          receivedAt: new Date(),
          platformMessageId: null,
          createdAt: new Date(),
        }),
      );
      await until('the refused attempt', async () => (await harness.db('event_delivery_attempts').where({ endpoint_id: id })).length === 1);
      const [attempt] = await harness.db('event_delivery_attempts').where({ endpoint_id: id });
      expect(attempt.http_status).to.equal(null);
      // http is refused before any connection (a live endpoint must use https); over https the
      // connection's own lookup refuses loopback and private answers (post.ts).
      expect(attempt.error).to.match(/^refused: /);
      expect(r.requests).to.equal(0);
    } finally {
      await strict.stop();
      events = await startEventWorker({
        connectionString: harness.database.connectionString,
        concurrency: 8,
        pollIntervalMs: 100,
        deps: {
          db: harness.db,
          cloudApi: createCloudApiClient({ baseUrl: fake.url, graphVersion: 'v23.0', timeoutMs: 5_000 }),
          secrets,
          logger: silentLogger,
          sandboxStepMs: 50,
        },
        events: { retryScheduleMs: [300, 300, 300, 300, 300, 300], disableAfterMs: 1_500, allowPrivate: true },
      });
    }
  });
});
