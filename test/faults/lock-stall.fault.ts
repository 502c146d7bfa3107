/**
 * A table lock that stalls sends: another connection holds `LOCK TABLE messages IN ACCESS
 * EXCLUSIVE MODE` for longer than the server's database timeouts. Concurrent sends answer 503
 * `service_unavailable` with `Retry-After` within a generous bound of the timeout (instead of
 * waiting for the lock with every pool connection), requests that need no database are served
 * meanwhile, the stall is logged once (one line per failed request, no stacks, bounded lines), and
 * once the lock goes the server sends again by itself; the 503'd sends, retried with their
 * Idempotency-Key, are each accepted once.
 *
 * Twice: with the statement cut by `statement_timeout` (57014), and with the lock wait cut by
 * `lock_timeout` (55P03).
 */
import { expect } from 'chai';
import pg from 'pg';
import { MAX_LOG_LINE_CHARS } from '../../server/src/logger.ts';
import { ContractClient, type ContractResponse } from '../support/contract.ts';
import { startListeningServer, type ListeningServer } from '../support/processes.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { recordFigure } from './support/figures.ts';
import { prepareSender, TEMPLATES_PATH, type Sender } from './support/sender.ts';

const CONCURRENT_SENDS = 20;
/** Generous: the timeout plus 2 s (a queued request may wait for a connection, then for the lock). */
const SLACK_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('fault: a table lock stalls sends', function () {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.destroy();
  });

  const scenarios = [
    {
      name: 'statement_timeout',
      env: { DB_STATEMENT_TIMEOUT_MS: '1000', DB_LOCK_TIMEOUT_MS: '0', DB_ACQUIRE_TIMEOUT_MS: '1000' },
      timeoutMs: 1_000,
    },
    {
      name: 'lock_timeout',
      env: { DB_STATEMENT_TIMEOUT_MS: '5000', DB_LOCK_TIMEOUT_MS: '1000', DB_ACQUIRE_TIMEOUT_MS: '1000' },
      timeoutMs: 1_000,
    },
  ] as const;

  for (const scenario of scenarios) {
    describe(`cut by ${scenario.name}`, () => {
      let sender: Sender;
      let server: ListeningServer;
      let holder: pg.Client | undefined;
      before(async () => {
        sender = await prepareSender(cluster.url(), 'lockstall');
        server = await startListeningServer(sender.database.connectionString, scenario.env);
      });
      after(async () => {
        await holder?.end().catch(() => undefined);
        await server?.stop();
        await sender?.close();
      });

      it('answers 503 with Retry-After within the timeout, serves /healthz meanwhile, and recovers when the lock goes', async function () {
        this.timeout(90_000);
        const figure = (name: string, value: number | string) =>
          recordFigure(`lock stall (${scenario.name}, ${scenario.timeoutMs} ms)`, name, value);
        const client = new ContractClient(server.baseUrl, undefined, sender.apiKey);
        const keys = Array.from({ length: CONCURRENT_SENDS }, (_, i) => `stall-${scenario.name}-${i}`);
        const bodies = keys.map((_, i) => sender.body(i));
        // Warm up: the send's statements prepared and the template known, as in production.
        const warm = await client.post(TEMPLATES_PATH, sender.body(-1));
        expect(warm.status, warm.text).to.equal(202);

        holder = new pg.Client({ connectionString: sender.database.connectionString });
        await holder.connect();
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE messages IN ACCESS EXCLUSIVE MODE');
        const logOffset = server.stdout().length;
        const lockedAt = performance.now();

        const sends = Promise.all(
          bodies.map((body, i) => timed(() => client.post(TEMPLATES_PATH, body, { headers: { 'Idempotency-Key': keys[i]! } }))),
        );
        // Requests that need no database are served during the stall.
        const health: number[] = [];
        const healthLoop = (async () => {
          for (let i = 0; i < 10; i++) {
            const res = await timed(() => client.get('/healthz'));
            expect(res.value.status).to.equal(200);
            health.push(res.ms);
            await sleep(100);
          }
        })();
        const [results] = await Promise.all([sends, healthLoop]);

        const statuses = results.map((r) => r.value.status);
        const unavailable = results.filter((r) => r.value.status === 503);
        const maxLatency = Math.max(...unavailable.map((r) => r.ms));
        figure('sends during the stall', CONCURRENT_SENDS);
        figure('503 service_unavailable', unavailable.length);
        figure('max latency of the 503s (ms)', maxLatency);
        figure('max /healthz latency during the stall (ms)', Math.max(...health));
        expect(statuses, 'every send during the stall').to.deep.equal(keys.map(() => 503));
        for (const { value } of unavailable) {
          expect(value.body.error).to.include({ type: 'upstream_error', code: 'service_unavailable' });
          expect(value.headers.get('retry-after')).to.equal('1');
        }
        expect(maxLatency, 'a stalled send answers within the timeout (generous bound)').to.be.below(scenario.timeoutMs + SLACK_MS);
        expect(Math.max(...health), '/healthz is not held up by the stall').to.be.below(1_000);

        // The server's log during the stall: one line per failed request, no stack, bounded.
        await sleep(100);
        const stallLog = server
          .stdout()
          .slice(logOffset)
          .split('\n')
          .filter((l) => l.trim() !== '');
        const parsed = stallLog.map((l) => JSON.parse(l) as Record<string, unknown>);
        const failedIds = new Set(unavailable.map((r) => r.value.correlationId));
        const perRequest = [...failedIds].map((id) => parsed.filter((l) => l.correlation_id === id).length);
        figure('log lines during the stall', stallLog.length);
        figure('log lines per failed request (max)', Math.max(...perRequest));
        figure('longest log line (chars)', Math.max(...stallLog.map((l) => l.length)));
        expect(Math.max(...perRequest), 'log lines per failed request').to.be.at.most(2);
        expect(
          stallLog.filter((l) => l.includes('"stack"') || /\\n\s+at /.test(l)),
          'no stack in the stall log',
        ).to.deep.equal([]);
        const unattributed = parsed.filter((l) => l.correlation_id === undefined);
        figure('log lines of no request during the stall', unattributed.length);
        expect(unattributed.length, 'lines of no request (the outage, not one per request)').to.be.at.most(3);
        expect(stallLog.filter((l) => l.length > MAX_LOG_LINE_CHARS)).to.deep.equal([]);
        expect(
          parsed.filter((l) => l.msg === 'database unavailable'),
          'the outage logged once',
        ).to.have.length(1);
        const failures = parsed.filter((l) => l.msg === 'request' && l.status === 503).map((l) => l.db_failure);
        expect(new Set(failures)).to.deep.equal(
          new Set([
            scenario.name === 'lock_timeout' ? 'lock_timeout' : 'statement_timeout',
            ...(failures.includes('pool_timeout') ? ['pool_timeout'] : []),
          ]),
        );
        figure('lock held (ms)', performance.now() - lockedAt);

        // The lock goes: sends are accepted again without any restart.
        await holder.query('COMMIT');
        const releasedAt = performance.now();
        let first: ContractResponse | undefined;
        for (let attempt = 0; attempt < 50 && first?.status !== 202; attempt++) {
          first = await client.post(TEMPLATES_PATH, bodies[0]!, { headers: { 'Idempotency-Key': keys[0]! } });
          if (first.status !== 202) await sleep(100);
        }
        figure('time to the first 202 after the release (ms)', performance.now() - releasedAt);
        expect(first?.status, first?.text).to.equal(202);

        // The 503'd sends wrote nothing: retried with the same key, each is accepted (not replayed, not "in progress").
        const retries = await Promise.all(
          bodies.map((body, i) => client.post(TEMPLATES_PATH, body, { headers: { 'Idempotency-Key': keys[i]! } })),
        );
        expect(retries.map((r) => r.status)).to.deep.equal(keys.map(() => 202));
        expect(retries.slice(1).map((r) => r.headers.get('idempotent-replayed'))).to.deep.equal(keys.slice(1).map(() => null));
        const stored = await sender
          .db('idempotency_keys')
          .where({ api_key_id: sender.apiKeyId })
          .whereIn('idempotency_key', keys)
          .count<{ n: string }[]>('* as n');
        expect(Number(stored[0]!.n), 'one record per key').to.equal(keys.length);

        // The end of the outage is logged once the sends have succeeded for a while.
        const until = Date.now() + 10_000;
        while (!/"msg":"database available again"/.test(server.stdout().slice(logOffset)) && Date.now() < until) {
          await client.post(TEMPLATES_PATH, sender.body(1_000));
          await sleep(250);
        }
        const end = server
          .stdout()
          .slice(logOffset)
          .split('\n')
          .filter((l) => l.includes('"msg":"database available again"'));
        expect(end, 'the end of the outage logged once').to.have.length(1);
        figure('outage duration logged (ms)', Number((JSON.parse(end[0]!) as { duration_ms: number }).duration_ms));
      });
    });
  }
});
