/**
 * One graphile-worker runner of the delivery worker, with its heartbeat (worker.ts supervises it).
 *
 * Throughput: the pool fetches and locks jobs in batches into a local queue (`localQueue`) and
 * completes or fails finished jobs in batches (`completeJobBatchDelay`, `failJobBatchDelay`), so
 * a delivery costs the queue a fraction of a round trip instead of two.
 *
 * Crash recovery: each runner keeps a heartbeat row in `delivery_workers` under the id its jobs
 * are locked with (graphile-worker locks every job of a pool, running or waiting in the local
 * queue, with the pool's id). The heartbeat belongs to the runner: it stops the moment the
 * runner stops. Every worker periodically releases the jobs locked for longer than four
 * heartbeat periods by a pool without a fresh heartbeat (a killed process, a stopped runner, or
 * a heartbeat table emptied by a PostgreSQL crash: the table is unlogged), so they are retried
 * within seconds; a restarted runner releases its predecessor's jobs at once. A released job
 * finds its message's recorded attempt and reconciles instead of sending again (deliver.ts); one
 * that had finished but whose completion was not yet written finds its message handed over and
 * does nothing.
 */
import { EventEmitter } from 'node:events';
import { Logger as WorkerLogger, run, type Runner, type Task, type WorkerEvents } from 'graphile-worker';
import { BackgroundTask, errorMessage } from '../background.ts';
import { recordStatusEvent } from '../domain/delivery-status.ts';
import type { Logger } from '../logger.ts';
import { deliverMessage, RetryLater, type DeliveryDeps } from './deliver.ts';
import { DELIVERY_TASK } from './queue.ts';
import { hasWorkWaiting, markOutage, releaseDeadWorkers, rescheduleAfterOutage } from './queue-recovery.ts';
import { SANDBOX_STATUS_TASK, type SandboxStatusPayload, scheduleSandboxSteps } from './sandbox.ts';
import { syncAllTemplates } from './template-sync.ts';

const TEMPLATE_SYNC_TASK = 'sync_templates';

export interface WorkerOptions {
  readonly connectionString: string;
  readonly concurrency: number;
  readonly deps: DeliveryDeps;
  /** How often to look for jobs when no notification arrives (LISTEN/NOTIFY does the rest). */
  readonly pollIntervalMs?: number;
  /** Heartbeat period; a worker silent for four periods counts as dead. */
  readonly heartbeatMs?: number;
  /** Jobs fetched (and locked) per query into the local queue (default: 2 × concurrency; 1 or less: one job per query). */
  readonly localQueueSize?: number;
  /** No job started or finished for this long while jobs wait: the runner is replaced (default 30 s). */
  readonly stallMs?: number;
  /** The tasks this runner takes instead of the message-delivery ones (the event runner, delivery/events/runner.ts). */
  readonly taskList?: Record<string, Task>;
  /** How long a finished job waits to be completed with others in one query (default 20 ms; -1: at once). */
  readonly jobBatchDelayMs?: number;
}

/** How long stopping waits for the jobs in flight (a delivery's call to Meta is bounded by META_TIMEOUT_MS). */
const STOP_TIMEOUT_MS = 12_000;
/** A runner that starts or finishes no job for this long while jobs wait for it is replaced. */
const STALL_MS = 30_000;

/** How long a finished job waits for others to be completed (or failed) in the same query. */
const JOB_BATCH_DELAY_MS = 20;
/** One graphile-worker runner with its heartbeat; `ended` settles when the runner stops, for whatever reason. */
export interface RunnerInstance {
  readonly poolIds: ReadonlySet<string>;
  readonly ended: Promise<string>;
  stop(): Promise<void>;
}

/** graphile-worker's own messages about a lost database connection: the outage is logged by the supervisor. */
const CONNECTION_NOISE =
  /database unavailable: |ECONNREFUSED|ECONNRESET|Connection terminated|terminating connection|not queryable|the database system is|timeout exceeded when trying to connect|notify listener|UNLISTEN/;

function workerLogger(logger: Logger): WorkerLogger {
  // One line each, the message only: graphile-worker's meta objects carry database clients and
  // whole jobs, and its messages embed stacks. Connection errors (one per job in flight during a
  // database outage) go to debug; the outage is logged once by the supervisor and the heartbeat.
  return new WorkerLogger(() => (level, message) => {
    const detail = errorMessage(message);
    if (level === 'debug' || CONNECTION_NOISE.test(message)) logger.debug('worker', { detail });
    else if (level === 'error') logger.error('worker', { detail });
    else if (level === 'warning') logger.warn('worker', { detail });
    else logger.debug('worker', { detail });
  });
}

function tasks(deps: DeliveryDeps): Record<string, Task> {
  const deliver: Task = async (payload, helpers) => {
    const messageId = (payload as { message_id?: unknown }).message_id;
    if (typeof messageId !== 'string') return;
    try {
      await deliverMessage(deps, messageId, helpers.job.attempts);
    } catch (error) {
      if (error instanceof RetryLater) deps.logger.debug('delivery will be retried', { message_id: messageId, reason: error.message });
      throw error;
    }
  };
  const sandboxStatus: Task = async (payload) => {
    const p = payload as SandboxStatusPayload;
    // The status, then the job of the next one: in order, and neither without the other.
    await deps.db.transaction(async (trx) => {
      await recordStatusEvent(trx, { platformMessageId: p.wamid, status: p.status, occurredAt: new Date(p.at), error: p.error ?? null });
      await scheduleSandboxSteps(trx, p.wamid, p.next ?? [], deps.sandboxStepMs);
    });
  };
  const syncTask: Task = async () => {
    const results = await syncAllTemplates(deps.db, deps.cloudApi, deps.secrets);
    deps.logger.info('templates synced from Meta', { connections: results.length, stored: results.reduce((n, r) => n + r.stored, 0) });
  };
  return {
    [DELIVERY_TASK]: markOutage(deliver),
    [SANDBOX_STATUS_TASK]: markOutage(sandboxStatus),
    [TEMPLATE_SYNC_TASK]: markOutage(syncTask),
  };
}

export async function startRunner(options: WorkerOptions, heartbeat: BackgroundTask): Promise<RunnerInstance> {
  const { deps } = options;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  await releaseDeadWorkers(deps, heartbeatMs);
  // Our own emitter, passed in: the pools are created before run() resolves.
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  // Jobs are locked with the pool's id (not each worker's): that is the id the heartbeat names.
  const poolIds = new Set<string>();
  let beating = true;
  const announce = (ids: string[]) =>
    deps.db.raw(
      `INSERT INTO delivery_workers (worker_id) SELECT unnest(?::text[]) ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now()`,
      [ids],
    );
  let abandon: (reason: string) => void = () => undefined;
  const abandoned = new Promise<string>((resolve) => (abandon = resolve));
  // graphile-worker gives up on a pool it cannot shut down (its local queue lost the database):
  // the runner will never settle, so it is replaced now.
  events.on('pool:forcefulShutdown:error', () => abandon('the job runner could not shut down after losing the database'));
  // Progress, for the watchdog: any job starting or finishing.
  let lastProgressAt = Date.now();
  const progressed = () => (lastProgressAt = Date.now());
  events.on('job:start', progressed);
  events.on('job:complete', progressed);
  events.on('pool:create', ({ workerPool }) => {
    poolIds.add(workerPool.id);
    // Announced at once, before the pool locks its first jobs; beat() below keeps it fresh.
    heartbeat.run(() => announce([workerPool.id]));
  });
  const localQueueSize = options.localQueueSize ?? options.concurrency * 2;
  const taskList = options.taskList ?? tasks(deps);
  const runner: Runner = await run({
    events,
    connectionString: options.connectionString,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: options.pollIntervalMs ?? 2_000,
    preset: {
      worker: {
        ...(localQueueSize > 1 ? { localQueue: { size: localQueueSize } } : {}),
        completeJobBatchDelay: options.jobBatchDelayMs ?? JOB_BATCH_DELAY_MS,
        failJobBatchDelay: options.jobBatchDelayMs ?? JOB_BATCH_DELAY_MS,
      },
    },
    logger: workerLogger(deps.logger),
    taskList,
    // Every hour, at minute 7: statuses of templates change at Meta (approved, paused, rejected).
    crontab: options.taskList ? '' : `7 * * * * ${TEMPLATE_SYNC_TASK}`,
  });
  const stallMs = options.stallMs ?? STALL_MS;
  const beat = async () => {
    if (!beating) return;
    if (poolIds.size > 0) await announce([...poolIds]);
    await releaseDeadWorkers(deps, heartbeatMs);
    await rescheduleAfterOutage(deps);
    if (Date.now() - lastProgressAt > stallMs && (await hasWorkWaiting(deps, [...poolIds], Object.keys(taskList)))) {
      // A runner can wedge after losing the database (a pool stuck in its own shutdown, a local
      // queue that stopped fetching) without ever settling: replace it.
      deps.logger.warn('delivery worker made no progress while jobs wait; restarting it', { stalled_ms: Date.now() - lastProgressAt });
      lastProgressAt = Date.now();
      abandon('the job runner made no progress while jobs waited');
      void runner.kill('no progress while jobs wait').catch(() => undefined);
    }
  };
  const timer = setInterval(() => heartbeat.run(beat), heartbeatMs);
  timer.unref();
  const stopBeating = () => {
    beating = false;
    clearInterval(timer);
  };
  // The heartbeat lives exactly as long as the runner: silent the moment the runner stops, or
  // the moment it is given up (its pool failed to shut down, or the watchdog found it wedged:
  // then its promise may never settle, and the supervisor does not wait for it).
  const ended = Promise.race([
    runner.promise.then(
      () => 'the job runner stopped',
      (error: unknown) => `the job runner stopped on an error: ${error instanceof Error ? error.message : String(error)}`,
    ),
    abandoned,
  ]);
  void ended.then(stopBeating);
  heartbeat.run(beat);
  return {
    poolIds,
    ended,
    stop: async () => {
      stopBeating();
      // Jobs in flight finish (bounded: a pool that lost the database may never settle).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        runner
          .stop()
          .catch(() => undefined)
          .then(() => ended),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      // The database may be away (a shutdown during an outage): the heartbeat row then ages out
      // and the other workers release whatever jobs this runner could not return.
      await deps
        .db('delivery_workers')
        .whereIn('worker_id', [...poolIds])
        .delete()
        .catch((error: unknown) =>
          deps.logger.warn('could not remove the worker heartbeat; other workers release its jobs', { detail: errorMessage(error) }),
        );
    },
  };
}
