/**
 * The delivery queue's coupling to graphile-worker (0.17), in one place. A send writes its
 * delivery job in its own transaction and wakes the workers after commit; the workers lock jobs
 * and recover the jobs of dead workers (queue-runner.ts). Four of these rely on graphile-worker's
 * internals, which its documentation says "are not a public interface" and may change in a minor
 * version; test/integration/queue-canary.test.ts fails, naming which one, when an upgrade changes
 * any of them:
 *
 * 1. The job row. `mojeeb_enqueue_delivery` (queue.sql, called by mojeeb_accept_send) inserts
 *    into `graphile_worker._private_jobs` (task_id, payload, key) with the id from
 *    `graphile_worker._private_tasks`, instead of calling `graphile_worker.add_job`: add_job also
 *    runs pg_notify in every send's transaction, and NOTIFY serializes the commits of every
 *    notifying transaction on one database-wide lock. The first job of the task on a database
 *    goes through add_job, which registers the task. The figure that keeps this bypass (against
 *    add_job in the same function, same run) is in docs/accepting-a-send.md; `npm run
 *    bench:queue` measures it again.
 * 2. The wake-up. Workers LISTEN on the `jobs:insert` channel; `WorkerWakeup` sends one NOTIFY
 *    there per batch of accepted sends, after their commits, with the `count` graphile-worker's
 *    own add_jobs sends. A lost wake-up only delays jobs to the workers' next poll.
 * 3. The lock id. graphile-worker locks every job of a pool (running, or waiting in the pool's
 *    local queue) with the pool's id (`pool:create`'s `workerPool.id`), not each worker's: that is
 *    the id the heartbeat rows of `delivery_workers` name, and the id `force_unlock_workers`
 *    releases when that heartbeat stops (queue-runner.ts, releaseDeadWorkers).
 * 4. The public surface otherwise: the `graphile_worker.jobs` view (queue-probe.ts, queue-runner.ts,
 *    and `mojeeb_enqueue_event_drain` in queue.sql, which looks there for an endpoint's waiting
 *    drain job by its key before adding one), `add_job`, `reschedule_jobs` and `force_unlock_workers`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import type { BackgroundTask } from '../background.ts';

/** The graphile-worker task that hands a message to WhatsApp (or the sandbox). */
export const DELIVERY_TASK = 'deliver_message';

/** Defines `mojeeb_enqueue_delivery(task, message_id)`; applied by db/repeatable.ts. */
export const QUEUE_SQL_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'queue.sql');

/** graphile-worker's channel for new jobs (its add_job/add_jobs notify it; its workers listen). */
export const JOBS_INSERT_CHANNEL = 'jobs:insert';

/** How long accepted sends are gathered into one wake-up. */
const WAKEUP_BATCH_MS = 10;

/**
 * Wakes the delivery workers after accepted sends: one NOTIFY per batch of sends accepted within
 * WAKEUP_BATCH_MS, after their commits (a NOTIFY inside each send's transaction would serialize
 * every commit, and each NOTIFY is a commit of its own).
 */
export class WorkerWakeup {
  private pending = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Knex,
    private readonly task: BackgroundTask,
  ) {}

  jobAdded(): void {
    this.pending++;
    this.timer ??= setTimeout(() => this.flush(), WAKEUP_BATCH_MS);
  }

  private flush(): void {
    const count = this.pending;
    this.pending = 0;
    this.timer = null;
    // A failure only delays the jobs to the workers' next poll: counted and logged once.
    this.task.run(() => this.db.raw(`SELECT pg_notify(?, json_build_object('count', ?::int)::text)`, [JOBS_INSERT_CHANNEL, count]));
  }
}
