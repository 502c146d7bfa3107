/**
 * Canary for the graphile-worker internals the delivery queue relies on (server/src/delivery/
 * queue.ts lists them): the columns of `_private_jobs` and `_private_tasks` the send writes
 * directly, graphile-worker's schema version, the `jobs:insert` channel its workers listen on, and
 * the lock id of a pool's jobs (the id the heartbeat names). When an upgrade changes one of them,
 * the failing test says which; re-check queue.ts and queue.sql before updating the pins here.
 */
import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { Logger as WorkerLogger, run, type Runner, type WorkerEvents } from 'graphile-worker';
import type { Knex } from 'knex';
import pg from 'pg';
import { BackgroundTask } from '../../server/src/background.ts';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import { JOBS_INSERT_CHANNEL, WorkerWakeup } from '../../server/src/delivery/queue.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { harness } from '../support/harness.ts';
import { createFreshDatabase, type FreshDatabase } from '../support/postgres.ts';

/** graphile-worker 0.17's schema, as the direct insert of queue.sql expects it. */
const PINNED_SCHEMA_VERSION = 19;
const PINNED_COLUMNS: Record<string, string> = {
  _private_jobs:
    'id bigint not null default, job_queue_id integer, task_id integer not null, payload json not null default, priority smallint not null default, ' +
    'run_at timestamp with time zone not null default, attempts smallint not null default, max_attempts smallint not null default, last_error text, ' +
    'created_at timestamp with time zone not null default, updated_at timestamp with time zone not null default, key text, ' +
    'locked_at timestamp with time zone, locked_by text, revision integer not null default, flags jsonb, is_available boolean not null default',
  _private_tasks: 'id integer not null default, identifier text not null',
};
const CANARY_TASK = 'queue_canary';
const quiet = new WorkerLogger(() => () => {});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('graphile-worker internals the delivery queue relies on (canary)', function () {
  this.timeout(60_000);
  let fresh: FreshDatabase;
  let db: Knex;

  before(async () => {
    fresh = await createFreshDatabase(harness.postgres.adminUrl, 'queue_canary');
    db = createDatabase({ connectionString: fresh.connectionString, poolMax: 4, logger: silentLogger });
    await migrateToLatest(db);
  });
  after(async () => {
    await db?.destroy();
    await fresh?.drop();
  });

  it('the schema version and the columns of _private_jobs and _private_tasks are the ones queue.sql writes', async () => {
    const version = await db.raw<{ rows: Array<{ v: number }> }>('SELECT max(id)::int AS v FROM graphile_worker.migrations');
    expect(
      version.rows[0]!.v,
      'graphile-worker applied a new schema migration: re-check delivery/queue.ts (direct job insert, lock ids), then update this pin',
    ).to.equal(PINNED_SCHEMA_VERSION);
    const columns = await db.raw<{ rows: Array<{ table: string; columns: string }> }>(
      `SELECT c.relname AS table, string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || CASE WHEN a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '' THEN ' default' ELSE '' END, ', ' ORDER BY a.attnum) AS columns
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = 'graphile_worker'::regnamespace AND c.relname IN ('_private_jobs', '_private_tasks') AND a.attnum > 0 AND NOT a.attisdropped
        GROUP BY c.relname`,
    );
    const found = Object.fromEntries(columns.rows.map((r) => [r.table, r.columns]));
    for (const table of Object.keys(PINNED_COLUMNS)) {
      expect(
        found[table],
        `graphile_worker.${table} changed: the direct insert of delivery/queue.sql may no longer make a valid job`,
      ).to.equal(PINNED_COLUMNS[table]);
    }
  });

  it(`add_job notifies "${JOBS_INSERT_CHANNEL}", the channel the wake-up uses`, async () => {
    const client = new pg.Client({ connectionString: fresh.connectionString });
    await client.connect();
    try {
      const heard: string[] = [];
      client.on('notification', (n) => heard.push(n.channel));
      await client.query(`LISTEN "${JOBS_INSERT_CHANNEL}"`);
      await db.raw(`SELECT graphile_worker.add_job(?, '{}'::json)`, [CANARY_TASK]);
      await until(
        `a notification on ${JOBS_INSERT_CHANNEL}`,
        async () => (heard.includes(JOBS_INSERT_CHANNEL) ? true : undefined),
        5_000,
      ).catch(() => {
        throw new Error(
          `graphile_worker.add_job no longer notifies "${JOBS_INSERT_CHANNEL}": the workers' wake-up channel changed (delivery/queue.ts WorkerWakeup)`,
        );
      });
    } finally {
      await client.end();
    }
  });

  it('a job inserted directly is run at once after the wake-up, long before the next poll; a pool locks its jobs under its own id', async () => {
    const ran: string[] = [];
    const holding = new Set<string>();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const events: WorkerEvents = new EventEmitter() as WorkerEvents;
    const pools: string[] = [];
    events.on('pool:create', ({ workerPool }) => pools.push(workerPool.id));
    const runner: Runner = await run({
      events,
      connectionString: fresh.connectionString,
      concurrency: 1,
      noHandleSignals: true,
      pollInterval: 120_000,
      preset: { worker: { localQueue: { size: 4 } } },
      logger: quiet,
      taskList: {
        [CANARY_TASK]: async (payload) => {
          const id = (payload as { message_id?: string }).message_id;
          if (id === undefined) return;
          ran.push(id);
          if (holding.has(id)) await held;
        },
      },
    });
    try {
      // The task is registered (the add_job of the test above); let the startup fetch finish.
      await until('the runner to go idle', async () => {
        const r = await db.raw<{ rows: Array<{ n: number }> }>(
          `SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = ?`,
          [CANARY_TASK],
        );
        return r.rows[0]!.n === 0 ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 300));
      const wakeup = new WorkerWakeup(db, new BackgroundTask('canary wake-up', silentLogger));
      const enqueue = (id: string) => db.raw(`SELECT mojeeb_enqueue_delivery(?, ?::uuid)`, [CANARY_TASK, id]);
      const first = randomUUID();
      await enqueue(first);
      wakeup.jobAdded();
      await until('the directly inserted job to run after the wake-up', async () => (ran.includes(first) ? true : undefined), 5_000).catch(
        () => {
          throw new Error(
            `a job written by mojeeb_enqueue_delivery did not run within 5 s of a NOTIFY on "${JOBS_INSERT_CHANNEL}" (poll interval 120 s): the direct insert or the wake-up no longer works`,
          );
        },
      );

      // Locking: one job running (held), the others waiting in the pool's local queue, all locked with the pool's id.
      const ids = Array.from({ length: 4 }, () => randomUUID());
      for (const id of ids) {
        holding.add(id);
        await enqueue(id);
      }
      wakeup.jobAdded();
      const lockedBy = await until(
        'several jobs locked',
        async () => {
          const r = await db.raw<{ rows: Array<{ locked_by: string }> }>(
            `SELECT locked_by FROM graphile_worker.jobs WHERE task_identifier = ? AND locked_by IS NOT NULL`,
            [CANARY_TASK],
          );
          return r.rows.length >= 2 ? r.rows.map((row) => row.locked_by) : undefined;
        },
        5_000,
      );
      expect(pools, 'one pool').to.have.length(1);
      expect(
        [...new Set(lockedBy)],
        'graphile-worker no longer locks a pool’s jobs (running and queued) under the pool’s id: the heartbeat of delivery_workers names the wrong id (delivery/queue.ts, point 3)',
      ).to.deep.equal([pools[0]]);
    } finally {
      release();
      await runner.stop();
    }
  });
});
