/**
 * Pacing and attempts with batched deliveries: two delivery workers (each with its own
 * statements, as two processes would have) share the numbers' sending slots, so no number goes
 * over its messages_per_second in any sliding second and no message is sent twice; and a
 * message that waits for a later slot records its attempt only after the wait, right before the
 * call to Meta (a worker killed while it waits has sent nothing, and its message is sent later).
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { startDeliveryWorker, type DeliveryWorker } from '../../server/src/delivery/worker.ts';
import { SecretBox } from '../../server/src/domain/secrets.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { createCloudApiClient } from '../../server/src/whatsapp/cloud-api.ts';
import { startFakeMeta, type FakeMeta } from '../support/fake-meta/index.ts';
import { harness, startServer, type TestServer } from '../support/harness.ts';
import { busiestSecondOf } from '../support/pacing.ts';
import { liveNumberTenant } from '../support/tenants.ts';

describe('delivery pacing with batched deliveries', function () {
  this.timeout(60_000);
  let fake: FakeMeta;
  let server: TestServer;
  const workers: DeliveryWorker[] = [];
  const secrets = new SecretBox(randomBytes(32));

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await server?.close();
    await fake?.stop();
  });

  /** A live number with the example templates, and a key to send from it. */
  async function liveNumber(messagesPerSecond: number) {
    const phoneNumberId = String(300_000_000_000_000 + Math.floor(Math.random() * 1e12));
    const accessToken = `EAAG${randomBytes(24).toString('hex')}`;
    fake.addPhoneNumber({ phoneNumberId, accessToken });
    const number = await liveNumberTenant(harness.db, server.anonymous, secrets, { phoneNumberId, accessToken, messagesPerSecond });
    return { phoneNumberId, send: number.sendTemplates };
  }

  const startWorker = async (concurrency: number) => {
    workers.push(
      await startDeliveryWorker({
        connectionString: harness.database.connectionString,
        concurrency,
        pollIntervalMs: 100,
        // A deps object per worker: its own batched statements, like a separate process.
        deps: {
          db: harness.db,
          cloudApi: createCloudApiClient({ baseUrl: fake.url, graphVersion: 'v23.0', timeoutMs: 5_000 }),
          secrets,
          logger: silentLogger,
          sandboxStepMs: 50,
        },
      }),
    );
  };

  const settled = async (ids: string[], timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const queued = Number((await harness.db('messages').whereIn('id', ids).where({ status: 'queued' }).count('id as n').first())!.n);
      if (queued === 0) return;
      if (Date.now() > deadline) throw new Error(`${queued} messages still queued`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('keeps every number within its rate across two workers, sending each message once', async () => {
    fake = await startFakeMeta({ maxWebhooks: 0 });
    server = await startServer({ db: harness.db });
    const a = await liveNumber(20);
    const b = await liveNumber(30);
    const ids = [...(await a.send(50)), ...(await b.send(60))];
    await startWorker(8);
    await startWorker(8);
    await settled(ids, 30_000);

    const ours = fake.accepted.filter((m) => m.callbackData !== null && ids.includes(m.callbackData));
    expect(ours).to.have.length(ids.length);
    expect(fake.duplicateSends()).to.deep.equal([]);
    expect(fake.invalidRequests()).to.deep.equal([]);
    // Sliding seconds (every span (t − 1 s, t]), as the fake Meta counts arrivals and from their recorded times.
    const max = fake.stats().maxPerSecondByNumber;
    expect(max[a.phoneNumberId]).to.be.at.most(20);
    expect(max[b.phoneNumberId]).to.be.at.most(30);
    expect(busiestSecondOf(fake, a.phoneNumberId)).to.be.at.most(20);
    expect(busiestSecondOf(fake, b.phoneNumberId)).to.be.at.most(30);
    const statuses = await harness.db('messages').whereIn('id', ids).distinct('status').pluck('status');
    expect(statuses).to.deep.equal(['sent']);
  });

  it('records the attempt of a message that waits for its slot only after the wait', async () => {
    fake = await startFakeMeta({ maxWebhooks: 0 });
    server = await startServer({ db: harness.db });
    // 5 per second: slots 220 ms apart, so eight messages claimed together wait up to ~1.5 s.
    const number = await liveNumber(5);
    const ids = await number.send(8);
    await startWorker(8);
    await settled(ids, 20_000);

    const sentAt = new Map(
      fake.requests
        .filter((r) => r.outcome === 'accepted')
        .map((r) => [(r.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data, r.at.getTime()]),
    );
    const rows = await harness.db('messages').whereIn('id', ids).select('id', 'send_attempted_at', 'delivery_attempts');
    const gaps = rows.map((r) => sentAt.get(r.id)! - (r.send_attempted_at as Date).getTime());
    expect(rows.map((r) => r.delivery_attempts)).to.deep.equal(ids.map(() => 1));
    // Recorded before the call, and not when the slot was taken (up to ~1.5 s before).
    for (const gap of gaps) expect(gap).to.be.within(-5, 200);
    expect(Math.max(...[...sentAt.values()]) - Math.min(...[...sentAt.values()])).to.be.at.least(7 * 200);
  });
});
