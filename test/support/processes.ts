/**
 * Running the real admin CLI and the real server entry point as child processes, each bounded
 * in time (a hung child is killed and fails the test), with an environment reduced to what the
 * test passes: nothing of the developer's DATABASE_URL, LOG_LEVEL or ENCRYPTION_KEY leaks in.
 * Tests that need several servers, or need to kill one, use startListeningServer; every
 * process is stopped by its caller.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './contract.ts';

export const ADMIN_ENTRY = path.join(repoRoot, 'server/src/cli/admin.ts');
export const MAIN_ENTRY = path.join(repoRoot, 'server/src/main.ts');

/** The variables every child gets; the rest come from the test. */
function baseEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT', 'NODE_EXTRA_CA_CERTS'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

export interface AdminRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (throws with the output when it is not JSON). */
  json<T = any>(): T;
}

export interface AdminOptions {
  /** Added to the reduced environment; `undefined` values remove a variable. */
  readonly env?: Record<string, string | undefined>;
  /** Written to the child's stdin, which is then closed (closed at once when absent). */
  readonly stdin?: string;
  readonly timeoutMs?: number;
}

/** `node --import tsx server/src/cli/admin.ts <args>`, as `npm run admin -- <args>` runs it. */
export function runAdmin(args: readonly string[], options: AdminOptions = {}): Promise<AdminRun> {
  const env: NodeJS.ProcessEnv = { ...baseEnv() };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ADMIN_ENTRY, ...args], {
      cwd: repoRoot,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`admin ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        json() {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`admin ${args.join(' ')}: stdout is not JSON (exit ${code})\nstdout: ${stdout}\nstderr: ${stderr}`);
          }
        },
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

/** Runs `tasks` with at most `limit` at a time (children are CPU-bound at start-up). */
export async function inBatches<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout so far: the JSON log lines, nothing else. */
  stdout(): string;
  /** Everything written to stderr so far: the start banner, the demo key. */
  stderr(): string;
  /** Resolves when stdout (or `stream`) matches, rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  /** SIGTERM, then waits for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** `node --import tsx server/src/main.ts`, as `npm start` runs it. */
export function spawnServerProcess(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN_ENTRY], {
    cwd: repoRoot,
    env: { ...baseEnv(), WORKER: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exited: number | null | undefined;
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    notify();
  });
  const closed = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      exited = code;
      notify();
      resolve(code);
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, timeoutMs = 30_000, stream = 'stdout') {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stream === 'stdout' ? out : err);
          if (match) return done(() => resolve(match));
          if (exited !== undefined)
            return done(() =>
              reject(new Error(`the server exited (${exited}) before printing ${pattern} on ${stream}\nstdout: ${out}\nstderr: ${err}`)),
            );
        };
        const timer = setTimeout(
          () =>
            done(() =>
              reject(new Error(`the server did not print ${pattern} on ${stream} within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`)),
            ),
          timeoutMs,
        );
        const done = (finish: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          finish();
        };
        waiters.add(check);
        check();
      });
    },
    async stop(timeoutMs = 15_000) {
      if (exited !== undefined) return exited;
      return terminate(child, closed, timeoutMs);
    },
  };
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code `closed` resolves with. */
export async function terminate(child: ChildProcess, closed: Promise<number | null>, timeoutMs: number): Promise<number | null> {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await closed;
  } finally {
    clearTimeout(timer);
  }
}

export type ListeningServer = ServerProcess & { readonly baseUrl: string };

/**
 * A server on 127.0.0.1 with a free port against the given database (no demo, no worker), once
 * its "listening" log line names its URL.
 */
export async function startListeningServer(
  databaseUrl: string,
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<ListeningServer> {
  const server = spawnServerProcess({
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SEED_DEMO: 'false',
    ...env,
  });
  try {
    const [, baseUrl] = await server.waitFor(/"msg":"listening"[^\n]*"url":"([^"]+)"/, timeoutMs);
    return Object.assign(server, { baseUrl: baseUrl! });
  } catch (error) {
    await server.stop();
    throw error;
  }
}
