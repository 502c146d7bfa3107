/**
 * Background work never throws into the process: a failure is counted in
 * mojeeb_background_task_failures_total, logged once per run of failures (one line, no stack),
 * and the recovery is logged with how long it took. Housekeeping against a database that is not
 * there keeps running on its timer without an unhandled rejection.
 */
import { execFile } from 'node:child_process';
import { expect } from 'chai';
import { BackgroundTask, errorMessage } from '../../server/src/background.ts';
import { startHousekeeping } from '../../server/src/domain/housekeeping.ts';
import { metrics } from '../../server/src/metrics.ts';
import { LogCapture, unreachableDatabase } from '../support/harness.ts';
import { freePort } from '../support/postgres.ts';
import { repoRoot } from '../support/contract.ts';

async function failures(task: string): Promise<number> {
  const metric = await metrics.backgroundFailures.get();
  return metric.values.find((v) => v.labels.task === task)?.value ?? 0;
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

describe('background tasks (unit)', () => {
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => process.off('unhandledRejection', onUnhandled));

  it('counts every failure, logs the first of a run once, and logs the recovery', async () => {
    const logs = new LogCapture();
    const task = new BackgroundTask('unit probe', logs.logger);
    const before = await failures('unit probe');
    let fail = true;
    const work = async () => {
      if (fail)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1\n    at TCPConnectWrap'), { client: { huge: 'x'.repeat(5000) } });
    };
    for (let i = 0; i < 5; i++) task.run(work);
    await new Promise((resolve) => setImmediate(resolve));
    fail = false;
    task.run(work);
    task.run(work);
    await new Promise((resolve) => setImmediate(resolve));

    expect((await failures('unit probe')) - before).to.equal(5);
    const lines = logs.lines.filter((l) => String(l.msg).startsWith('unit probe'));
    expect(lines.map((l) => [l.level, l.msg])).to.deep.equal([
      ['warn', 'unit probe failed; retrying'],
      ['info', 'unit probe works again'],
    ]);
    expect(lines[0]!.detail).to.equal('connect ECONNREFUSED 127.0.0.1:1');
    expect(lines[1]!.failures).to.equal(5);
    expect(logs.raw.every((line) => line.length < 400 && !line.includes('TCPConnectWrap') && !line.includes('xxxxx'))).to.equal(true);
  });

  it('keeps an error message to one short line', () => {
    expect(errorMessage(new Error(`first line\nsecond`))).to.equal('first line');
    expect(errorMessage('y'.repeat(1000))).to.have.length(301);
  });

  it('housekeeping against an unreachable database keeps its timer, logs once and throws nothing', async function () {
    this.timeout(15_000);
    const logs = new LogCapture();
    const db = unreachableDatabase(await freePort());
    const before = await failures('housekeeping');
    const stop = startHousekeeping(db, logs.logger, 200);
    try {
      const until = Date.now() + 10_000;
      while ((await failures('housekeeping')) - before < 3 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      stop();
      await db.destroy();
    }
    expect((await failures('housekeeping')) - before).to.be.at.least(3);
    expect(logs.lines.filter((l) => l.msg === 'housekeeping failed; retrying')).to.have.length(1);
    expect(unhandled).to.deep.equal([]);
  });
});

describe('the process guard against queue-library errors (unit, child processes)', function () {
  this.timeout(30_000);
  const run = (throwing: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const script = `
        import { guardAgainstQueueLibraryErrors } from './server/src/delivery/worker.ts';
        import { createLogger } from './server/src/logger.ts';
        guardAgainstQueueLibraryErrors(createLogger({ level: 'info' }));
        ${throwing}
        setTimeout(() => { console.log('still alive'); process.exit(0); }, 300);
      `;
      execFile(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: repoRoot, timeout: 20_000 },
        (error, stdout) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, out: stdout }),
      );
    });

  it('survives a dropped database connection nobody listens to, and a rejection from graphile-worker, counted and logged once', async () => {
    const dropped = await run(`setImmediate(() => { throw Object.assign(new Error('Connection terminated unexpectedly'), {}); });`);
    expect(dropped.code).to.equal(0);
    expect(dropped.out).to.include('still alive');
    expect(dropped.out).to.include('job queue library failed; retrying');
    const library = await run(
      `const e = new Error('Error occurred whilst returning jobs from local queue to database queue: connect ECONNREFUSED'); e.stack = e.message + '\\n    at onError (node_modules/graphile-worker/src/localQueue.ts:474:17)'; Promise.reject(e);`,
    );
    expect(library.code).to.equal(0);
    expect(library.out).to.include('still alive');
  });

  it('still ends the process with 1 on any other uncaught error (a bug)', async () => {
    const bug = await run(`setImmediate(() => { throw new TypeError("Cannot read properties of undefined (reading 'id')"); });`);
    expect(bug.code).to.equal(1);
    expect(bug.out).not.to.include('still alive');
    expect(bug.out).to.include('uncaught exception: exiting');
  });
});
