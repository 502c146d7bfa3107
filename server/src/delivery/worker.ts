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
 * The runner itself — its tasks, batching, heartbeat and crash recovery — is in queue-runner.ts.
 */
import { errorFields, type Logger } from '../logger.ts';
import { metrics } from '../metrics.ts';
import { BackgroundTask } from '../background.ts';
import { classifyDatabaseFailure } from '../db/availability.ts';
import { releaseOrphaned } from './queue-recovery.ts';
import { startRunner, type RunnerInstance, type WorkerOptions } from './queue-runner.ts';

export interface SupervisionOptions {
  /** Wait before the first restart; doubled on each failed attempt in a row, up to `maxBackoffMs`. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** While the database is unreachable, how often the supervisor checks whether it answers again. */
  readonly databaseProbeMs?: number;
}

/** While the database is unreachable, a stopped worker checks this often whether it answers again. */
const DATABASE_PROBE_MS = 500;

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
