/**
 * The delivery worker: graphile-worker over the service's PostgreSQL (jobs are added in the
 * same transaction as the message they deliver). It runs inside the server process by default
 * (`WORKER=true`) and on its own with `npm run worker`; stopping it lets jobs in flight finish
 * and releases the rest to another worker.
 *
 * Supervision: graphile-worker's runner stops for good when its pool loses the database (a
 * PostgreSQL restart, a failover) — sometimes "cleanly". `superviseDeliveryWorker` watches the
 * runner and starts a new one, with capped exponential backoff, whenever it stops without being
 * asked to or cannot start; the API keeps accepting sends meanwhile (their jobs wait in the
 * queue). Its state (`starting`, `running`, `restarting`, `stopped`) feeds `/readyz` and the
 * metrics.
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
import { recordStatusEvent, type ReportedStatus } from '../domain/delivery-status.ts';
import { DELIVERY_TASK } from './queue.ts';
import { errorFields, type Logger } from '../logger.ts';
import { metrics } from '../metrics.ts';
import { BackgroundTask, errorMessage } from '../background.ts';
import { classifyDatabaseFailure } from '../db/availability.ts';
import { deliverMessage, RetryLater, type DeliveryDeps } from './deliver.ts';
import { SANDBOX_STATUS_TASK, type SandboxFailure } from './sandbox.ts';
import { hasWorkWaiting, markOutage, releaseDeadWorkers, releaseOrphaned, rescheduleAfterOutage } from './queue-recovery.ts';
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

export interface SupervisionOptions {
  /** Wait before the first restart; doubled on each failed attempt in a row, up to `maxBackoffMs`. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** While the database is unreachable, how often the supervisor checks whether it answers again. */
  readonly databaseProbeMs?: number;
}

/** While the database is unreachable, a stopped worker checks this often whether it answers again. */
const DATABASE_PROBE_MS = 500;

/** How long stopping waits for the jobs in flight (a delivery's call to Meta is bounded by META_TIMEOUT_MS). */
const STOP_TIMEOUT_MS = 12_000;
/** A runner that starts or finishes no job for this long while jobs wait for it is replaced. */
const STALL_MS = 30_000;

/** How long a finished job waits for others to be completed (or failed) in the same query. */
const JOB_BATCH_DELAY_MS = 20;
/** A runner that stayed up this long (so not a crash loop) starts the backoff afresh when it next stops. */
const STABLE_AFTER_MS = 5_000;

export type WorkerState = 'starting' | 'running' | 'restarting' | 'stopped';

export interface DeliveryWorker {
  /** Resolves once the worker has run (its first runner started). */
  running(): Promise<void>;
  state(): WorkerState;
  /** How long the worker has not been running (ms); 0 while it runs. */
  downForMs(): number;
  /** Stops for good: the runner lets its jobs in flight finish and returns the others. */
  stop(): Promise<void>;
}

/** One graphile-worker runner with its heartbeat; `ended` settles when the runner stops, for whatever reason. */
interface RunnerInstance {
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
    const p = payload as { wamid: string; status: ReportedStatus; at: string; error?: SandboxFailure };
    await recordStatusEvent(deps.db, { platformMessageId: p.wamid, status: p.status, occurredAt: new Date(p.at), error: p.error ?? null });
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

async function startRunner(options: WorkerOptions, heartbeat: BackgroundTask): Promise<RunnerInstance> {
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

/**
 * Runs the delivery worker and keeps it running: a runner that stops without being asked to, or
 * cannot start, is replaced. When the database is unreachable at that moment (a restart or a
 * failover: the usual reason), the supervisor waits for it, probing every DATABASE_PROBE_MS, and
 * starts a runner as soon as it answers, so repeated short outages never add up to a long
 * backoff. Otherwise (the database answers, so the runner failed for another reason) it backs
 * off exponentially (1 s, 2 s, 4 s … up to 30 s by default). Never throws, never stops the process.
 */
export function superviseDeliveryWorker(options: WorkerOptions, supervision: SupervisionOptions = {}): DeliveryWorker {
  const { logger } = options.deps;
  const initialBackoffMs = supervision.initialBackoffMs ?? 1_000;
  const maxBackoffMs = supervision.maxBackoffMs ?? 30_000;
  const heartbeat = new BackgroundTask('worker heartbeat', logger);
  const starting = new BackgroundTask('worker start', logger);
  let state: WorkerState = 'starting';
  let downSince: number | null = Date.now();
  let current: RunnerInstance | null = null;
  let stopping = false;
  let wake: (() => void) | null = null;
  let markRunning: () => void = () => undefined;
  const firstRun = new Promise<void>((resolve) => (markRunning = resolve));
  /** Pool ids of runners that stopped: their jobs are released as soon as the database answers. */
  const orphaned = new Set<string>();

  const setState = (next: WorkerState) => {
    state = next;
    metrics.workerUp.set(next === 'running' ? 1 : 0);
    if (next === 'running') {
      downSince = null;
      markRunning();
    } else downSince ??= Date.now();
  };
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (wake = null));

  const probeMs = supervision.databaseProbeMs ?? DATABASE_PROBE_MS;
  const databaseAnswers = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        options.deps.db.raw('SELECT 1').then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), probeMs * 4))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  /**
   * Returns false at once when the database answers (the failure was not the database's);
   * otherwise probes every `probeMs` until it answers (or the worker is stopped) and returns true.
   */
  const waitedForDatabase = async (): Promise<boolean> => {
    if (await databaseAnswers()) return false;
    while (!stopping) {
      await pause(probeMs);
      if (stopping || (await databaseAnswers())) break;
    }
    return true;
  };

  const loop = async () => {
    let backoffMs = initialBackoffMs;
    while (!stopping) {
      let instance: RunnerInstance;
      try {
        await releaseOrphaned(options.deps, orphaned);
        instance = await startRunner(options, heartbeat);
        starting.succeeded();
      } catch (error) {
        if (stopping) break;
        starting.failed(error, { retry_in_ms: backoffMs });
        metrics.workerRestarts.inc();
        setState('restarting');
        if (await waitedForDatabase()) backoffMs = initialBackoffMs;
        else {
          await pause(backoffMs);
          backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
        }
        continue;
      }
      current = instance;
      if (stopping) break;
      const startedAt = Date.now();
      setState('running');
      logger.info('delivery worker running', { concurrency: options.concurrency });
      const reason = await instance.ended;
      current = null;
      for (const id of instance.poolIds) orphaned.add(id);
      if (stopping) break;
      if (Date.now() - startedAt >= STABLE_AFTER_MS) backoffMs = initialBackoffMs;
      setState('restarting');
      metrics.workerRestarts.inc();
      if (await databaseAnswers()) {
        logger.warn('delivery worker stopped unexpectedly; restarting it', { reason, restart_in_ms: backoffMs });
        await pause(backoffMs);
        backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
      } else {
        logger.warn('delivery worker stopped unexpectedly; restarting it once the database answers', { reason });
        await waitedForDatabase();
        backoffMs = initialBackoffMs;
      }
    }
  };
  const looping = loop();

  return {
    running: () => firstRun,
    state: () => state,
    downForMs: () => (downSince === null ? 0 : Date.now() - downSince),
    stop: async () => {
      stopping = true;
      wake?.();
      const running = current;
      if (running !== null) await running.stop();
      await looping;
      await releaseOrphaned(options.deps, orphaned).catch(() => undefined);
      setState('stopped');
    },
  };
}

/**
 * graphile-worker can let an error escape as an unhandled rejection when it loses the database
 * while it releases its local queue ("Error occurred whilst returning jobs from local queue to
 * database queue"), and a connection of a pool left behind by a stopped runner can report its
 * loss with nobody listening: by Node's default either ends the process, API included. This guard, installed
 * once by the server and the worker process, handles errors that come from the queue library on
 * purpose — counted, logged once per run, and left to the supervisor, which replaces the runner
 * (the jobs it held are released) — and keeps Node's behaviour for everything else: the error is
 * logged and the process exits with code 1.
 */
export function guardAgainstQueueLibraryErrors(logger: Logger): void {
  const queueErrors = new BackgroundTask('job queue library', logger);
  const handle = (kind: string) => (error: unknown) => {
    const stack = error instanceof Error ? (error.stack ?? '') : '';
    // The queue library's own errors, and a dropped database connection that nobody listens to any
    // more (a client of a pool a stopped runner left behind): neither is a bug in our logic.
    if (/[\\/]graphile-worker[\\/]/.test(stack) || classifyDatabaseFailure(error) !== null) {
      queueErrors.failed(error, { kind });
      return;
    }
    logger.error(`${kind}: exiting`, errorFields(error));
    process.exit(1);
  };
  process.on('unhandledRejection', handle('unhandled rejection'));
  process.on('uncaughtException', handle('uncaught exception'));
}

/** Supervises the worker (see superviseDeliveryWorker) and resolves once it runs. */
export async function startDeliveryWorker(options: WorkerOptions, supervision?: SupervisionOptions): Promise<DeliveryWorker> {
  const worker = superviseDeliveryWorker(options, supervision);
  await worker.running();
  return worker;
}
