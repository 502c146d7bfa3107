/**
 * The delivery worker: graphile-worker over the service's PostgreSQL (jobs are added in the
 * same transaction as the message they deliver). It runs inside the server process by default
 * (`WORKER=true`) and on its own with `npm run worker`; stopping it lets jobs in flight finish
 * and releases the rest to another worker.
 */
import { Logger as WorkerLogger, run, type Runner, type Task } from 'graphile-worker';
import { recordStatusEvent, type ReportedStatus } from '../domain/delivery-status.ts';
import { DELIVERY_TASK } from '../domain/messages.ts';
import type { Logger } from '../logger.ts';
import { deliverMessage, RetryLater, type DeliveryDeps } from './deliver.ts';
import { SANDBOX_STATUS_TASK, type SandboxFailure } from './sandbox.ts';

export interface WorkerOptions {
  readonly connectionString: string;
  readonly concurrency: number;
  readonly deps: DeliveryDeps;
  /** How often to look for jobs when no notification arrives (LISTEN/NOTIFY does the rest). */
  readonly pollIntervalMs?: number;
}

function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger(() => (level, message, meta) => {
    if (level === 'error') logger.error('worker', { detail: message, ...(meta ?? {}) });
    else if (level === 'warning') logger.warn('worker', { detail: message });
    else logger.debug('worker', { detail: message });
  });
}

export async function startDeliveryWorker(options: WorkerOptions): Promise<Runner> {
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
  return run({
    connectionString: options.connectionString,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: options.pollIntervalMs ?? 2_000,
    logger: workerLogger(deps.logger),
    taskList: { [DELIVERY_TASK]: deliver, [SANDBOX_STATUS_TASK]: sandboxStatus },
  });
}
