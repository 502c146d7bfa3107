/**
 * The event runner: a graphile-worker runner of its own for `deliver_event` jobs, beside the
 * message-delivery runner of the same process, with its own concurrency
 * (`EVENT_WORKER_CONCURRENCY`, default 16) and the same supervision, heartbeat and crash
 * recovery (worker.ts). Message deliveries never wait behind webhook calls, and an endpoint
 * holds at most one of the runner's slots (its jobs share a named queue).
 */
import type { Task } from 'graphile-worker';
import type { DeliveryDeps } from '../deliver.ts';
import { superviseDeliveryWorker, type DeliveryWorker, type SupervisionOptions } from '../worker.ts';
import { EVENT_DELIVERY_TASK } from '../../domain/webhooks/events.ts';
import { allowPrivateFromEnv } from '../../domain/webhooks/ssrf.ts';
import { deliverEvent, drainEndpoint, type EventDeliveryDeps, type EventJobPayload } from './deliver-event.ts';
import { disableAfterFromEnv, retryScheduleFromEnv } from './schedule.ts';

export const DEFAULT_EVENT_CONCURRENCY = 16;

export function eventTaskList(deps: EventDeliveryDeps): Record<string, Task> {
  const task: Task = async (payload) => {
    const p = payload as Partial<EventJobPayload>;
    if (typeof p.delivery_id !== 'string' || typeof p.attempt !== 'number') return;
    const startedAt = Date.now();
    const attempt = await deliverEvent(deps, p as EventJobPayload);
    // The queue is this job's: the endpoint's next events go now (deliver-event.ts, draining).
    if (attempt.outcome === 'succeeded' && attempt.endpointId !== null) await drainEndpoint(deps, attempt.endpointId, startedAt);
  };
  return { [EVENT_DELIVERY_TASK]: task };
}

export function eventDepsFromEnv(
  base: Pick<DeliveryDeps, 'db' | 'secrets' | 'logger'>,
  env: NodeJS.ProcessEnv = process.env,
): EventDeliveryDeps {
  return {
    ...base,
    retryScheduleMs: retryScheduleFromEnv(env),
    disableAfterMs: disableAfterFromEnv(env),
    allowPrivate: allowPrivateFromEnv(env),
  };
}

export interface EventWorkerOptions {
  readonly connectionString: string;
  readonly deps: DeliveryDeps;
  readonly events?: Partial<EventDeliveryDeps>;
  readonly concurrency?: number;
  readonly pollIntervalMs?: number;
  readonly heartbeatMs?: number;
}

export function superviseEventWorker(options: EventWorkerOptions, supervision?: SupervisionOptions): DeliveryWorker {
  const concurrency = options.concurrency ?? (Number(process.env.EVENT_WORKER_CONCURRENCY) || DEFAULT_EVENT_CONCURRENCY);
  const eventDeps = { ...eventDepsFromEnv(options.deps), ...options.events };
  return superviseDeliveryWorker(
    {
      connectionString: options.connectionString,
      concurrency,
      deps: options.deps,
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      localQueueSize: 1,
      // Completed at once: an endpoint's next event waits for its queue to be unlocked, which
      // completing the job does.
      jobBatchDelayMs: -1,
      taskList: eventTaskList(eventDeps),
    },
    supervision,
  );
}

export async function startEventWorker(options: EventWorkerOptions, supervision?: SupervisionOptions): Promise<DeliveryWorker> {
  const worker = superviseEventWorker(options, supervision);
  await worker.running();
  return worker;
}
