/**
 * `npm run bench`: the API's figures against same-run baselines, on an empty database and on a
 * grown one, with more processes, the delivery worker and the webhook events. Writes
 * BENCHMARKS.md (repo root) and test/bench/results.json (machine-specific; not committed).
 *
 * Order: the empty database (sends and status in interleaved rounds against their baselines,
 * the list, the fixed-rate run with the RSS trace), two API processes and a separate worker,
 * the delivery worker with and without a webhook endpoint, the event deliveries, and last the
 * grown database, whose load takes what time is left before the deadline (preload.ts).
 *
 * PostgreSQL: the embedded one, or DATABASE_URL (fresh databases, dropped at the end). The
 * server, the baselines and the separate worker run as child processes; the load (autocannon),
 * the fake Meta and the in-process workers run in this process. The whole run is bounded by a
 * global deadline (BENCH_DEADLINE_S, 480 s).
 *
 * BENCH_ONLY=sends,status,list,fixed,multi,worker,events,growth: only those parts, printed, without
 * writing BENCHMARKS.md or results.json (for profiling one path at a time).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { armDeadline, children, cleanups, DEADLINE_MS, HERE, log, ROOT, started } from './common.ts';
import { benchEvents, type EventsResult } from './events.ts';
import { benchMulti, type MultiResult } from './multi.ts';
import { measurePhase, type Part, type PhaseResult } from './phases.ts';
import { preload, type PreloadResult } from './preload.ts';
import { renderMarkdown, settings, summary, targets, type Results } from './report.ts';
import { prepareDatabase, startServers } from './setup.ts';
import { benchWorker, type WorkerResult } from './worker.ts';

const PARTS = ['sends', 'status', 'list', 'fixed', 'multi', 'worker', 'events', 'growth'] as const;
type AnyPart = (typeof PARTS)[number];
const ONLY = new Set(
  (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
for (const p of ONLY)
  if (!(PARTS as readonly string[]).includes(p)) throw new Error(`BENCH_ONLY: unknown part ${p} (known: ${PARTS.join(', ')})`);
const wants = (part: AnyPart) => ONLY.size === 0 || ONLY.has(part);
/** What the grown database's measurements and the clean-up need after its load. */
const GROWTH_RESERVE_MS = 85_000;

async function empty(postgres: TestPostgres) {
  const prepared = await prepareDatabase(postgres, 'bench');
  log(`PostgreSQL ${prepared.pgVersion} (${postgres.kind}); database ${prepared.name} migrated and seeded`);
  const servers = await startServers(prepared);
  try {
    const parts = new Set((['sends', 'status', 'list', 'fixed'] as const).filter(wants));
    return { result: await measurePhase('empty', prepared, servers, parts), pgVersion: prepared.pgVersion };
  } finally {
    await servers.stop();
  }
}

async function grown(postgres: TestPostgres): Promise<{ load: PreloadResult; result: Partial<PhaseResult> } | string> {
  const budget = DEADLINE_MS - (Date.now() - started) - GROWTH_RESERVE_MS;
  if (budget < 30_000) {
    const reason = `not run: only ${Math.max(0, budget / 1000).toFixed(0)} s were left for loading the grown database`;
    log(`growth: ${reason}`);
    return reason;
  }
  const prepared = await prepareDatabase(postgres, 'bench_growth');
  log(`growth: loading the database, at most ${(budget / 1000).toFixed(0)} s`);
  const loaded = await preload(prepared.connectionString, prepared.organizationId, budget);
  const servers = await startServers(prepared);
  try {
    return { load: loaded, result: await measurePhase('grown', prepared, servers, new Set<Part>(['sends', 'status', 'list'])) };
  } finally {
    await servers.stop();
  }
}

async function main(): Promise<void> {
  log('starting PostgreSQL');
  const postgres = await startTestPostgres();
  cleanups.push(() => postgres.stop());
  const e = wants('sends') || wants('status') || wants('list') || wants('fixed') ? await empty(postgres) : undefined;
  let multi: MultiResult | undefined;
  let worker: WorkerResult | undefined;
  let events: EventsResult | undefined;
  let growth: Awaited<ReturnType<typeof grown>> | undefined;
  if (wants('multi')) multi = await benchMulti(postgres);
  if (wants('worker')) worker = await benchWorker(postgres);
  if (wants('events')) {
    events = await benchEvents(postgres, 10_000, { events: 400, endpoints: 4 });
    log(
      `events: ${events.deliveries}/${events.expected} delivered, ${events.deliveries_per_second}/s, lag p50 ${events.lag_ms.p50} ms, p99 ${events.lag_ms.p99} ms`,
    );
  }
  if (wants('growth')) {
    growth = await grown(postgres).catch((error: unknown) => {
      log(`growth failed: ${error instanceof Error ? error.message : String(error)}`);
      return `failed: ${error instanceof Error ? error.message : String(error)}`;
    });
  }
  if (ONLY.size > 0) {
    log('BENCH_ONLY: figures printed only; BENCHMARKS.md and results.json left as they were');
    return;
  }
  const results: Results = {
    date: new Date().toISOString(),
    settings: settings(e!.pgVersion, postgres.kind),
    empty: e!.result as PhaseResult,
    growth: typeof growth === 'string' ? growth : { load: growth!.load, result: growth!.result as PhaseResult },
    multi: multi!,
    worker: worker!,
    events: events!,
    targets: [],
    totalSeconds: (Date.now() - started) / 1000,
  };
  results.targets.push(...targets(results));
  writeFileSync(path.join(HERE, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), renderMarkdown(results));
  process.stdout.write(`${summary(results)}\nWrote BENCHMARKS.md and test/bench/results.json in ${results.totalSeconds.toFixed(0)} s\n`);
}

const disarm = armDeadline();
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
  disarm();
}
process.exit(failed ? 1 : 0);
