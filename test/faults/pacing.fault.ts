/**
 * Pacing under stalls, with real worker processes (`server/src/worker-main.ts`): a worker is
 * frozen from outside (SIGSTOP, ~500 ms, then SIGCONT) several times while it sends a backlog,
 * a real stall of its event loop and timers with no hook in the product. Timers that fire late
 * must not send together: from the fake Meta's arrival times, no number may have more than its
 * messages_per_second sends in any sliding one-second span, and every message must be accepted
 * exactly once (none lost, none twice), each with one recorded attempt.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import { createAgent, createConnection } from '../../server/src/domain/agents.ts';
import { createApiKey } from '../../server/src/domain/api-keys/store.ts';
import { Messaging, type Sender } from '../../server/src/domain/messages.ts';
import { createOrganization } from '../../server/src/domain/organizations.ts';
import { SecretBox } from '../../server/src/domain/secrets.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { repoRoot } from '../support/contract.ts';
import { startFakeMeta, type FakeMeta } from '../support/fake-meta/index.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { busiestSecond, sendTimes } from '../support/pacing.ts';
import { createFreshDatabase, startTestPostgres, type FreshDatabase, type TestPostgres } from '../support/postgres.ts';
import { recordFigure } from './support/figures.ts';

const RATE = 40;
const STALL_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  /** Everything the process wrote (JSON log lines). */
  output(): string;
}

function startWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/src/worker-main.ts')], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited, output: () => output };
}

/** Sends the worker processes reported as having missed their slot (debug lines). */
const missedSlots = (workers: readonly WorkerProcess[]) =>
  workers.reduce((n, w) => n + (w.output().match(/missed its sending slot/g)?.length ?? 0), 0);

describe('fault suite: pacing of worker processes that stall (SIGSTOP/SIGCONT)', function () {
  this.timeout(150_000);
  let postgres: TestPostgres;
  let database: FreshDatabase;
  let db: Knex;
  let fake: FakeMeta;
  const key = randomBytes(32);
  const secrets = new SecretBox(key);
  const workers: WorkerProcess[] = [];

  before(async function () {
    this.timeout(180_000);
    postgres = await startTestPostgres();
  });
  after(async () => {
    await postgres?.stop();
  });
  beforeEach(async () => {
    database = await createFreshDatabase(postgres.adminUrl, 'pacing_fault');
    db = createDatabase({ connectionString: database.connectionString, poolMax: 5, logger: silentLogger });
    await migrateToLatest(db);
    fake = await startFakeMeta({ latencyMs: 20, maxWebhooks: 0, control: false });
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      w.child.kill('SIGCONT');
      w.child.kill('SIGKILL');
      await w.exited;
    }
    await fake?.stop();
    await db?.destroy();
    await database?.drop();
  });

  /** Numbers with Meta credentials at `RATE` messages per second, each with a backlog of `count` live messages. */
  async function backlog(numbers: number, count: number): Promise<Array<{ phoneNumberId: string; ids: string[] }>> {
    const organization = await createOrganization(db, { name: 'Pacing fault', plan: 'professional', monthlyMessageQuota: 1_000_000 });
    const agent = await createAgent(db, { organizationId: organization.id, name: 'Agent' });
    const apiKey = await createApiKey(db, {
      organizationId: organization.id,
      name: 'fault',
      environment: 'live',
      scopes: ['whatsapp:send', 'whatsapp:read'],
      rateLimitPerMinute: 1_000_000,
    });
    const sender: Sender = { keyId: apiKey.record.id, organizationId: organization.id, environment: 'live', agentIds: null };
    const messaging = new Messaging(db);
    const result: Array<{ phoneNumberId: string; ids: string[] }> = [];
    for (let n = 0; n < numbers; n++) {
      const phoneNumberId = String(500_000_000_000_000 + Math.floor(Math.random() * 1e12));
      const accessToken = `EAAG${randomBytes(24).toString('hex')}`;
      const from = `+1666${String(1_000_000 + Math.floor(Math.random() * 8_000_000))}`;
      fake.addPhoneNumber({ phoneNumberId, accessToken });
      const connection = await createConnection(
        db,
        { agentId: agent.id, phoneNumber: from, phoneNumberId, accessToken, wabaId: `77${n}`, messagesPerSecond: RATE },
        secrets,
      );
      await upsertTemplate(db, connection.id, templateFromMeta(EXAMPLE_TEMPLATES[0]));
      result.push({ phoneNumberId, ids: [] });
      for (let i = 0; i < count; i++) {
        const sent = await messaging.send(
          sender,
          {
            operationId: 'sendWhatsAppTemplate',
            type: 'template',
            body: {
              agent_id: agent.id,
              from,
              to: `+1888${String(n * 100_000 + i).padStart(7, '0')}`,
              template: {
                name: 'order_shipped',
                language: 'en',
                parameters: { customer_name: `C${i}`, tracking_url: 'https://t.example' },
              },
            },
          },
          { idempotencyKey: undefined, correlationId: randomUUID() },
        );
        result[n]!.ids.push(sent.message.id);
      }
    }
    return result;
  }

  const workerEnv = () => ({
    DATABASE_URL: database.connectionString,
    META_GRAPH_BASE_URL: fake.url,
    ENCRYPTION_KEY: key.toString('base64'),
    WORKER_CONCURRENCY: '16',
  });

  const queued = async (ids: string[]) =>
    Number((await db('messages').whereIn('id', ids).where({ status: 'queued' }).count('id as n').first())!.n);

  /** Freezes each process in turn for STALL_MS, `times` times, one second apart, while sends go on. */
  async function stall(processes: readonly WorkerProcess[], times: number): Promise<void> {
    for (let i = 0; i < times; i++) {
      const target = processes[i % processes.length]!;
      target.child.kill('SIGSTOP');
      try {
        await sleep(STALL_MS);
      } finally {
        target.child.kill('SIGCONT');
      }
      await sleep(1_000);
    }
  }

  /** Waits until the first `count` sends reached the fake Meta (bounded). */
  async function firstSends(count: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (fake.accepted.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${fake.accepted.length} sends reached the fake Meta`);
      await sleep(20);
    }
  }

  async function settle(ids: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await queued(ids)) > 0) {
      if (Date.now() > deadline) throw new Error(`${await queued(ids)} of ${ids.length} messages still queued`);
      await sleep(100);
    }
  }

  /** Every message accepted exactly once, sent, with one recorded attempt; and the number's busiest sliding second. */
  async function check(scenario: string, numbers: Array<{ phoneNumberId: string; ids: string[] }>, stalls: number): Promise<void> {
    const all = numbers.flatMap((n) => n.ids);
    const accepted = new Map<string, number>();
    for (const a of fake.accepted) if (a.callbackData !== null) accepted.set(a.callbackData, (accepted.get(a.callbackData) ?? 0) + 1);
    const twice = [...accepted].filter(([, count]) => count > 1);
    const lost = all.filter((id) => !accepted.has(id));
    const rows = await db('messages').whereIn('id', all).select('status', 'delivery_attempts');
    const attempts = new Map<string, number>();
    for (const r of rows) attempts.set(`${r.status}/${r.delivery_attempts}`, (attempts.get(`${r.status}/${r.delivery_attempts}`) ?? 0) + 1);
    const busiest = numbers.map((n) => busiestSecond(sendTimes(fake, n.phoneNumberId)));
    const times = numbers.flatMap((n) => sendTimes(fake, n.phoneNumberId));
    const seconds = (Math.max(...times) - Math.min(...times)) / 1000;

    numbers.forEach((n, i) => recordFigure(scenario, `busiest sliding second, number ${i + 1} (limit ${RATE})`, busiest[i]!));
    recordFigure(scenario, 'messages accepted / queued', `${accepted.size} / ${all.length}`);
    recordFigure(scenario, 'sent twice / lost', `${twice.length} / ${lost.length}`);
    recordFigure(scenario, `stalls (SIGSTOP ${STALL_MS} ms)`, stalls);
    recordFigure(scenario, 'sends that missed their slot and took a new one', missedSlots(workers));
    recordFigure(scenario, 'first to last send (s)', seconds);
    recordFigure(scenario, 'sends per second, all numbers', all.length / seconds);

    expect(twice, 'no message sent twice').to.deep.equal([]);
    expect(lost, 'no message lost').to.deep.equal([]);
    expect(fake.invalidRequests()).to.deep.equal([]);
    expect(Object.fromEntries(attempts), 'every message sent, with one recorded attempt').to.deep.equal({ 'sent/1': all.length });
    for (const [i, n] of numbers.entries()) expect(busiest[i], `busiest sliding second of number ${n.phoneNumberId}`).to.be.at.most(RATE);
  }

  it('one worker stalled four times while it sends a backlog stays within the rate', async () => {
    const numbers = await backlog(1, 240);
    const worker = startWorker(workerEnv());
    workers.push(worker);
    await firstSends(20);
    await stall([worker], 4);
    await settle(numbers[0]!.ids, 60_000);
    await check('one worker, stalled', numbers, 4);
  });

  it('two workers sharing the backlogs of two numbers, each stalled in turn, stay within the rate', async () => {
    const numbers = await backlog(2, 150);
    const a = startWorker(workerEnv());
    const b = startWorker(workerEnv());
    workers.push(a, b);
    await firstSends(20);
    await stall([a, b], 4);
    await settle(
      numbers.flatMap((n) => n.ids),
      60_000,
    );
    await check('two workers, two numbers, stalled in turn', numbers, 4);
  });
});
