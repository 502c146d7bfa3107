/**
 * The delivery worker: graphile-worker over the service's PostgreSQL (jobs are added in the
 * same transaction as the message they deliver). It runs inside the server process by default
 * (`WORKER=true`) and on its own with `npm run worker`; stopping it lets jobs in flight finish
 * and releases the rest to another worker.
 *
 * Throughput: the pool fetches and locks jobs in batches into a local queue (`localQueue`) and
 * completes or fails finished jobs in batches (`completeJobBatchDelay`, `failJobBatchDelay`), so
 * a delivery costs the queue a fraction of a round trip instead of two.
 *
 * Crash recovery: each worker process keeps a heartbeat row in `delivery_workers` under the id
 * its jobs are locked with (graphile-worker locks every job of a pool, running or waiting in the
 * local queue, with the pool's id); every worker periodically releases the jobs locked by pools
 * whose heartbeat stopped (a killed process), so they are retried within seconds. A released job
 * finds its message's recorded attempt and reconciles instead of sending again (deliver.ts); one
 * that had finished but whose completion was not yet written finds its message handed over and
 * does nothing.
 */
import { EventEmitter } from 'node:events';
import { Logger as WorkerLogger, run, type Runner, type Task, type WorkerEvents } from 'graphile-worker';
import { recordStatusEvent, type ReportedStatus } from '../domain/delivery-status.ts';
import { DELIVERY_TASK } from '../domain/messages.ts';
import type { Logger } from '../logger.ts';
import { deliverMessage, RetryLater, type DeliveryDeps } from './deliver.ts';
import { SANDBOX_STATUS_TASK, type SandboxFailure } from './sandbox.ts';
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
}

/** How long a finished job waits for others to be completed (or failed) in the same query. */
const JOB_BATCH_DELAY_MS = 20;

export interface DeliveryWorker {
  stop(): Promise<void>;
}

function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger(() => (level, message, meta) => {
    if (level === 'error') logger.error('worker', { detail: message, ...(meta ?? {}) });
    else if (level === 'warning') logger.warn('worker', { detail: message });
    else logger.debug('worker', { detail: message });
  });
}

export async function startDeliveryWorker(options: WorkerOptions): Promise<DeliveryWorker> {
  const { deps } = options;
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
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  await releaseDeadWorkers(deps, heartbeatMs);
  // Our own emitter, passed in: the workers are created before run() resolves.
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  // Jobs are locked with the pool's id (not each worker's): that is the id the heartbeat names.
  const ids = new Set<string>();
  events.on('pool:create', ({ workerPool }) => {
    ids.add(workerPool.id);
    // Announced at once, before the pool locks its first jobs; beat() below keeps it fresh.
    deps.db
      .raw(`INSERT INTO delivery_workers (worker_id) VALUES (?) ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now()`, [workerPool.id])
      .catch((error: unknown) => deps.logger.warn('worker heartbeat failed', { detail: error instanceof Error ? error.message : String(error) }));
  });
  const localQueueSize = options.localQueueSize ?? options.concurrency * 2;
  const runner: Runner = await run({
    events,
    connectionString: options.connectionString,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: options.pollIntervalMs ?? 2_000,
    preset: {
      worker: {
        ...(localQueueSize > 1 ? { localQueue: { size: localQueueSize } } : {}),
        completeJobBatchDelay: JOB_BATCH_DELAY_MS,
        failJobBatchDelay: JOB_BATCH_DELAY_MS,
      },
    },
    logger: workerLogger(deps.logger),
    taskList: { [DELIVERY_TASK]: deliver, [SANDBOX_STATUS_TASK]: sandboxStatus, [TEMPLATE_SYNC_TASK]: syncTask },
    // Every hour, at minute 7: statuses of templates change at Meta (approved, paused, rejected).
    crontab: `7 * * * * ${TEMPLATE_SYNC_TASK}`,
  });
  const beat = async () => {
    if (ids.size > 0) {
      await deps.db.raw(
        `INSERT INTO delivery_workers (worker_id) SELECT unnest(?::text[]) ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now()`,
        [[...ids]],
      );
    }
    await releaseDeadWorkers(deps, heartbeatMs);
  };
  await beat();
  const timer = setInterval(() => {
    beat().catch((error: unknown) => deps.logger.warn('worker heartbeat failed', { detail: error instanceof Error ? error.message : String(error) }));
  }, heartbeatMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await runner.stop();
      if (ids.size > 0) await deps.db('delivery_workers').whereIn('worker_id', [...ids]).delete();
    },
  };
}

/** Releases the jobs of workers whose heartbeat stopped, so that live workers retry them now. */
async function releaseDeadWorkers(deps: DeliveryDeps, heartbeatMs: number): Promise<void> {
  const dead = await deps.db('delivery_workers')
    .where('heartbeat_at', '<', deps.db.raw(`now() - (? * interval '1 millisecond')`, [heartbeatMs * 4]))
    .pluck('worker_id');
  if (dead.length === 0) return;
  await deps.db.raw('SELECT graphile_worker.force_unlock_workers(?::text[])', [dead]);
  await deps.db('delivery_workers').whereIn('worker_id', dead).delete();
  deps.logger.warn('released the jobs of stopped delivery workers', { workers: dead.length });
}
