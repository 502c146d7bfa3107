/**
 * The load: autocannon runs with a CPU window each, the send requests (each with its own
 * recipient and Idempotency-Key), and interleaved rounds — baseline, ours, baseline, ours … —
 * so that drift of a shared machine lands on both sides of every ratio alike.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { CONNECTIONS, DURATION_S, log, median, ROUNDS, WARMUP_S } from './common.ts';
import { cpuWindow, perRequest, type CpuWindow } from './cpu.ts';

export interface Measured {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly total: number;
  readonly offeredRate?: number;
  readonly cpuMicrosecondsPerRequest: Record<string, number>;
  readonly otherShare: number;
  readonly contaminated: boolean;
}

export async function load(name: string, options: autocannon.Options, cpuOut?: (w: CpuWindow) => void): Promise<Measured> {
  await autocannon({ connections: CONNECTIONS, ...options, duration: WARMUP_S, overallRate: undefined });
  const end = cpuWindow();
  const r = await autocannon({ connections: CONNECTIONS, ...options, duration: options.duration ?? DURATION_S });
  const w = end();
  cpuOut?.(w);
  const cpu = perRequest(w, r.requests.total);
  const m: Measured = {
    name,
    requestsPerSecond: r.requests.total / Math.max(0.001, r.duration),
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    ...(options.overallRate !== undefined ? { offeredRate: options.overallRate } : {}),
    cpuMicrosecondsPerRequest: cpu,
    otherShare: w.otherShare,
    contaminated: w.contaminated,
  };
  log(
    `${name}: ${m.requestsPerSecond.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms; CPU µs/request: ${Object.entries(cpu)
      .map(([g, us]) => `${g} ${us}`)
      .join(', ')}; outside ${(w.otherShare * 100).toFixed(0)} % of the machine${w.contaminated ? ' (CONTAMINATED)' : ''}`,
  );
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0)
    throw new Error(`${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts — the figures would be meaningless`);
  return m;
}

export interface Pair {
  readonly label: string;
  readonly baseline: Measured[];
  readonly ours: Measured[];
  /** ours / baseline, per round. */
  readonly ratios: number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly contaminatedRounds: number;
}

/** ROUNDS interleaved rounds of the baseline and ours; the median ratio and its spread. */
export async function interleave(
  label: string,
  baseline: () => Promise<Measured>,
  ours: () => Promise<Measured>,
  rounds = ROUNDS,
): Promise<Pair> {
  const b: Measured[] = [];
  const o: Measured[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await baseline());
    o.push(await ours());
  }
  const ratios = o.map((m, i) => m.requestsPerSecond / b[i]!.requestsPerSecond);
  const pair: Pair = {
    label,
    baseline: b,
    ours: o,
    ratios,
    median: median(ratios),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    contaminatedRounds: [...b, ...o].filter((m) => m.contaminated).length,
  };
  log(
    `${label}: median ${pair.median.toFixed(2)} × (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}; ${pair.contaminatedRounds} of ${2 * rounds} runs contaminated)`,
  );
  return pair;
}

export interface SendTarget {
  readonly agentId: string;
  /** One number, or several taken in turn. */
  readonly from: string | readonly string[];
}

// Distinct recipients across every send of the run.
let recipientSeq = 2_000_000;
const runId = randomBytes(4).toString('hex');

/** A send of the `order_shipped` template, with a new recipient and Idempotency-Key each time. */
export function sendRequest(pathName: string, headers: Record<string, string>, target: SendTarget): autocannon.Request {
  return {
    method: 'POST',
    path: pathName,
    setupRequest: (req) => {
      const n = recipientSeq++;
      return {
        ...req,
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': `bench-${runId}-${n}` },
        body: JSON.stringify({
          agent_id: target.agentId,
          from: typeof target.from === 'string' ? target.from : target.from[n % target.from.length],
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
