/**
 * `npm run bench`: send and status throughput/latency against same-run baselines, the delivery
 * worker's rate, and the server's peak RSS. Writes BENCHMARKS.md (repo root) and
 * test/bench/results.json (machine-specific; not meant to be committed).
 *
 * PostgreSQL: the embedded one, or DATABASE_URL (fresh databases, dropped at the end). The
 * server and the baselines run as child processes (server-child.ts, baseline-child.ts); the load
 * (autocannon), the fake Meta and the delivery worker run in this process. Everything is bounded:
 * a global deadline kills the run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Knex } from 'knex';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import { startDeliveryWorker } from '../../server/src/delivery/worker.ts';
import { createAgent, createConnection } from '../../server/src/domain/agents.ts';
import { createApiKey } from '../../server/src/domain/api-keys/store.ts';
import { Messaging, type Sender } from '../../server/src/domain/messages.ts';
import { createOrganization } from '../../server/src/domain/organizations.ts';
import { SecretBox } from '../../server/src/domain/secrets.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { metrics } from '../../server/src/metrics.ts';
import { createCloudApiClient } from '../../server/src/whatsapp/cloud-api.ts';
import { startFakeMeta, type FakeMeta } from '../support/fake-meta/index.ts';
import { EXAMPLE_TEMPLATES, seedContractFixture } from '../support/fixtures.ts';
import { createFreshDatabase, startTestPostgres, type FreshDatabase, type TestPostgres } from '../support/postgres.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const WARMUP_S = 2;
const CONNECTIONS = 32;
const FIXED_RATE = 1_000;
const WORKER_MESSAGES = Number(process.env.BENCH_WORKER_MESSAGES ?? 4_000);
const WORKER_NUMBERS = 20;
const WORKER_MPS = 80; // the default messages_per_second of a number
const WORKER_CONCURRENCY = 64; // the default WORKER_CONCURRENCY (server/src/config.ts)
const DEADLINE_MS = 290_000;
// BENCH_ONLY=sends,status,fixed,worker: run only those parts and print their figures, without
// writing BENCHMARKS.md or results.json (for profiling one path at a time).
const ONLY = new Set(
  (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const wants = (part: 'sends' | 'status' | 'fixed' | 'worker') => ONLY.size === 0 || ONLY.has(part);

const started = Date.now();
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

const deadline = setTimeout(() => {
  process.stderr.write(`bench: deadline of ${DEADLINE_MS / 1000} s reached; stopping\n`);
  for (const c of children) c.kill('SIGKILL');
  void Promise.allSettled(cleanups.reverse().map((f) => f())).finally(() => process.exit(1));
  setTimeout(() => process.exit(1), 15_000).unref();
}, DEADLINE_MS);
deadline.unref();

const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

function startChild(file: string, databaseUrl: string): Promise<{ child: ChildProcess; port: number; info: Record<string, unknown> }> {
  const child = fork(path.join(HERE, file), [], {
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each child, written when it stops (for finding what stands in the way).
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start within 60 s`)), 60_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      const info = m as Record<string, unknown>;
      resolve({ child, port: info.port as number, info });
    });
    child.once('exit', (code) => reject(new Error(`${file} exited (${code}) before listening`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.send('stop');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

interface Measured {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly total: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly offeredRate?: number;
  readonly cpuMicrosecondsPerRequest: Record<string, number>;
}

/** CPU time (ms) used so far by each process on the machine, by pid, from /proc/<pid>/stat. */
function cpuByProcess(): Map<number, { comm: string; ms: number }> {
  const ticksMs = 1000 / 100; // USER_HZ is 100 on Linux
  const out = new Map<number, { comm: string; ms: number }>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      out.set(Number(e), { comm, ms: (Number(fields[11]) + Number(fields[12])) * ticksMs });
    } catch {
      // the process ended in between
    }
  }
  return out;
}

/** Pids of the server and baseline children, named in CPU breakdowns. */
const namedPids = new Map<number, string>();

/** CPU microseconds per request, by process group (server, baseline, postgres, load generator, other). */
function cpuPerRequest(
  before: Map<number, { comm: string; ms: number }>,
  after: Map<number, { comm: string; ms: number }>,
  requests: number,
): Record<string, number> {
  const groups: Record<string, number> = {};
  for (const [pid, a] of after) {
    const used = a.ms - (before.get(pid)?.ms ?? 0);
    if (used <= 0) continue;
    const group = namedPids.get(pid) ?? (pid === process.pid ? 'load generator' : a.comm === 'postgres' ? 'postgres' : 'other');
    groups[group] = (groups[group] ?? 0) + used;
  }
  return Object.fromEntries(Object.entries(groups).map(([g, ms]) => [g, Math.round((ms * 1000) / Math.max(1, requests))]));
}

async function load(name: string, options: autocannon.Options, warmup = true): Promise<Measured> {
  if (warmup) await autocannon({ ...options, duration: WARMUP_S, overallRate: undefined });
  const cpuBefore = cpuByProcess();
  const r = await autocannon({ connections: CONNECTIONS, ...options, duration: DURATION_S });
  const cpu = cpuPerRequest(cpuBefore, cpuByProcess(), r.requests.total);
  const m: Measured = {
    name,
    requestsPerSecond: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    ...(options.overallRate !== undefined ? { offeredRate: options.overallRate } : {}),
    cpuMicrosecondsPerRequest: cpu,
  };
  log(
    `${name}: ${m.requestsPerSecond.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, non-2xx ${m.non2xx}, errors ${m.errors}; CPU µs/request: ${Object.entries(
      cpu,
    )
      .map(([g, us]) => `${g} ${us}`)
      .join(', ')}`,
  );
  if (m.non2xx > 0 || m.errors > 0)
    throw new Error(`${name}: ${m.non2xx} non-2xx answers and ${m.errors} errors — the figures would be meaningless`);
  return m;
}

function procStatus(pid: number, field: string): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

// Distinct recipients across every send of the run (the fixture's own recipient is +15551234567).
let recipientSeq = 2_000_000;
const runId = randomBytes(4).toString('hex');
function sendRequest(pathName: string, headers: Record<string, string>): autocannon.Request {
  return {
    method: 'POST',
    path: pathName,
    setupRequest: (req) => {
      const n = recipientSeq++;
      return {
        ...req,
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': `bench-${runId}-${n}` },
        body: JSON.stringify({
          agent_id: fixtureAgentId,
          from: fixtureFrom,
          to: `+1555${String(n).padStart(7, '0')}`,
          template: {
            name: 'order_shipped',
            language: 'en',
            parameters: { customer_name: 'Sara', tracking_url: `https://track.example/${n}` },
          },
        }),
      };
    },
  };
}
let fixtureAgentId = '';
let fixtureFrom = '';

async function seedBaselineTables(db: Knex): Promise<string> {
  await db.raw(`
    CREATE TABLE bench_messages (id uuid PRIMARY KEY, organization_id uuid NOT NULL, status text NOT NULL DEFAULT 'queued',
      to_number text NOT NULL, content jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    CREATE INDEX bench_messages_org_created ON bench_messages (organization_id, created_at);
    CREATE TABLE bench_idempotency (key_id uuid NOT NULL, key text NOT NULL, response jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (key_id, key));
    CREATE TABLE bench_jobs (id bigserial PRIMARY KEY, task text NOT NULL, payload json NOT NULL,
      run_at timestamptz NOT NULL DEFAULT now(), attempts int NOT NULL DEFAULT 0);
    CREATE INDEX bench_jobs_run_at ON bench_jobs (run_at);`);
  await db.raw(`INSERT INTO bench_messages (id, organization_id, to_number, content)
    SELECT gen_random_uuid(), gen_random_uuid(), '+1555' || lpad(i::text, 7, '0'), '{"name":"order_shipped"}' FROM generate_series(1, 10000) i`);
  await db.raw('ANALYZE bench_messages');
  const row = await db('bench_messages').orderBy('to_number').offset(5000).first('id');
  return row.id as string;
}

interface WorkerResult {
  readonly messages: number;
  readonly numbers: number;
  readonly messagesPerSecondPerNumber: number;
  readonly concurrency: number;
  readonly enqueueSeconds: number;
  readonly deliverySeconds: number;
  readonly messagesPerSecond: number;
  readonly steadyMessagesPerSecond: number;
  readonly accepted: number;
  readonly rateLimited: number;
  readonly invalid: number;
  readonly duplicateSends: number;
  readonly maxPerSecondObserved: number;
  readonly numbersOverRate: string[];
  readonly pacingCeiling: number;
}

async function benchWorker(postgres: TestPostgres): Promise<WorkerResult> {
  const database = await createFreshDatabase(postgres.adminUrl, 'bench_worker');
  cleanups.push(() => database.drop());
  const db = createDatabase({ connectionString: database.connectionString, poolMax: 20, logger: silentLogger });
  cleanups.push(() => db.destroy());
  await migrateToLatest(db);
  const secrets = new SecretBox(randomBytes(32));
  const organization = await createOrganization(db, { name: 'Worker bench', plan: 'professional', monthlyMessageQuota: 100_000_000 });
  const agent = await createAgent(db, { organizationId: organization.id, name: 'Bench agent' });
  const numbers: Array<{ from: string; phoneNumberId: string; accessToken: string }> = [];
  for (let i = 0; i < WORKER_NUMBERS; i++) {
    const n = {
      from: `+1777${String(1_000_000 + i).padStart(7, '0')}`,
      phoneNumberId: String(100_000_000_000_000 + i),
      accessToken: `EAAG${randomBytes(24).toString('hex')}`,
    };
    const connection = await createConnection(
      db,
      {
        agentId: agent.id,
        phoneNumber: n.from,
        phoneNumberId: n.phoneNumberId,
        accessToken: n.accessToken,
        wabaId: `4195${i}`,
        messagesPerSecond: WORKER_MPS,
      },
      secrets,
    );
    for (const t of EXAMPLE_TEMPLATES) await upsertTemplate(db, connection.id, templateFromMeta(t));
    numbers.push(n);
  }
  const key = await createApiKey(db, {
    organizationId: organization.id,
    name: 'worker bench',
    environment: 'live',
    scopes: ['whatsapp:send', 'whatsapp:read'],
    rateLimitPerMinute: 1_000_000,
  });
  const sender: Sender = { keyId: key.record.id, organizationId: organization.id, environment: 'live', agentIds: null };
  const messaging = new Messaging(db);
  const enqueueStart = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < WORKER_MESSAGES) {
        const i = next++;
        const number = numbers[i % numbers.length]!;
        await messaging.send(
          sender,
          {
            operationId: 'sendWhatsAppTemplate',
            type: 'template',
            body: {
              agent_id: agent.id,
              from: number.from,
              to: `+1888${String(i).padStart(7, '0')}`,
              template: {
                name: 'order_shipped',
                language: 'en',
                parameters: { customer_name: 'Sara', tracking_url: `https://t.example/${i}` },
              },
            },
          },
          { idempotencyKey: undefined, correlationId: randomUUID() },
        );
      }
    }),
  );
  const enqueueSeconds = (Date.now() - enqueueStart) / 1000;
  log(`worker: ${WORKER_MESSAGES} live messages queued across ${WORKER_NUMBERS} numbers in ${enqueueSeconds.toFixed(1)} s`);

  const fake: FakeMeta = await startFakeMeta({
    phoneNumbers: numbers.map((n) => ({ phoneNumberId: n.phoneNumberId, accessToken: n.accessToken })),
    maxWebhooks: 1,
    control: false,
  });
  cleanups.push(() => fake.stop());
  const start = Date.now();
  const worker = await startDeliveryWorker({
    connectionString: database.connectionString,
    concurrency: WORKER_CONCURRENCY,
    pollIntervalMs: 200,
    deps: {
      db,
      cloudApi: createCloudApiClient({ baseUrl: fake.url, graphVersion: 'v23.0', timeoutMs: 5_000 }),
      secrets,
      logger: silentLogger,
      sandboxStepMs: 1_000,
    },
  });
  let stopped = false;
  const stopWorker = async () => {
    if (!stopped) {
      stopped = true;
      await worker.stop();
    }
  };
  cleanups.push(stopWorker);
  const limit = Date.now() + 90_000;
  while (Date.now() < limit) {
    if (fake.stats().accepted >= WORKER_MESSAGES) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const end = Date.now();
  await stopWorker();
  const stats = fake.stats();
  const deliverySeconds = (end - start) / 1000;
  // Steady state: between the 10 % and the 90 % mark of the fake's acceptances (no start-up, no tail).
  const times = fake.requests
    .filter((r) => r.outcome === 'accepted')
    .map((r) => r.at.getTime())
    .sort((a, b) => a - b);
  const lo = times[Math.floor(times.length * 0.1)] ?? 0;
  const hi = times[Math.floor(times.length * 0.9)] ?? 0;
  const steady = hi > lo ? (Math.floor(times.length * 0.9) - Math.floor(times.length * 0.1)) / ((hi - lo) / 1000) : 0;
  const maxPer = Object.values(stats.maxPerSecondByNumber);
  const over = Object.entries(stats.maxPerSecondByNumber)
    .filter(([, v]) => v > WORKER_MPS)
    .map(([k, v]) => `${k}: ${v}`);
  const result: WorkerResult = {
    messages: WORKER_MESSAGES,
    numbers: WORKER_NUMBERS,
    messagesPerSecondPerNumber: WORKER_MPS,
    concurrency: WORKER_CONCURRENCY,
    enqueueSeconds,
    deliverySeconds,
    messagesPerSecond: stats.accepted / deliverySeconds,
    steadyMessagesPerSecond: steady,
    accepted: stats.accepted,
    rateLimited: stats.sends.rate_limited,
    invalid: stats.invalidRequests,
    duplicateSends: stats.duplicateSends,
    maxPerSecondObserved: maxPer.length ? Math.max(...maxPer) : 0,
    numbersOverRate: over,
    pacingCeiling: WORKER_NUMBERS * WORKER_MPS,
  };
  log(
    `worker: ${stats.accepted}/${WORKER_MESSAGES} handed to the fake Meta in ${deliverySeconds.toFixed(2)} s (${result.messagesPerSecond.toFixed(0)} msg/s, steady ${steady.toFixed(0)} msg/s); max per number per second ${result.maxPerSecondObserved} (configured ${WORKER_MPS}); sends that missed their slot and took a new one: ${await deliveryCount('missed_slot')}, retried: ${await deliveryCount('retried')}`,
  );
  return result;
}

/** This process's delivery counter for one outcome (the worker runs in this process). */
async function deliveryCount(outcome: string): Promise<number> {
  const metric = await metrics.deliveries.get();
  return metric.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

function machine(): Record<string, string | number> {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  return {
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
    nproc: os.availableParallelism(),
    memoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** A fresh database with the contract fixture and a high-limit test key, the baselines and the server. */
async function startServers(postgres: TestPostgres) {
  const database: FreshDatabase = await createFreshDatabase(postgres.adminUrl, 'bench');
  cleanups.push(() => database.drop());
  const db = createDatabase({ connectionString: database.connectionString, poolMax: 4, logger: silentLogger });
  cleanups.push(() => db.destroy());
  await migrateToLatest(db);
  const fixture = await seedContractFixture(db);
  fixtureAgentId = fixture.agentId;
  fixtureFrom = fixture.from;
  const key = await createApiKey(db, {
    organizationId: fixture.organizationId,
    name: 'bench',
    environment: 'test',
    scopes: ['whatsapp:send', 'whatsapp:read'],
    rateLimitPerMinute: 1_000_000,
  });
  const selectId = await seedBaselineTables(db);
  const pgVersion = ((await db.raw('SHOW server_version')) as { rows: Array<{ server_version: string }> }).rows[0]!.server_version;
  log(`PostgreSQL ${pgVersion} (${postgres.kind}); database ${database.name} migrated and seeded`);

  const baseline = await startChild('baseline-child.ts', database.connectionString);
  const server = await startChild('server-child.ts', database.connectionString);
  namedPids.set(baseline.child.pid!, 'baseline');
  namedPids.set(server.child.pid!, 'server');
  const auth = { authorization: `Bearer ${key.plaintext}` };
  log(
    `server pid ${server.child.pid!} on :${server.port} (pool ${String(server.info.poolMax)}, log level ${String(server.info.logLevel)}); baselines on :${baseline.port}`,
  );

  // A message to read back.
  const created = await fetch(`http://127.0.0.1:${server.port}/v1/whatsapp/templates`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      agent_id: fixture.agentId,
      from: fixture.from,
      to: fixture.to,
      template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://track.example/1' } },
    }),
  });
  if (created.status !== 202) throw new Error(`seeding a message failed: ${created.status} ${await created.text()}`);
  const messageId = ((await created.json()) as { id: string }).id;
  return { server, baseline, auth, messageId, selectId, pgVersion };
}

async function main(): Promise<void> {
  log('starting PostgreSQL');
  const postgres = await startTestPostgres();
  cleanups.push(() => postgres.stop());
  if (ONLY.size > 0) return partial(postgres);
  const { server, baseline, auth, messageId, selectId, pgVersion } = await startServers(postgres);
  const serverPid = server.child.pid!;
  const baseUrl = (port: number) => `http://127.0.0.1:${port}`;

  const threeInserts = await load('(1) baseline: Koa + pg, 3 INSERTs in a transaction', {
    url: baseUrl(baseline.port),
    requests: [sendRequest('/three', {})],
  });
  const oneInsert = await load('(2) baseline: Koa + pg, 1 INSERT', { url: baseUrl(baseline.port), requests: [sendRequest('/one', {})] });

  // Peak RSS of the server during the send run: reset the high-water mark (clear_refs 5), and sample.
  let rssResetWorked = true;
  try {
    writeFileSync(`/proc/${serverPid}/clear_refs`, '5');
  } catch {
    rssResetWorked = false;
  }
  const rssBefore = procStatus(serverPid, 'VmRSS');
  let rssSampledMax = 0;
  const sampler = setInterval(() => {
    rssSampledMax = Math.max(rssSampledMax, procStatus(serverPid, 'VmRSS') ?? 0);
  }, 50);
  const sends = await load('(3) ours: POST /v1/whatsapp/templates', {
    url: baseUrl(server.port),
    requests: [sendRequest('/v1/whatsapp/templates', auth)],
  });
  clearInterval(sampler);
  const hwm = procStatus(serverPid, 'VmHWM');
  const peakRssKiB = Math.max(hwm ?? 0, rssSampledMax);

  const select = await load('(4) baseline: Koa + pg, 1 indexed SELECT', { url: `${baseUrl(baseline.port)}/select/${selectId}` });
  const status = await load('(5) ours: GET /v1/whatsapp/messages/{id}', {
    url: `${baseUrl(server.port)}/v1/whatsapp/messages/${messageId}`,
    headers: auth,
  });
  const fixedRate = await load(`(6) ours: POST /v1/whatsapp/templates at ${FIXED_RATE} req/s offered`, {
    url: baseUrl(server.port),
    requests: [sendRequest('/v1/whatsapp/templates', auth)],
    overallRate: FIXED_RATE,
  });
  await stopChild(server.child);
  await stopChild(baseline.child);

  const worker = await benchWorker(postgres);

  const ratio = (a: Measured, b: Measured) => a.requestsPerSecond / b.requestsPerSecond;
  const ratios = {
    sendsVsThreeInserts: ratio(sends, threeInserts),
    sendsVsOneInsert: ratio(sends, oneInsert),
    statusVsSelect: ratio(status, select),
  };
  const targets = [
    {
      target: 'sends ≥ 0.8 × three-INSERT baseline',
      value: `${ratios.sendsVsThreeInserts.toFixed(2)} ×`,
      met: ratios.sendsVsThreeInserts >= 0.8,
    },
    {
      target: 'stretch: sends ≥ 0.9 × one-INSERT baseline',
      value: `${ratios.sendsVsOneInsert.toFixed(2)} ×`,
      met: ratios.sendsVsOneInsert >= 0.9,
    },
    { target: 'status ≥ 0.8 × SELECT baseline', value: `${ratios.statusVsSelect.toFixed(2)} ×`, met: ratios.statusVsSelect >= 0.8 },
    {
      target: `p99 ≤ 50 ms at ${FIXED_RATE} sends/s`,
      value: `${fixedRate.p99} ms (achieved ${fixedRate.requestsPerSecond.toFixed(0)} req/s)`,
      met: fixedRate.p99 <= 50 && fixedRate.requestsPerSecond >= FIXED_RATE * 0.95,
    },
    {
      target: 'worker ≥ 1,000 msg/s',
      value: `${worker.messagesPerSecond.toFixed(0)} msg/s (steady ${worker.steadyMessagesPerSecond.toFixed(0)})`,
      met: worker.messagesPerSecond >= 1_000,
    },
    {
      target: 'worker pacing exact (no number above its messages_per_second)',
      value: `max ${worker.maxPerSecondObserved}/s per number vs ${WORKER_MPS} configured; ${worker.rateLimited} rate-limited`,
      met: worker.numbersOverRate.length === 0 && worker.accepted === worker.messages,
    },
  ];
  const totalSeconds = (Date.now() - started) / 1000;
  const results = {
    date: new Date().toISOString(),
    machine: { ...machine(), postgres: `${pgVersion} (${postgres.kind.startsWith('embedded') ? 'embedded' : 'DATABASE_URL'})` },
    settings: {
      durationSeconds: DURATION_S,
      warmupSeconds: WARMUP_S,
      connections: CONNECTIONS,
      fixedRate: FIXED_RATE,
      serverPoolMax: server.info.poolMax,
      baselinePoolMax: 10,
      serverLogLevel: server.info.logLevel,
      autocannon: '9.0.0',
    },
    runs: { threeInserts, oneInsert, sends, select, status, fixedRate },
    ratios,
    memory: {
      peakRssMiB: peakRssKiB / 1024,
      rssBeforeSendRunMiB: (rssBefore ?? 0) / 1024,
      method: rssResetWorked
        ? 'VmHWM after reset via /proc/<pid>/clear_refs, and VmRSS sampled every 50 ms'
        : 'VmHWM (peak since start) and VmRSS sampled every 50 ms',
    },
    worker,
    targets,
    totalSeconds,
  };
  writeFileSync(path.join(HERE, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const table = renderTable(results.runs, ratios);
  writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), renderMarkdown(results, table));
  process.stdout.write(`\n${table}\n\nPeak RSS of the server during the send run: ${(peakRssKiB / 1024).toFixed(1)} MiB\n`);
  process.stdout.write(
    `Worker: ${worker.accepted}/${worker.messages} messages across ${worker.numbers} numbers in ${worker.deliverySeconds.toFixed(2)} s = ${worker.messagesPerSecond.toFixed(0)} msg/s (steady ${worker.steadyMessagesPerSecond.toFixed(0)} msg/s; pacing ceiling ${worker.pacingCeiling} msg/s); highest per-number rate ${worker.maxPerSecondObserved}/s vs ${WORKER_MPS} configured${worker.numbersOverRate.length ? ` — OVER: ${worker.numbersOverRate.join(', ')}` : ''}\n\nTargets:\n`,
  );
  for (const t of targets) process.stdout.write(`  ${t.met ? 'met    ' : 'NOT MET'}  ${t.target}: ${t.value}\n`);
  process.stdout.write(`\nWrote BENCHMARKS.md and test/bench/results.json in ${totalSeconds.toFixed(0)} s\n`);
}

/** BENCH_ONLY: the chosen parts, printed only. */
async function partial(postgres: TestPostgres): Promise<void> {
  if (wants('sends') || wants('status') || wants('fixed')) {
    const { server, baseline, auth, messageId, selectId } = await startServers(postgres);
    const url = `http://127.0.0.1:${server.port}`;
    if (wants('sends')) {
      const base = await load('(1) baseline: Koa + pg, 3 INSERTs in a transaction', {
        url: `http://127.0.0.1:${baseline.port}`,
        requests: [sendRequest('/three', {})],
      });
      const ours = await load('(3) ours: POST /v1/whatsapp/templates', { url, requests: [sendRequest('/v1/whatsapp/templates', auth)] });
      log(`sends: ${(ours.requestsPerSecond / base.requestsPerSecond).toFixed(2)} × (1)`);
    }
    if (wants('status')) {
      const base = await load('(4) baseline: Koa + pg, 1 indexed SELECT', { url: `http://127.0.0.1:${baseline.port}/select/${selectId}` });
      const ours = await load('(5) ours: GET /v1/whatsapp/messages/{id}', {
        url: `${url}/v1/whatsapp/messages/${messageId}`,
        headers: auth,
      });
      log(`status: ${(ours.requestsPerSecond / base.requestsPerSecond).toFixed(2)} × (4)`);
    }
    if (wants('fixed')) {
      await load(`(6) ours: POST /v1/whatsapp/templates at ${FIXED_RATE} req/s offered`, {
        url,
        requests: [sendRequest('/v1/whatsapp/templates', auth)],
        overallRate: FIXED_RATE,
      });
    }
    await stopChild(server.child);
    await stopChild(baseline.child);
  }
  if (wants('worker')) await benchWorker(postgres);
}

function renderTable(runs: Record<string, Measured>, ratios: Record<string, number>): string {
  const ratioFor: Record<string, string> = {
    sends: `${ratios.sendsVsThreeInserts!.toFixed(2)} × (1), ${ratios.sendsVsOneInsert!.toFixed(2)} × (2)`,
    status: `${ratios.statusVsSelect!.toFixed(2)} × (4)`,
  };
  const cpu = (m: Measured) => {
    const c = m.cpuMicrosecondsPerRequest;
    return `${(c.server ?? 0) + (c.baseline ?? 0)} / ${c.postgres ?? 0} / ${c['load generator'] ?? 0}`;
  };
  const rows = Object.entries(runs).map(([k, m]) => [
    m.name,
    m.requestsPerSecond.toFixed(0),
    `${m.p50} ms`,
    `${m.p99} ms`,
    String(m.total),
    cpu(m),
    ratioFor[k] ?? '',
  ]);
  const header = ['run', 'req/s', 'p50', 'p99', 'requests', 'CPU µs/request: app / PostgreSQL / load', 'ours/baseline'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const left = (i: number) => i === 0 || i === header.length - 1;
  const line = (cells: string[]) => `| ${cells.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (left(i) ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function renderMarkdown(r: any, table: string): string {
  const m = r.machine;
  const w = r.worker as WorkerResult;
  return `# Benchmarks

Written by \`npm run bench\` (test/bench/run.ts) on ${r.date}; the raw figures are in
test/bench/results.json. Total run time: ${r.totalSeconds.toFixed(0)} s.

## Machine

| | |
|---|---|
| CPU | ${m.cpuModel} |
| cores (nproc) | ${m.nproc} |
| memory | ${m.memoryGiB} GiB |
| Node.js | ${m.node} |
| OS | ${m.platform} |
| PostgreSQL | ${m.postgres}, on the same machine |

## Method

autocannon ${r.settings.autocannon}, ${r.settings.connections} connections, ${r.settings.durationSeconds} s per run after a ${r.settings.warmupSeconds} s warm-up, all on loopback;
the load generator, the server, the baselines and PostgreSQL share the ${m.nproc} cores. The server is
the production app (createApp + implementations, the configuration of \`npm start\`: pool ${r.settings.serverPoolMax},
log level ${r.settings.serverLogLevel} with request logs written to a discarded stdout, WORKER=false) in its own
process. The baselines are bare Koa + pg (pool ${r.settings.baselinePoolMax}, no auth, no validation) in another
process, on tables shaped like messages, idempotency keys and jobs. Every send has its own recipient and
Idempotency-Key (the same bodies go to the baselines). Sends use a test key (sandbox) with a limit of
1,000,000/min (the schema's maximum, 16,667/s), so no rate limit or quota is met. Any non-2xx answer or error fails the run.

## Results

${table}

(6) offers a fixed ${r.settings.fixedRate} req/s (autocannon \`overallRate\`); its latency is the figure for the
p99 target. CPU µs/request: CPU time (user + system, from /proc) that the app (our server or the
baseline), PostgreSQL and the load generator spent during the run, divided by the requests
served; all share the same ${m.nproc} cores, so the run ends where their sum reaches the machine.

Peak RSS of the server process during the send run (3): **${r.memory.peakRssMiB.toFixed(1)} MiB**
(${r.memory.rssBeforeSendRunMiB.toFixed(1)} MiB before it; ${r.memory.method}).

## Delivery worker

${w.messages} live template messages across ${w.numbers} numbers with Meta credentials (messages_per_second
${w.messagesPerSecondPerNumber} each, so a pacing ceiling of ${w.pacingCeiling} msg/s), queued first (${w.enqueueSeconds.toFixed(1)} s), then
startDeliveryWorker (concurrency ${w.concurrency}, the default) against the fake Meta in this process:

| | |
|---|---|
| handed to the fake Meta | ${w.accepted} / ${w.messages} in ${w.deliverySeconds.toFixed(2)} s |
| messages/s (worker start to last accepted) | ${w.messagesPerSecond.toFixed(0)} |
| messages/s (steady state, 10 %–90 % of acceptances) | ${w.steadyMessagesPerSecond.toFixed(0)} |
| highest sends per number in any sliding second | ${w.maxPerSecondObserved} (configured ${w.messagesPerSecondPerNumber}) |
| numbers above their configured rate | ${w.numbersOverRate.length === 0 ? 'none' : w.numbersOverRate.join(', ')} |
| Meta rate-limit answers / invalid bodies / duplicate sends | ${w.rateLimited} / ${w.invalid} / ${w.duplicateSends} |

## Targets (PRODUCT.md)

| target | measured | met |
|---|---|---|
${(r.targets as Array<{ target: string; value: string; met: boolean }>).map((t) => `| ${t.target} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`).join('\n')}
`;
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const f of cleanups.reverse()) {
    try {
      await f();
    } catch (error) {
      process.stderr.write(`cleanup: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  clearTimeout(deadline);
}
process.exit(failed ? 1 : 0);
