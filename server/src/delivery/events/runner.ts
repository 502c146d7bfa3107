/**
 * The event runner: a graphile-worker runner of its own for the `deliver_events` (an endpoint's
 * drain) and `deliver_event` (a retry or a redelivery) jobs, beside the message-delivery runner
 * of the same process, with its own concurrency (`EVENT_WORKER_CONCURRENCY`, default 16) and the
 * same supervision, heartbeat and crash recovery (worker.ts). Message deliveries never wait
 * behind webhook calls, and an endpoint holds at most one of the runner's slots (its jobs share a
 * named queue).
 *
 * The sweep: every SWEEP_MS the runner enqueues a drain for each endpoint with a delivery that
 * has waited for its first attempt for longer than that (the one race of the fan-out's check,
 * delivery/queue.sql, and drains that stopped on a failure leave such deliveries).
 */
import type { Task } from 'graphile-worker';
import type { DeliveryDeps } from '../deliver.ts';
import { markOutage } from '../queue-recovery.ts';
import { superviseDeliveryWorker, type DeliveryWorker, type SupervisionOptions } from '../worker.ts';
import type { Knex } from 'knex';
import { BackgroundTask } from '../../background.ts';
import { EVENT_DELIVERY_TASK, EVENT_DRAIN_TASK } from '../../domain/webhooks/events.ts';
import { allowPrivateFromEnv } from '../../domain/webhooks/ssrf.ts';
import { deliverEvent, drainEndpoint, type EventDeliveryDeps, type EventJobPayload } from './deliver-event.ts';
import { disableAfterFromEnv, retryScheduleFromEnv } from './schedule.ts';

export const DEFAULT_EVENT_CONCURRENCY = 16;

/** How often the runner enqueues drains for deliveries left without one (and how long they must have waited). */
export const SWEEP_MS = 2_000;

const ENQUEUE_DRAIN_SQL = 'SELECT mojeeb_enqueue_event_drain(?::uuid)';
const SWEEP_SQL = `SELECT count(mojeeb_enqueue_event_drain(w.endpoint_id))::int AS n FROM (
    SELECT DISTINCT endpoint_id FROM event_deliveries
    WHERE status = 'pending' AND attempts = 0 AND created_at < now() - make_interval(secs => ?::float8 / 1000)
  ) w`;

async function drain(deps: EventDeliveryDeps, endpointId: string, startedAt: number): Promise<void> {
  const { more } = await drainEndpoint(deps, endpointId, startedAt);
  // Stopped at its bound: the next drain queues behind this one (add_job makes a new job while this one runs).
  if (more) await deps.db.raw(ENQUEUE_DRAIN_SQL, [endpointId]);
}

export function eventTaskList(deps: EventDeliveryDeps): Record<string, Task> {
  const one: Task = async (payload) => {
    const p = payload as Partial<EventJobPayload>;
    if (typeof p.delivery_id !== 'string' || typeof p.attempt !== 'number') return;
    const startedAt = Date.now();
    const attempt = await deliverEvent(deps, p as EventJobPayload);
    // The queue is this job's: after a success, the endpoint's waiting events go now.
    if (attempt.outcome === 'succeeded' && attempt.endpointId !== null) await drain(deps, attempt.endpointId, startedAt);
  };
  const endpoint: Task = async (payload) => {
    const id = (payload as { endpoint_id?: unknown }).endpoint_id;
    if (typeof id === 'string') await drain(deps, id, Date.now());
  };
  // A job that failed on a database outage runs again as soon as the database is back (queue-recovery.ts).
  return { [EVENT_DELIVERY_TASK]: markOutage(one), [EVENT_DRAIN_TASK]: markOutage(endpoint) };
}

/** Enqueues a drain for every endpoint with a delivery waiting longer than `olderThanMs` for its first attempt; how many endpoints. */
export async function sweepEventBacklog(db: Knex, olderThanMs: number): Promise<number> {
  const result = (await db.raw(SWEEP_SQL, [olderThanMs])) as { rows: Array<{ n: number }> };
  return result.rows[0]!.n;
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
  /** The sweep's period (default SWEEP_MS). */
  readonly sweepMs?: number;
}

export function superviseEventWorker(options: EventWorkerOptions, supervision?: SupervisionOptions): DeliveryWorker {
  const concurrency = options.concurrency ?? (Number(process.env.EVENT_WORKER_CONCURRENCY) || DEFAULT_EVENT_CONCURRENCY);
  const eventDeps = { ...eventDepsFromEnv(options.deps), ...options.events };
  const sweepMs = options.sweepMs ?? SWEEP_MS;
  // A database outage fails the sweep quietly (the runner's supervision reports it); the next one tries again.
  const sweeping = new BackgroundTask('event backlog sweep', options.deps.logger);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    sweeping.run(() => sweepEventBacklog(options.deps.db, sweepMs).finally(() => (busy = false)));
  }, sweepMs);
  timer.unref();
  const worker = superviseDeliveryWorker(
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
  return {
    ...worker,
    stop: async () => {
      clearInterval(timer);
      await worker.stop();
    },
  };
}

export async function startEventWorker(options: EventWorkerOptions, supervision?: SupervisionOptions): Promise<DeliveryWorker> {
  const worker = superviseEventWorker(options, supervision);
  await worker.running();
  return worker;
}
