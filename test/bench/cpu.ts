/**
 * CPU and memory accounting from /proc: the CPU time of every process on the machine, split
 * into the measured groups (the named children, this process — the load generator, PostgreSQL)
 * and `other` (everything else: the machine's other work). A window whose `other` share of the
 * machine passes CONTAMINATION_SHARE is contaminated: its figures include someone else's load.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { CONTAMINATION_SHARE } from './common.ts';

interface ProcCpu {
  readonly comm: string;
  readonly ppid: number;
  readonly ms: number;
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** CPU time (ms) used so far by each process on the machine, by pid, from /proc/<pid>/stat. */
function cpuByProcess(): Map<number, ProcCpu> {
  const out = new Map<number, ProcCpu>();
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
      out.set(Number(e), { comm, ppid: Number(fields[1]), ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS });
    } catch {
      // the process ended in between
    }
  }
  return out;
}

/** The machine's CPU time so far (ms): all of it, and the busy part (not idle, not waiting for I/O), from /proc/stat. */
function machineCpu(): { totalMs: number; busyMs: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = fields[3]! + fields[4]!;
    return { totalMs: total * TICK_MS, busyMs: (total - idle) * TICK_MS };
  } catch {
    return null;
  }
}

/** Pids of the bench's children, by the name their CPU is reported under (server, baseline, worker …). */
export const namedPids = new Map<number, string>();

/**
 * The group a process's CPU belongs to: a named child (or a descendant of one), PostgreSQL (a
 * `postgres` process started by this run, or any `postgres` when the server is DATABASE_URL's),
 * the load generator (this process and its other descendants), or `other`.
 */
function groupOf(pid: number, procs: Map<number, ProcCpu>): string {
  const own = procs.get(pid);
  const isPostgres = own?.comm === 'postgres';
  for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
    const named = namedPids.get(p);
    if (named !== undefined) return named;
    if (p === process.pid) return isPostgres ? 'postgres' : 'load generator';
    p = procs.get(p)?.ppid ?? 0;
  }
  return isPostgres && externalPostgres ? 'postgres' : 'other';
}
const externalPostgres = Boolean(process.env.DATABASE_URL?.trim());

export interface CpuWindow {
  readonly seconds: number;
  /** CPU milliseconds used in the window, by group. */
  readonly msByGroup: Record<string, number>;
  /**
   * Share of the whole machine (all cores over the window) used by `other`: the machine's busy
   * time (/proc/stat, steal included) less the measured groups' — so that processes which start
   * and end within the window, invisible to a /proc/<pid> snapshot, count too.
   */
  readonly otherShare: number;
  readonly contaminated: boolean;
}

/** Starts a CPU window; the returned function ends it. */
export function cpuWindow(): () => CpuWindow {
  const before = cpuByProcess();
  const machineBefore = machineCpu();
  const t0 = process.hrtime.bigint();
  return () => {
    const after = cpuByProcess();
    const machineAfter = machineCpu();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const msByGroup: Record<string, number> = {};
    for (const [pid, a] of after) {
      const used = a.ms - (before.get(pid)?.ms ?? 0);
      if (used <= 0) continue;
      const group = groupOf(pid, after);
      msByGroup[group] = (msByGroup[group] ?? 0) + used;
    }
    let machineMs = seconds * 1000 * os.availableParallelism();
    if (machineBefore && machineAfter) {
      machineMs = machineAfter.totalMs - machineBefore.totalMs;
      const measured = Object.entries(msByGroup).reduce((sum, [g, ms]) => (g === 'other' ? sum : sum + ms), 0);
      msByGroup.other = Math.max(msByGroup.other ?? 0, machineAfter.busyMs - machineBefore.busyMs - measured);
    }
    const otherShare = (msByGroup.other ?? 0) / Math.max(1, machineMs);
    return { seconds, msByGroup, otherShare, contaminated: otherShare > CONTAMINATION_SHARE };
  };
}

/** CPU microseconds per request, by group. */
export function perRequest(w: CpuWindow, requests: number): Record<string, number> {
  return Object.fromEntries(Object.entries(w.msByGroup).map(([g, ms]) => [g, Math.round((ms * 1000) / Math.max(1, requests))]));
}

/** Share of the machine (0–1 per core summed over cores = nproc) used by each group. */
export function cores(w: CpuWindow): Record<string, number> {
  return Object.fromEntries(Object.entries(w.msByGroup).map(([g, ms]) => [g, Number((ms / 1000 / w.seconds).toFixed(2))]));
}

export function procStatusKiB(pid: number, field: string): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export interface RssTrace {
  readonly startMiB: number;
  readonly endMiB: number;
  readonly peakMiB: number;
  /** Least-squares slope of RSS over the run, MiB per minute. */
  readonly slopeMiBPerMin: number;
  /** Slope over the second half of the run (after the warm-up growth), MiB per minute. */
  readonly lateSlopeMiBPerMin: number;
  readonly samples: number;
  readonly seconds: number;
}

function slope(points: ReadonlyArray<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** Samples a process's RSS every 250 ms until the returned function is called. */
export function traceRss(pid: number): () => RssTrace {
  const t0 = Date.now();
  const points: Array<[number, number]> = [];
  const sample = () => {
    const kib = procStatusKiB(pid, 'VmRSS');
    if (kib !== null) points.push([(Date.now() - t0) / 60_000, kib / 1024]);
  };
  sample();
  const timer = setInterval(sample, 250);
  return () => {
    clearInterval(timer);
    sample();
    const ys = points.map(([, y]) => y);
    const late = points.filter(([x]) => x >= points[points.length - 1]![0] / 2);
    return {
      startMiB: ys[0] ?? 0,
      endMiB: ys[ys.length - 1] ?? 0,
      peakMiB: Math.max(0, ...ys),
      slopeMiBPerMin: slope(points),
      lateSlopeMiBPerMin: slope(late),
      samples: points.length,
      seconds: (Date.now() - t0) / 1000,
    };
  };
}
