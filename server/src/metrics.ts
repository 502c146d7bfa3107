/**
 * Prometheus metrics of this process through prom-client, in the text exposition format, served
 * at `/metrics` (outside the public API, like the health checks). Each process reports its own;
 * Prometheus sums them. Gauges that describe the shared queue (jobs waiting, age of the oldest
 * queued message) are read from PostgreSQL when scraped, through `setQueueProbe`; a scrape while
 * the database is down leaves them out rather than failing.
 */
import { Counter, Gauge, Registry } from 'prom-client';

export const registry = new Registry();

export const metrics = {
  httpRequests: new Counter({
    name: 'mojeeb_http_requests_total',
    help: 'HTTP requests answered, by operation and status.',
    labelNames: ['operation', 'status'] as const,
    registers: [registry],
  }),
  messagesAccepted: new Counter({
    name: 'mojeeb_messages_accepted_total',
    help: 'Sends accepted (202, replays excluded), by message type and environment.',
    labelNames: ['environment', 'type'] as const,
    registers: [registry],
  }),
  deliveries: new Counter({
    name: 'mojeeb_deliveries_total',
    help: 'Delivery attempts by outcome: accepted by WhatsApp, sandbox, failed, retried, unknown, missed_slot (a send that missed its sending slot took a new one).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  operatorAlerts: new Counter({
    name: 'mojeeb_whatsapp_operator_alerts_total',
    help: 'Sends WhatsApp refused for an account or token reason, by Meta error code.',
    labelNames: ['code'] as const,
    registers: [registry],
  }),
  webhookEvents: new Counter({
    name: 'mojeeb_webhook_events_total',
    help: 'Meta webhook events processed, by kind and outcome.',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  }),
  workerUp: new Gauge({
    name: 'mojeeb_delivery_worker_up',
    help: 'Whether the delivery worker of this process is running (1) or starting, restarting or stopped (0).',
    registers: [registry],
  }),
  workerRestarts: new Counter({
    name: 'mojeeb_delivery_worker_restarts_total',
    help: 'Restarts of the delivery worker after its job runner stopped on an error or could not start.',
    registers: [registry],
  }),
  backgroundFailures: new Counter({
    name: 'mojeeb_background_task_failures_total',
    help: 'Failures of background tasks (worker heartbeat, worker wake-up, housekeeping, worker start), by task; each is retried.',
    labelNames: ['task'] as const,
    registers: [registry],
  }),
};

export interface QueueProbe {
  /** Jobs waiting to run (not locked by a worker), and the age in seconds of the oldest queued message (0 when none). */
  (): Promise<{ jobsWaiting: number; oldestQueuedSeconds: number }>;
}

let queueProbe: QueueProbe | null = null;

/** The database read behind the queue gauges (set by the server process once it has a database). */
export function setQueueProbe(probe: QueueProbe | null): void {
  queueProbe = probe;
}

/** The queue gauges, in a registry of their own: rendered only when the probe answered. */
const queueRegistry = new Registry();
const jobsWaiting = new Gauge({ name: 'mojeeb_delivery_jobs_waiting', help: 'Delivery queue jobs ready to run and not taken by a worker.', registers: [queueRegistry] });
const oldestQueued = new Gauge({
  name: 'mojeeb_delivery_oldest_queued_seconds',
  help: 'Age of the oldest accepted message not yet handed to WhatsApp or the sandbox (delivery lag).',
  registers: [queueRegistry],
});

export async function renderMetrics(): Promise<string> {
  const own = await registry.metrics();
  if (queueProbe === null) return own;
  try {
    const queue = await queueProbe();
    jobsWaiting.set(queue.jobsWaiting);
    oldestQueued.set(queue.oldestQueuedSeconds);
    return `${own}\n${await queueRegistry.metrics()}`;
  } catch {
    return own;
  }
}

export const METRICS_CONTENT_TYPE = registry.contentType;
