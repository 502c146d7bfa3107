/**
 * The targets (met or missed), the console summary and BENCHMARKS.md, from the results of a
 * full run.
 */
import { CONNECTIONS, CONTAMINATION_SHARE, DURATION_S, FIXED_RATE, machine, ROUNDS, SOAK_S, WARMUP_S } from './common.ts';
import type { EventsResult } from './events.ts';
import type { Measured, Pair } from './load.ts';
import type { MultiResult } from './multi.ts';
import type { PhaseResult } from './phases.ts';
import { PRELOAD, type PreloadResult } from './preload.ts';
import { WORKER_MPS, type WorkerResult } from './worker.ts';

export interface Target {
  readonly target: string;
  readonly value: string;
  readonly met: boolean;
}

export interface Results {
  readonly date: string;
  readonly settings: ReturnType<typeof settings>;
  readonly empty: PhaseResult;
  /** The grown database's figures, or why it was not measured. */
  readonly growth: { readonly load: PreloadResult; readonly result: PhaseResult } | string;
  readonly multi: MultiResult;
  readonly worker: WorkerResult;
  readonly events: EventsResult;
  readonly targets: Target[];
  readonly totalSeconds: number;
}

export function settings(pgVersion: string, kind: string) {
  return {
    machine: { ...machine(), postgres: `${pgVersion} (${kind.startsWith('embedded') ? 'embedded' : 'DATABASE_URL'})` },
    rounds: ROUNDS,
    durationSeconds: DURATION_S,
    warmupSeconds: WARMUP_S,
    connections: CONNECTIONS,
    fixedRate: FIXED_RATE,
    soakSeconds: SOAK_S,
    contaminationShare: CONTAMINATION_SHARE,
    autocannon: '9.0.0',
  };
}

const x = (n: number) => `${n.toFixed(2)} ×`;
const spread = (p: Pair) => `${x(p.median)} (rounds ${p.min.toFixed(2)}–${p.max.toFixed(2)})`;
const within = (grown: number, empty: number) => Math.abs(grown / empty - 1) <= 0.1;

export function targets(r: Results): Target[] {
  const { empty: e, growth: g, worker: w } = r;

  const fixed = e.fixed!;
  const rss = e.rss!;
  return [
    { target: 'sends ≥ 0.9 × three-INSERT baseline (median of interleaved rounds)', value: spread(e.sends), met: e.sends.median >= 0.9 },
    { target: 'status ≥ 0.85 × one-SELECT baseline (median of interleaved rounds)', value: spread(e.status), met: e.status.median >= 0.85 },
    {
      target: `p99 ≤ 25 ms at ${FIXED_RATE} sends/s offered, all served`,
      value: `p99 ${fixed.p99} ms, ${fixed.requestsPerSecond.toFixed(0)} req/s served`,
      met: fixed.p99 <= 25 && fixed.requestsPerSecond >= FIXED_RATE * 0.99,
    },
    {
      target: 'worker ≥ 1,500 msg/s to the fake Meta, no number over its rate',
      value: `${w.none.messagesPerSecond.toFixed(0)} msg/s (steady ${w.none.steadyMessagesPerSecond.toFixed(0)}); highest per-number sliding second ${Math.max(w.none.maxPerSecondObserved, w.subscribed.maxPerSecondObserved)} vs ${WORKER_MPS}`,
      met:
        w.none.messagesPerSecond >= 1_500 &&
        w.none.numbersOverRate.length === 0 &&
        w.subscribed.numbersOverRate.length === 0 &&
        w.none.accepted === w.none.messages,
    },
    ...(['sends', 'status'] as const).map((k) => {
      const target = `grown database (${PRELOAD.messages / 1e6} M messages): ${k === 'sends' ? 'send' : 'status'} ratio within 10 % of the empty one`;
      if (typeof g === 'string') return { target, value: g, met: false };
      const note = g.load.complete ? '' : ` — only ${(g.load.messages / 1e6).toFixed(1)} M messages loaded in time`;
      return {
        target,
        value: `${x(g.result[k].median)} vs ${x(e[k].median)}${note}`,
        met: g.load.complete && within(g.result[k].median, e[k].median),
      };
    }),
    {
      target: `server RSS flat over the ${SOAK_S} s run (second-half slope ≤ 1 MiB/min)`,
      value: `start ${rss.startMiB.toFixed(0)}, end ${rss.endMiB.toFixed(0)}, peak ${rss.peakMiB.toFixed(0)} MiB; slope ${rss.slopeMiBPerMin.toFixed(2)} MiB/min (second half ${rss.lateSlopeMiBPerMin.toFixed(2)})`,
      met: rss.lateSlopeMiBPerMin <= 1,
    },
    {
      target: 'delivery with a webhook endpoint subscribed within 10 % of none',
      value: `${w.subscribed.steadyMessagesPerSecond.toFixed(0)} vs ${w.none.steadyMessagesPerSecond.toFixed(0)} msg/s steady (${x(w.webhookRatio)})`,
      met: w.webhookRatio >= 0.9,
    },
  ];
}

/** Every measured window of the run that was contaminated, by name. */
function contaminated(r: Results): string[] {
  const g = typeof r.growth === 'string' ? undefined : r.growth.result;
  const pairs = [r.empty.sends, r.empty.status, ...(g ? [g.sends, g.status] : [])];
  const runs: Measured[] = [
    ...pairs.flatMap((p) => [...p.baseline, ...p.ours]),
    r.empty.listFirst,
    r.empty.listLater,
    ...(g ? [g.listFirst, g.listLater] : []),
    r.empty.fixed!,
  ];
  return [
    ...runs.filter((m) => m.contaminated).map((m) => `${m.name} (${(m.otherShare * 100).toFixed(0)} %)`),
    ...r.multi.rounds
      .filter((m) => m.contaminated)
      .map((m) => `${m.servers} API process${m.servers > 1 ? 'es' : ''} (${(m.otherShare * 100).toFixed(0)} %)`),
    ...[r.worker.none, r.worker.subscribed]
      .filter((m) => m.contaminated)
      .map((m) => `worker${m.webhook ? ' with webhook' : ''} (${(m.otherShare * 100).toFixed(0)} %)`),
  ];
}

export function summary(r: Results): string {
  const c = contaminated(r);
  return [
    '',
    'Targets:',
    ...r.targets.map((t) => `  ${t.met ? 'met    ' : 'MISSED '}  ${t.target}: ${t.value}`),
    '',
    c.length === 0
      ? 'Not contaminated: outside CPU stayed under the limit in every window.'
      : `CONTAMINATED: ${c.length} measured windows used more than ${r.settings.contaminationShare * 100} % of the machine outside the measured processes.`,
  ].join('\n');
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? ':---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

const cpu = (m: Measured) => {
  const c = m.cpuMicrosecondsPerRequest;
  return `${(c.server ?? 0) + (c.baseline ?? 0)} / ${c.postgres ?? 0} / ${c['load generator'] ?? 0} / ${c.other ?? 0}`;
};
const row = (m: Measured) => [
  m.name,
  m.requestsPerSecond.toFixed(0),
  `${m.p50} ms`,
  `${m.p99} ms`,
  cpu(m),
  `${(m.otherShare * 100).toFixed(0)} %${m.contaminated ? ' **contaminated**' : ''}`,
];
const RUN_HEADER = ['run', 'req/s', 'p50', 'p99', 'CPU µs/request: app / PostgreSQL / load / other', 'outside CPU'];

function pairTable(p: Pair): string {
  const rows = p.ratios.flatMap((ratio, i) => [
    [`round ${i + 1}: ${p.baseline[i]!.name}`, ...row(p.baseline[i]!).slice(1), ''],
    [`round ${i + 1}: ${p.ours[i]!.name}`, ...row(p.ours[i]!).slice(1), x(ratio)],
  ]);
  return `${table([...RUN_HEADER, 'ours / baseline'], rows)}\n\n**${p.label}: median ${spread(p)}**; ${p.contaminatedRounds} of ${2 * p.ratios.length} runs contaminated.`;
}

export function renderMarkdown(r: Results): string {
  const m = r.settings.machine;
  const { empty: e, multi, worker: w, events: ev } = r;
  const c = contaminated(r);
  return `# Benchmarks

Written by \`npm run bench\` (test/bench/run.ts) on ${r.date}; the raw figures are in
test/bench/results.json. Total run time: ${r.totalSeconds.toFixed(0)} s.

${
  c.length === 0
    ? '**Not contaminated**: in every measured window the CPU used outside the measured processes stayed under ' +
      r.settings.contaminationShare * 100 +
      ' % of the machine.'
    : `**Contaminated run**: in ${c.length} measured windows the CPU used outside the measured processes (the server, the baselines, the worker, PostgreSQL, the load generator) passed ${r.settings.contaminationShare * 100} % of the machine — other work shared the cores, so absolute figures are low and noisy; the interleaved ratios are what to read. Windows: ${c.join('; ')}.`
}

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

autocannon ${r.settings.autocannon}, ${r.settings.connections} connections, ${r.settings.durationSeconds} s per run after a ${r.settings.warmupSeconds} s warm-up, on loopback; the load generator,
the server, the baselines and PostgreSQL share the ${m.nproc} cores. The server is the production app in its own process
(server-child.ts: the configuration of \`npm start\`, request logs to a discarded stdout, WORKER=false). The baselines are bare
Koa + pg (pool 10, no auth, no validation) in another process, on tables shaped like messages, idempotency keys and jobs.

**Interleaved rounds**: ${r.settings.rounds} rounds of baseline then ours, for sends (against three INSERTs in a transaction) and status
reads (against one indexed SELECT); the figure is the median of the per-round ratios, with their spread (min–max). Drift of the
machine during the run lands on both sides of a round alike.

**Contamination**: in every measured window the CPU time of each process (/proc/<pid>/stat) is split into the measured processes
(the app, PostgreSQL's processes started by this run, the load generator — this process, with the fake Meta and in-process
workers); everything else the machine was busy with (/proc/stat, steal included, less the measured processes) is "other". A
window where "other" used more than ${r.settings.contaminationShare * 100} % of the machine (all cores over the window) is flagged contaminated. "CPU µs/request"
is the split per process group divided by the requests served.

Sends use a test key (sandbox) with 1,000,000 requests/min; each send has its own recipient and Idempotency-Key. Any non-2xx answer,
error or timeout fails the run.

## Targets (PRODUCT.md)

| target | measured | met |
|---|---|---|
${r.targets.map((t) => `| ${t.target} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`).join('\n')}

## Empty database

${pairTable(e.sends)}

${pairTable(e.status)}

${table(RUN_HEADER, [row(e.listFirst), row(e.listLater), row(e.fixed!)])}

The fixed-rate run offers ${r.settings.fixedRate} sends/s (autocannon \`overallRate\`) for ${r.settings.soakSeconds} s; the server's RSS is sampled every 250 ms during it:
start ${e.rss!.startMiB.toFixed(1)} MiB, end ${e.rss!.endMiB.toFixed(1)} MiB, peak ${e.rss!.peakMiB.toFixed(1)} MiB, slope ${e.rss!.slopeMiBPerMin.toFixed(2)} MiB/min over the run,
${e.rss!.lateSlopeMiBPerMin.toFixed(2)} MiB/min over its second half (${e.rss!.samples} samples).

${growthSection(r)}

## More processes: two API processes and a separate worker

Live sends across 20 numbers, through one API process and then two (each with its own autocannon of ${r.settings.connections} connections),
interleaved, while one worker process (server/src/worker-main.ts) delivers to the fake Meta; all against one PostgreSQL. Cores: CPU
seconds per second by process.

${table(
  ['API processes', 'sends/s', 'p99', 'delivered/s', 'cores by process', 'outside CPU'],
  multi.rounds.map((m) => [
    String(m.servers),
    m.sendsPerSecond.toFixed(0),
    `${m.p99} ms`,
    m.deliveredPerSecond.toFixed(0),
    Object.entries(m.cores)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
    `${(m.otherShare * 100).toFixed(0)} %${m.contaminated ? ' **contaminated**' : ''}`,
  ]),
)}

Two API processes: **${multi.two.toFixed(0)} sends/s against ${multi.one.toFixed(0)}** with one (${x(multi.scaling)}, medians).

## Delivery worker and events

${w.none.messages} live template messages per run across ${w.numbers} numbers (messages_per_second ${w.messagesPerSecondPerNumber} each: a pacing ceiling of
${w.pacingCeiling} msg/s), queued first, then startDeliveryWorker (concurrency ${w.concurrency}) and the event runner against the fake Meta:

${table(
  [
    'run',
    'msg/s (start to last)',
    'msg/s steady (10–90 %)',
    'highest per-number sliding second',
    'numbers over rate',
    'events received',
    'outside CPU',
  ],
  [w.none, w.subscribed].map((v) => [
    v.webhook ? 'webhook endpoint subscribed' : 'no webhook endpoint',
    v.messagesPerSecond.toFixed(0),
    v.steadyMessagesPerSecond.toFixed(0),
    `${v.maxPerSecondObserved} (configured ${w.messagesPerSecondPerNumber})`,
    v.numbersOverRate.length === 0 ? 'none' : v.numbersOverRate.join(', '),
    String(v.eventsReceived),
    `${(v.otherShare * 100).toFixed(0)} %${v.contaminated ? ' **contaminated**' : ''}`,
  ]),
)}

Events (test/bench/events.ts): ${ev.events} inbound events fanned out to ${ev.endpoints} local receivers (event concurrency ${ev.concurrency}):
**${ev.deliveries_per_second} deliveries/s**, ${ev.deliveries}/${ev.expected} delivered; event lag (created to received) p50 ${ev.lag_ms.p50} ms,
**p99 ${ev.lag_ms.p99} ms**, max ${ev.lag_ms.max} ms.
`;
}

function med(ms: Measured[]): string {
  const s = ms.map((m) => m.requestsPerSecond).sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!.toFixed(0);
}

function growthSection(r: Results): string {
  const e = r.empty;
  const g = r.growth;
  if (typeof g === 'string') return `## Growth\n\nThe grown database (${PRELOAD.messages / 1e6} M messages): ${g}.`;
  const growthRow = (name: string, pick: (p: PhaseResult) => string) => [name, pick(e), pick(g.result)];
  return `## Growth: empty against ${(g.load.messages / 1e6).toFixed(1)} million messages

The grown database (test/bench/preload.ts, generated in SQL in ${g.load.seconds.toFixed(0)} s): ${Object.entries(g.load.rows)
    .map(([t, n]) => `${t} ${n.toLocaleString('en')}`)
    .join(
      ', ',
    )} (estimated counts); the benchmark's organization holds ${g.load.fixtureOrganizationMessages.toLocaleString('en')} of the messages.${g.load.complete ? '' : ` **Only ${g.load.messages.toLocaleString('en')} of ${PRELOAD.messages.toLocaleString('en')} messages were loaded within the time left.**`}

${table(
  ['figure', 'empty', 'grown'],
  [
    growthRow('sends / three-INSERT baseline (median, spread)', (p) => spread(p.sends)),
    growthRow('sends req/s (median of rounds)', (p) => med(p.sends.ours)),
    growthRow('status / one-SELECT baseline (median, spread)', (p) => spread(p.status)),
    growthRow('status req/s (median of rounds)', (p) => med(p.status.ours)),
    growthRow('list, first page: req/s, p99', (p) => `${p.listFirst.requestsPerSecond.toFixed(0)}, ${p.listFirst.p99} ms`),
    growthRow(
      'list, later page: req/s, p99',
      (p) => `${p.listLater.requestsPerSecond.toFixed(0)}, ${p.listLater.p99} ms (after ${p.laterPageOffset.toLocaleString('en')})`,
    ),
  ],
)}

${pairTable(g.result.sends)}

${pairTable(g.result.status)}`;
}
