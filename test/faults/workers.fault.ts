/**
 * Workers that stop or die mid-batch, against the throwaway cluster:
 * 3. a worker process frozen (SIGSTOP) while it holds a batch, beside a healthy one: its
 *    heartbeat stops, the healthy worker releases its jobs within the documented time (four
 *    heartbeat periods, 20 s, plus one beat) and delivers them;
 * 7. kill -9 of the server (in-process worker) and of a separate worker in the middle of a batch
 *    to WhatsApp (the fake Meta): a new process takes over; no message is lost, none is sent
 *    twice (an attempt cut before WhatsApp could confirm it waits for its status webhook, then
 *    fails as `expired` rather than being sent again).
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { startFakeMeta, type FakeMeta } from '../support/fake-meta/index.ts';
import { startListeningServer, type ListeningServer } from '../support/processes.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { recordFigure } from './support/figures.ts';
import {
  prepareDatabase,
  queryOnce,
  sleep,
  startTrickle,
  startWorkerProcess,
  waitForStatus,
  type WatchedProcess,
} from './support/service.ts';

const APP_SECRET = randomBytes(16).toString('hex');
/** The documented bound: four heartbeat periods of 5 s, plus one period for the next beat to notice. */
const RELEASE_BOUND_MS = 25_000;

describe('fault: workers stopped or killed mid-batch', function () {
  this.timeout(240_000);
  let cluster: Cluster;
  let fake: FakeMeta | undefined;
  const processes: Array<WatchedProcess | ListeningServer> = [];

  before(async () => {
    cluster = await startCluster();
  });
  afterEach(async () => {
    for (const p of processes.splice(0)) {
      p.child.kill('SIGCONT');
      await p.stop(5_000);
    }
    await fake?.stop();
    fake = undefined;
  });
  after(async () => {
    await cluster?.destroy();
  });

  it('3. a frozen worker beside a healthy one: its jobs are released within 25 s and delivered', async () => {
    const scenario = '3. frozen worker + healthy one';
    const database = await prepareDatabase(cluster, 'frozen');
    const api = await startListeningServer(database.url, { WORKER: 'false' });
    processes.push(api);
    const env = { DATABASE_URL: database.url, SANDBOX_STEP_MS: '100', WORKER_CONCURRENCY: '8' };
    const frozen = startWorkerProcess(env);
    processes.push(frozen);
    const trickle = startTrickle(api.baseUrl, database, 100);
    // Wait until the first worker holds a batch of jobs, then freeze it (its heartbeat stops too).
    const until = Date.now() + 60_000;
    let held: Array<{ locked_by: string; n: string }> = [];
    while (Date.now() < until) {
      held = await queryOnce(
        database.url,
        'SELECT locked_by, count(*) AS n FROM graphile_worker.jobs WHERE locked_by IS NOT NULL GROUP BY locked_by',
      );
      if (held.length === 1 && Number(held[0]!.n) >= 8) break;
      await sleep(50);
    }
    frozen.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    const pool = held[0]!.locked_by;
    await sleep(1_000);
    await trickle.stop();
    const accepted = trickle.accepted();
    const healthy = startWorkerProcess(env);
    processes.push(healthy);

    let releasedMs = Number.POSITIVE_INFINITY;
    while (Date.now() - frozenAt < RELEASE_BOUND_MS + 10_000) {
      const [row] = await queryOnce<{ n: string }>(database.url, 'SELECT count(*) AS n FROM graphile_worker.jobs WHERE locked_by = $1', [
        pool,
      ]);
      if (Number(row!.n) === 0) {
        releasedMs = Date.now() - frozenAt;
        break;
      }
      await sleep(200);
    }
    const readMs = await waitForStatus(database.url, accepted, 'read', 60_000);
    recordFigure(scenario, 'jobs held by the frozen worker', held[0]!.n);
    recordFigure(scenario, 'released after the freeze (s)', releasedMs / 1000);
    recordFigure(scenario, `all ${accepted.length} read after the freeze (s)`, (Date.now() - frozenAt) / 1000);
    expect(releasedMs, 'the frozen worker’s jobs released within the documented bound').to.be.below(RELEASE_BOUND_MS);
    expect(readMs).to.be.a('number');
    expect(healthy.unexpectedExits()).to.deep.equal([]);
  });

  for (const victim of ['server (in-process worker)', 'separate worker'] as const) {
    it(`7. kill -9 of the ${victim} mid-batch: nothing lost, nothing sent twice`, async () => {
      const scenario = `7. kill -9 of the ${victim}`;
      const phoneNumberId = String(400_000_000_000_000 + Math.floor(Math.random() * 1e12));
      const accessToken = `EAAG${randomBytes(24).toString('hex')}`;
      const encryptionKey = randomBytes(32);
      fake = await startFakeMeta({
        phoneNumbers: [{ phoneNumberId, accessToken }],
        latencyMs: 15,
        firstStatusDelayMs: 20,
        statusDelayMs: 50,
      });
      const database = await prepareDatabase(cluster, victim === 'separate worker' ? 'kill_worker' : 'kill_server', {
        phoneNumberId,
        accessToken,
        messagesPerSecond: 40,
        encryptionKey,
      });
      const env = {
        META_GRAPH_BASE_URL: fake.url,
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: 'verify',
        ENCRYPTION_KEY: encryptionKey.toString('base64'),
        DELIVERY_RECONCILE_AFTER_MS: '3000',
        WORKER_CONCURRENCY: '8',
      };
      // The API that stays up (it receives the fake Meta's status webhooks), and the victim.
      const api = await startListeningServer(database.url, { ...env, WORKER: victim === 'separate worker' ? 'false' : 'true' });
      processes.push(api);
      fake.setWebhookTarget({ callbackUrl: `${api.baseUrl}/webhooks/whatsapp`, appSecret: APP_SECRET });
      const spawnWorker = () => (victim === 'separate worker' ? startWorkerProcess({ DATABASE_URL: database.url, ...env }) : null);
      const worker = spawnWorker();
      if (worker) processes.push(worker);

      const trickle = startTrickle(api.baseUrl, database, 100);
      const until = Date.now() + 30_000;
      while (trickle.accepted().length < 200 && Date.now() < until) await sleep(20);
      await trickle.stop();
      const ids = trickle.accepted();
      while (fake.accepted.length < 30 && Date.now() < until + 30_000) await sleep(20);
      const atKill = fake.accepted.length;
      let replacement: ListeningServer | WatchedProcess;
      if (worker) {
        worker.child.kill('SIGKILL');
        replacement = spawnWorker()!;
      } else {
        api.child.kill('SIGKILL');
        replacement = await startListeningServer(database.url, { ...env, WORKER: 'true' });
        fake.setWebhookTarget({ callbackUrl: `${replacement.baseUrl}/webhooks/whatsapp`, appSecret: APP_SECRET });
      }
      const killedAt = Date.now();
      processes.push(replacement);

      const deadline = Date.now() + 90_000;
      let queued = ids.length;
      while (queued > 0 && Date.now() < deadline) {
        const [row] = await queryOnce<{ n: string }>(
          database.url,
          "SELECT count(*) AS n FROM messages WHERE id = ANY($1::uuid[]) AND status = 'queued'",
          [ids],
        );
        queued = Number(row!.n);
        await sleep(200);
      }
      await fake.webhooksIdle(10_000);
      const rows = await queryOnce<{ status: string; error_code: string | null; n: string }>(
        database.url,
        'SELECT status, error_code, count(*) AS n FROM messages WHERE id = ANY($1::uuid[]) GROUP BY 1, 2',
        [ids],
      );
      const expired = rows.filter((r) => r.error_code === 'expired').reduce((n, r) => n + Number(r.n), 0);
      recordFigure(scenario, 'accepted / handed to WhatsApp at the kill', `${ids.length} / ${atKill}`);
      recordFigure(scenario, 'all settled after the kill (s)', (Date.now() - killedAt) / 1000);
      recordFigure(scenario, 'sent twice / lost (still queued) / expired', `${fake.duplicateSends().length} / ${queued} / ${expired}`);
      expect(queued, 'no message left queued').to.equal(0);
      expect(fake.duplicateSends(), 'no message sent twice').to.deep.equal([]);
      expect(
        rows.filter((r) => r.status === 'failed' && r.error_code !== 'expired'),
        JSON.stringify(rows),
      ).to.deep.equal([]);
      expect(expired, 'only attempts cut by the kill can expire').to.be.at.most(8);
    });
  }
});
