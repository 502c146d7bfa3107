/**
 * What every part of `npm run bench` shares: the settings, the log, the global deadline, the
 * registry of child processes and clean-ups (run in reverse at the end, or when the deadline
 * strikes), starting and stopping the child processes, and the machine's description.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
/** Seconds measured per round, after a warm-up of WARMUP_S. */
export const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 4);
export const WARMUP_S = 1;
export const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));
export const CONNECTIONS = 32;
export const FIXED_RATE = 1_000;
/** Length of the fixed-rate run, over which the server's RSS is sampled. */
export const SOAK_S = Number(process.env.BENCH_SOAK_S ?? 60);
/** Share of the machine's CPU used outside the measured processes above which a round is contaminated. */
export const CONTAMINATION_SHARE = 0.1;
export const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_S ?? 480) * 1000;

export const started = Date.now();
export const children: ChildProcess[] = [];
export const cleanups: Array<() => Promise<unknown>> = [];

export const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

/** Stops everything when the run passes the deadline: the whole benchmark is bounded. */
export function armDeadline(): () => void {
  const deadline = setTimeout(() => {
    process.stderr.write(`bench: deadline of ${DEADLINE_MS / 1000} s reached; stopping\n`);
    for (const c of children) c.kill('SIGKILL');
    void Promise.allSettled(cleanups.reverse().map((f) => f())).finally(() => process.exit(1));
    setTimeout(() => process.exit(1), 15_000).unref();
  }, DEADLINE_MS);
  deadline.unref();
  return () => clearTimeout(deadline);
}

export interface Child {
  readonly child: ChildProcess;
  readonly port: number;
  readonly info: Record<string, unknown>;
}

/** Forks one of the bench's children (server-child.ts, baseline-child.ts); resolves on its IPC hello. */
export function startChild(file: string, databaseUrl: string, env: Record<string, string> = {}): Promise<Child> {
  const child = fork(path.join(HERE, file), [], {
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each child, written when it stops (for finding what stands in the way).
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    env: { ...process.env, ...env, BENCH_DATABASE_URL: databaseUrl },
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

/** Asks a child to stop (IPC `stop`, or SIGTERM without IPC); SIGKILL after 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if (child.connected) child.send('stop');
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Machine {
  readonly cpuModel: string;
  readonly nproc: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

export function machine(): Machine {
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
