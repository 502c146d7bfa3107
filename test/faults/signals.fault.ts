/**
 * What a process supervisor does: SIGTERM to `npm start` and to `npm run worker` (npm's own
 * process, as a supervisor started it). npm runs the service with `exec`, so the signal reaches
 * node, which shuts down gracefully; no node process is left behind, orphaned.
 */
import { execFileSync, spawn } from 'node:child_process';
import { expect } from 'chai';
import { repoRoot } from '../support/contract.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { recordFigure } from './support/figures.ts';
import { prepareDatabase, sleep, watch } from './support/service.ts';

/** Pids of the direct children of `pid` (Linux /proc, through ps). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('fault: SIGTERM from a supervisor to npm', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.destroy();
  });

  for (const script of ['start', 'worker'] as const) {
    it(`npm ${script === 'start' ? 'start' : 'run worker'}: SIGTERM to npm stops node too, nothing orphaned`, async () => {
      const database = await prepareDatabase(cluster, `npm_${script}`);
      const npm = spawn('npm', script === 'start' ? ['start'] : ['run', 'worker'], {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          DATABASE_URL: database.url,
          PORT: '0',
          LOG_LEVEL: 'info',
          SEED_DEMO: 'false',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const watched = watch(npm);
      const until = Date.now() + 60_000;
      while (!/"msg":"(listening|delivery worker started)"/.test(watched.output()) && Date.now() < until) await sleep(100);
      expect(watched.output(), 'the service started').to.match(/"msg":"(listening|delivery worker started)"/);
      const nodes = childrenOf(npm.pid!);
      expect(nodes, 'npm runs node as its child').to.have.length.greaterThan(0);
      const started = Date.now();
      const code = await watched.stop(20_000);
      let orphans = nodes.filter(alive);
      while (orphans.length > 0 && Date.now() - started < 15_000) {
        await sleep(100);
        orphans = nodes.filter(alive);
      }
      for (const pid of orphans) process.kill(pid, 'SIGKILL');
      recordFigure(
        `SIGTERM to npm ${script === 'start' ? 'start' : 'run worker'}`,
        'npm exit code / node left running / time (ms)',
        `${code} / ${orphans.length} / ${Date.now() - started}`,
      );
      expect(orphans, 'no node process left behind').to.deep.equal([]);
      expect(watched.output()).to.match(/"msg":"(stopped|delivery worker stopped)"/);
    });
  }
});
