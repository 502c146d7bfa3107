/**
 * More processes against one PostgreSQL: live sends through one API process, then through two
 * (each its own autocannon), interleaved, while a separate delivery worker process
 * (server/src/worker-main.ts, `npm run worker`) drains the queue to the fake Meta. The CPU split
 * per process shows what grows with API processes and when PostgreSQL becomes the limit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import autocannon from 'autocannon';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import { SecretBox } from '../../server/src/domain/secrets.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { startFakeMeta } from '../support/fake-meta/index.ts';
import { createFreshDatabase, type TestPostgres } from '../support/postgres.ts';
import { children, cleanups, CONNECTIONS, DURATION_S, log, median, ROOT, startChild, stopChild, WARMUP_S } from './common.ts';
import { cores, cpuWindow, namedPids } from './cpu.ts';
import { sendRequest } from './load.ts';
import { seedWorkerOrganization } from './worker.ts';

export interface MultiRound {
  readonly servers: number;
  readonly sendsPerSecond: number;
  readonly p99: number;
  readonly deliveredPerSecond: number;
  readonly cores: Record<string, number>;
  readonly contaminated: boolean;
  readonly otherShare: number;
}

export interface MultiResult {
  readonly rounds: MultiRound[];
  readonly one: number;
  readonly two: number;
  readonly scaling: number;
}

const ROUNDS = 2;

export async function benchMulti(postgres: TestPostgres): Promise<MultiResult> {
  const database = await createFreshDatabase(postgres.adminUrl, 'bench_multi');
  cleanups.push(() => database.drop());
  const db = createDatabase({ connectionString: database.connectionString, poolMax: 4, logger: silentLogger });
  cleanups.push(() => db.destroy());
  await migrateToLatest(db);
  const key = randomBytes(32);
  const seeded = await seedWorkerOrganization(db, new SecretBox(key));
  const fake = await startFakeMeta({
    phoneNumbers: seeded.numbers.map((n) => ({ phoneNumberId: n.phoneNumberId, accessToken: n.accessToken })),
    maxWebhooks: 1,
    control: false,
  });
  cleanups.push(() => fake.stop());
  // Without an IPC channel: stopChild stops it with SIGTERM, as a supervisor would.
  const worker: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'src', 'worker-main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: database.connectionString,
      ENCRYPTION_KEY: key.toString('base64'),
      META_GRAPH_BASE_URL: fake.url,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(worker);
  namedPids.set(worker.pid!, 'worker');
  const servers = [
    await startChild('server-child.ts', database.connectionString),
    await startChild('server-child.ts', database.connectionString),
  ];
  servers.forEach((s, i) => namedPids.set(s.child.pid!, `server ${i + 1}`));
  try {
    const until = Date.now() + 60_000;
    while (Date.now() < until && Number((await db('delivery_workers').count({ n: '*' }))[0]!.n) === 0)
      await new Promise((r) => setTimeout(r, 200));
    const auth = { authorization: `Bearer ${seeded.key.plaintext}` };
    const target = { agentId: seeded.agent.id, from: seeded.numbers.map((n) => n.from) };
    const run = (port: number, duration: number) =>
      autocannon({
        url: `http://127.0.0.1:${port}`,
        connections: CONNECTIONS,
        duration,
        requests: [sendRequest('/v1/whatsapp/templates', auth, target)],
      });
    const rounds: MultiRound[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      for (const count of [1, 2]) {
        const active = servers.slice(0, count);
        await Promise.all(active.map((s) => run(s.port, WARMUP_S)));
        const accepted0 = fake.stats().accepted;
        const end = cpuWindow();
        const results = await Promise.all(active.map((s) => run(s.port, DURATION_S)));
        const w = end();
        const bad = results.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
        if (bad > 0) throw new Error(`${count} API processes: ${bad} failed sends — the figures would be meaningless`);
        const round: MultiRound = {
          servers: count,
          sendsPerSecond: results.reduce((n, r) => n + r.requests.total / r.duration, 0),
          p99: Math.max(...results.map((r) => r.latency.p99)),
          deliveredPerSecond: (fake.stats().accepted - accepted0) / w.seconds,
          cores: cores(w),
          contaminated: w.contaminated,
          otherShare: w.otherShare,
        };
        rounds.push(round);
        log(
          `${count} API process${count > 1 ? 'es' : ''} + 1 worker: ${round.sendsPerSecond.toFixed(0)} sends/s (p99 ${round.p99} ms), ${round.deliveredPerSecond.toFixed(0)} delivered/s; cores ${JSON.stringify(round.cores)}${w.contaminated ? ' (CONTAMINATED)' : ''}`,
        );
      }
    }
    const one = median(rounds.filter((r) => r.servers === 1).map((r) => r.sendsPerSecond));
    const two = median(rounds.filter((r) => r.servers === 2).map((r) => r.sendsPerSecond));
    return { rounds, one, two, scaling: two / Math.max(1, one) };
  } finally {
    for (const s of servers) await stopChild(s.child);
    await stopChild(worker);
    for (const pid of [worker.pid!, ...servers.map((s) => s.child.pid!)]) namedPids.delete(pid);
  }
}
