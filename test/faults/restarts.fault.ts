/**
 * PostgreSQL restarts under a trickle of sends (what a maintenance window or a failover does):
 * 10 restarts of 1–5 s each, with the in-process worker and again with a separate worker. Every
 * accepted message is handed over and reaches its final sandbox status (read) within 30 s of the
 * last restart (and again with three times the sends and sandbox statuses 1.5 s apart); no
 * process crashes or exits; the 503s and the time to the first 202 after each restart are
 * printed. Then a restart with 400 deliveries in flight: no crash, every message delivered, none
 * twice (each message's sandbox statuses are recorded once). Then a restart with the key cache:
 * it listens again, and a revocation made after it reaches the server by notification.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { startFakeMeta, type FakeMeta } from '../support/fake-meta/index.ts';
import { startListeningServer, type ListeningServer } from '../support/processes.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { recordFigure } from './support/figures.ts';
import {
  firstAcceptedAfter,
  prepareDatabase,
  queryOnce,
  sleep,
  startTrickle,
  notFinalReport,
  startWorkerProcess,
  waitUntilSettled,
  watch,
  type FaultDatabase,
  type WatchedProcess,
} from './support/service.ts';

const RESTARTS = Number(process.env.FAULTS_RESTARTS ?? 10);
const FINAL_WITHIN_MS = 30_000;
const APP_SECRET = randomBytes(16).toString('hex');

describe('fault: PostgreSQL restarts', function () {
  this.timeout(300_000);
  let cluster: Cluster;
  const processes: WatchedProcess[] = [];
  const servers: ListeningServer[] = [];
  let fake: FakeMeta | undefined;

  before(async () => {
    cluster = await startCluster();
  });
  afterEach(async () => {
    for (const p of processes.splice(0)) await p.stop();
    for (const s of servers.splice(0)) await s.stop();
    await fake?.stop();
    fake = undefined;
  });
  after(async () => {
    await cluster?.destroy();
  });

  async function server(
    database: FaultDatabase,
    env: Record<string, string>,
  ): Promise<{ server: ListeningServer; watched: WatchedProcess }> {
    const s = await startListeningServer(database.url, { SANDBOX_STEP_MS: '200', ...env });
    servers.push(s);
    return { server: s, watched: watch(s.child) };
  }

  // The busy variant keeps many sandbox statuses waiting across each restart (1.5 s apart), so
  // that every outage stops the in-process runner: a backoff that doubled with each stop left the
  // worker down for up to 30 s after the last restart (1,080 messages still queued 30 s later).
  const variants = [
    { mode: 'in-process worker', rate: 20, stepMs: 200, db: 'restarts_inproc' },
    { mode: 'separate worker', rate: 20, stepMs: 200, db: 'restarts_sep' },
    { mode: 'in-process worker', rate: 60, stepMs: 1_500, db: 'restarts_busy' },
  ] as const;
  for (const { mode, rate, stepMs, db } of variants) {
    it(`${RESTARTS} restarts of 1–5 s under ${rate} sends/s (${mode}, sandbox statuses ${stepMs} ms apart): every accepted message handed over and read, nothing crashed`, async () => {
      const scenario = `1. ${RESTARTS} restarts, ${mode}${rate === 20 ? '' : `, ${rate}/s`}`;
      const database = await prepareDatabase(cluster, db);
      const { server: api, watched } = await server(database, {
        WORKER: mode === 'in-process worker' ? 'true' : 'false',
        SANDBOX_STEP_MS: String(stepMs),
        ...(process.env.FAULTS_LOG_LEVEL ? { LOG_LEVEL: process.env.FAULTS_LOG_LEVEL } : {}),
      });
      let worker: WatchedProcess | undefined;
      if (mode === 'separate worker') {
        worker = startWorkerProcess({ DATABASE_URL: database.url, SANDBOX_STEP_MS: String(stepMs) });
        processes.push(worker);
      }
      const trickle = startTrickle(api.baseUrl, database, rate);
      // What /readyz says along the way (the in-process worker is in checks.worker).
      const readiness = new Map<string, number>();
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const seen = await fetch(`${api.baseUrl}/readyz`, { signal: AbortSignal.timeout(3_000) })
            .then(async (res) => {
              const body = (await res.json()) as { checks?: { database?: string; worker?: string } };
              return `${res.status} database=${body.checks?.database} worker=${body.checks?.worker ?? '-'}`;
            })
            .catch(() => 'no answer');
          readiness.set(seen, (readiness.get(seen) ?? 0) + 1);
          await sleep(250);
        }
      })();
      const recoveries: number[] = [];
      const downs: number[] = [];
      await sleep(1_000);
      for (let r = 0; r < RESTARTS; r++) {
        const downMs = 1_000 + ((r * 1_777) % 4_000);
        downs.push(downMs);
        await cluster.stop('fast');
        await sleep(downMs);
        await cluster.start();
        const back = Date.now();
        await sleep(2_500);
        recoveries.push(firstAcceptedAfter(trickle.answers, back) ?? Number.POSITIVE_INFINITY);
      }
      await sleep(1_000);
      await trickle.stop();
      polling = false;
      await poller;
      const accepted = trickle.accepted();
      const byStatus = new Map<number, number>();
      for (const a of trickle.answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
      recordFigure(scenario, 'down per restart (s)', downs.map((d) => (d / 1000).toFixed(1)).join(' '));
      recordFigure(
        scenario,
        'sends: 202 / 503 / other',
        `${byStatus.get(202) ?? 0} / ${byStatus.get(503) ?? 0} / ${trickle.answers.length - (byStatus.get(202) ?? 0) - (byStatus.get(503) ?? 0)}`,
      );
      recordFigure(scenario, 'first 202 after each start (ms)', recoveries.map((r) => (Number.isFinite(r) ? String(r) : 'none')).join(' '));
      recordFigure(scenario, '/readyz answers seen (count)', [...readiness].map(([k, n]) => `${k} (${n})`).join('; '));
      recordFigure(
        scenario,
        'process crashes / worker exits',
        `${watched.unexpectedExits().length} / ${worker?.unexpectedExits().length ?? 0}`,
      );
      const quiet = (text: string) =>
        text
          .split('\n')
          .filter((l) => !l.includes('"msg":"request"') && !l.includes('readiness check failed'))
          .slice(-60)
          .join('\n');
      expect(watched.unexpectedExits(), `server exits; output:\n${quiet(watched.output())}`).to.deep.equal([]);
      // Every accepted message handed over (none left queued), and its sandbox statuses to `read`.
      const settled = await waitUntilSettled(database.url, accepted, FINAL_WITHIN_MS);
      recordFigure(scenario, 'messages by status 30 s after the last restart', JSON.stringify(settled.counts));
      recordFigure(scenario, 'all final after the last restart (s)', settled.ms === null ? 'not within 30 s' : settled.ms / 1000);
      if (settled.ms === null)
        console.log(`      messages not final, with their recorded statuses and jobs:\n${await notFinalReport(database.url, accepted)}`);
      expect(settled.counts.queued ?? 0, `left queued: ${JSON.stringify(settled.counts)}`).to.equal(0);
      expect(settled.ms, `not every message final within 30 s: ${JSON.stringify(settled.counts)}`).to.not.equal(null);

      expect(watched.unexpectedExits(), `server exits; output:\n${watched.output().slice(-3000)}`).to.deep.equal([]);
      expect(worker?.unexpectedExits() ?? [], `worker exits; output:\n${worker?.output().slice(-3000)}`).to.deep.equal([]);
      expect(accepted.length).to.be.greaterThan(100);
      // Every answer is a 202 or the documented 503 (no 500, no hang past the client's timeout).
      expect(
        [...byStatus.keys()].filter((s) => s !== 202 && s !== 503),
        JSON.stringify([...byStatus]),
      ).to.deep.equal([]);
      expect(
        recoveries.every((r) => Number.isFinite(r)),
        `a restart without a 202 after it: ${recoveries}`,
      ).to.equal(true);
      // Unready while the database is away, ready again (with the worker running, when in-process) afterwards.
      expect(
        [...readiness.keys()].some((k) => k.startsWith('503 database=unavailable')),
        JSON.stringify([...readiness]),
      ).to.equal(true);
      const ready = await fetch(`${api.baseUrl}/readyz`).then((res) => res.json());
      expect(ready).to.deep.equal({
        status: 'ready',
        checks: { database: 'ok', ...(mode === 'in-process worker' ? { worker: 'running' } : {}) },
      });
    });
  }

  it('a restart with 400 deliveries to WhatsApp in flight: no crash, every message read (or expired if WhatsApp never got its cut attempt), none sent twice', async () => {
    const scenario = '2. restart, 400 in flight';
    const phoneNumberId = String(300_000_000_000_000 + Math.floor(Math.random() * 1e12));
    const accessToken = `EAAG${randomBytes(24).toString('hex')}`;
    const encryptionKey = randomBytes(32);
    // Webhooks refused during the restart are retried, as Meta does (here for about 20 s).
    fake = await startFakeMeta({
      phoneNumbers: [{ phoneNumberId, accessToken }],
      latencyMs: 20,
      firstStatusDelayMs: 50,
      statusDelayMs: 100,
      webhookRetries: 10,
      webhookRetryDelayMs: 400,
      webhookConcurrency: 4,
    });
    // 40 messages a second: a backlog of 500 takes about 12 s to hand over, so the restart cuts it.
    const database = await prepareDatabase(cluster, 'inflight', { phoneNumberId, accessToken, messagesPerSecond: 40, encryptionKey });
    const { server: api, watched } = await server(database, {
      WORKER: 'true',
      META_GRAPH_BASE_URL: fake.url,
      META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: 'verify',
      ENCRYPTION_KEY: encryptionKey.toString('base64'),
      DELIVERY_RECONCILE_AFTER_MS: '3000',
    });
    fake.setWebhookTarget({ callbackUrl: `${api.baseUrl}/webhooks/whatsapp`, appSecret: APP_SECRET });
    const trickle = startTrickle(api.baseUrl, database, 250);
    const until = Date.now() + 15_000;
    while (trickle.accepted().length < 500 && Date.now() < until) await sleep(50);
    await trickle.stop();
    const accepted = trickle.accepted();
    const [pending] = await queryOnce<{ n: string }>(database.url, "SELECT count(*) AS n FROM messages WHERE status <> 'read'");
    await cluster.restart(2_000);
    // Every message read, except an attempt whose outcome the restart made unknown and that WhatsApp
    // never received: it is not sent again (never twice) and ends `expired` once
    // DELIVERY_RECONCILE_AFTER_MS (3 s here) has passed without a status webhook.
    const settled = await waitUntilSettled(database.url, accepted, 60_000);
    const received = new Set(fake.accepted.map((a) => a.callbackData));
    const [expired] = await queryOnce<{ n: string; received: string }>(
      database.url,
      "SELECT count(*) AS n, count(*) FILTER (WHERE id::text = ANY($2::text[])) AS received FROM messages WHERE id = ANY($1::uuid[]) AND status = 'failed'",
      [accepted, [...received]],
    );
    recordFigure(scenario, 'accepted / not yet read at the restart', `${accepted.length} / ${pending!.n}`);
    recordFigure(scenario, 'messages by status after the restart', JSON.stringify(settled.counts));
    recordFigure(scenario, 'all final after the restart (s)', settled.ms === null ? 'not within 60 s' : settled.ms / 1000);
    recordFigure(scenario, 'process crashes / sent twice', `${watched.unexpectedExits().length} / ${fake.duplicateSends().length}`);
    expect(settled.ms, JSON.stringify(settled.counts)).to.be.a('number');
    expect(
      Object.keys(settled.counts).filter((k) => k !== 'read' && k !== 'failed:expired'),
      JSON.stringify(settled.counts),
    ).to.deep.equal([]);
    expect(Number(expired!.received), 'an expired message WhatsApp had received').to.equal(0);
    expect(Number(expired!.n), 'expired (outcome made unknown by the restart)').to.be.at.most(4);
    expect(watched.unexpectedExits(), watched.output().slice(-3000)).to.deep.equal([]);
    expect(Number(pending!.n), 'deliveries in flight at the restart').to.be.at.least(400);
    expect(fake.duplicateSends()).to.deep.equal([]);
  });

  it('a restart: the key cache listens again, and a revocation after it reaches the server by notification', async () => {
    const scenario = '3. restart, key cache';
    const database = await prepareDatabase(cluster, 'keycache');
    // A maximum age of a minute: only a notification explains a refusal within seconds.
    const { server: api, watched } = await server(database, { WORKER: 'false', KEY_CACHE_MAX_AGE_MS: '60000' });
    await api.waitFor(/key change notifications listening/);
    const status = () =>
      fetch(`${api.baseUrl}/v1/whatsapp/messages/01c45011-d803-4eb0-a762-3228a4c392f3`, {
        headers: { Authorization: `Bearer ${database.key}` },
      }).then((r) => r.status);
    expect(await status()).to.equal(404);
    const restartedAt = Date.now();
    await cluster.restart(2_000);
    await api.waitFor(/notifications lost[\s\S]*key change notifications listening/, 30_000);
    const listeningAfterMs = Date.now() - restartedAt;
    let answered = 0;
    while ((await status()) !== 404) {
      if (++answered > 200) throw new Error('the key is not served again after the restart');
      await sleep(50);
    }
    await queryOnce(database.url, "UPDATE api_keys SET revoked_at = now(), revoked_reason = 'fault test' WHERE name = 'fault key'");
    const revokedAt = Date.now();
    let refusedAfterMs: number | null = null;
    while (Date.now() - revokedAt < 5_000) {
      if ((await status()) === 401) {
        refusedAfterMs = Date.now() - revokedAt;
        break;
      }
      await sleep(50);
    }
    recordFigure(scenario, 'listening again after the restart began (s)', listeningAfterMs / 1000);
    recordFigure(scenario, 'revoked key refused after (ms)', refusedAfterMs ?? 'not within 5 s');
    expect(refusedAfterMs, 'the revocation reached the server (maximum age 60 s)').to.be.a('number');
    expect(watched.unexpectedExits(), watched.output().slice(-3000)).to.deep.equal([]);
  });

  for (const mode of ['server (in-process worker)', 'separate worker'] as const) {
    it(`SIGTERM during a database outage: the ${mode} exits 0, promptly`, async () => {
      const database = await prepareDatabase(cluster, mode === 'separate worker' ? 'term_worker' : 'term_server');
      const victim: WatchedProcess =
        mode === 'separate worker'
          ? startWorkerProcess({ DATABASE_URL: database.url })
          : (await server(database, { WORKER: 'true' })).watched;
      if (mode === 'separate worker') processes.push(victim);
      // Up and handling signals (a slow machine can take seconds to load the process), then the outage.
      // (The server is listening once started; a worker process says so.)
      if (mode === 'separate worker') await victim.waitForOutput('"msg":"delivery worker started"', 30_000);
      await sleep(500);
      await cluster.stop('fast');
      try {
        await sleep(3_000);
        expect(victim.unexpectedExits(), 'still running during the outage').to.deep.equal([]);
        const started = Date.now();
        const code = await victim.stop(20_000);
        recordFigure(`shutdown during an outage, ${mode}`, 'exit code / time to exit (ms)', `${code} / ${Date.now() - started}`);
        expect(code, victim.output().slice(-2000)).to.equal(0);
        expect(Date.now() - started).to.be.below(15_000);
      } finally {
        await cluster.start();
      }
    });
  }
});
