/**
 * Prometheus metrics of this process through prom-client, in the text exposition format, served
 * at `/metrics` (outside the public API, like the health checks). Each process reports its own;
 * Prometheus sums them. Gauges that describe the shared queue (jobs waiting, age of the oldest
 * queued message) are read from PostgreSQL when scraped, through `setQueueProbe`; a scrape while
 * the database is down leaves them out rather than failing.
 *
 * Also: the process and Node.js defaults of prom-client (CPU, memory, event-loop lag, GC,
 * handles…), request latency by operation and status, delivery latency (acceptance to hand-over
 * to WhatsApp or the sandbox), rate-limit rejections and leases, the key cache, rows deleted by retention (by table), and the
 * API pool's connections (read from the knex/tarn pool at scrape time, through `setPoolProbe`). Labels never carry ids, keys or
 * anything a client chose: operation ids, status codes and fixed words only.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** The pool whose connections the pool gauges report (knex's tarn pool); null before it exists. */
export interface PoolProbe {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
  readonly max: number;
}

let poolProbe: PoolProbe | null = null;

/** The API's knex instance, whose pool the `mojeeb_db_pool_*` gauges describe (set by the server process). */
export function setPoolProbe(db: { client: unknown } | null): void {
  const pool = (db?.client as { pool?: unknown } | undefined)?.pool as PoolProbe | undefined;
  poolProbe = pool && typeof pool.numUsed === 'function' ? pool : null;
}

function poolGauge(name: string, help: string, read: (pool: PoolProbe) => number): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(poolProbe === null ? 0 : read(poolProbe));
    },
  });
}

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
  httpRequestDuration: new Histogram({
    name: 'mojeeb_http_request_duration_seconds',
    help: 'Time from receiving a request to having answered it, by operation and status.',
    labelNames: ['operation', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  }),
  deliveryLatency: new Histogram({
    name: 'mojeeb_delivery_latency_seconds',
    help: "Time from a message's acceptance (202) to its hand-over to WhatsApp (Meta accepted it) or the sandbox, by channel.",
    labelNames: ['channel'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  }),
  rateLimitRejections: new Counter({
    name: 'mojeeb_rate_limit_rejections_total',
    help: 'Requests refused with 429 rate_limit_exceeded (a key over its per-minute limit), by key environment.',
    labelNames: ['environment'] as const,
    registers: [registry],
  }),
  keyCacheLookups: new Counter({
    name: 'mojeeb_key_cache_lookups_total',
    help: 'API key lookups of this process by result: hit (served from memory), miss (read from the database), bypass (the cache is off or not trusted: notifications are not listened to).',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
  keyCacheInvalidations: new Counter({
    name: 'mojeeb_key_cache_invalidations_total',
    help: 'Key change notifications received (a key or an organization changed).',
    registers: [registry],
  }),
  keyCacheListening: new Gauge({
    name: 'mojeeb_key_cache_listening',
    help: 'Whether this process listens to key change notifications (1) or not (0: its key cache is bypassed).',
    registers: [registry],
  }),
  rateLeases: new Counter({
    name: 'mojeeb_rate_limit_leases_total',
    help: 'Blocks of rate-limit budget leased from the database, by outcome: granted, or spent (the window had nothing left).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  poolUsed: poolGauge('mojeeb_db_pool_connections_used', 'Connections of the API pool lent out at scrape time.', (p) => p.numUsed()),
  poolFree: poolGauge('mojeeb_db_pool_connections_free', 'Idle connections of the API pool at scrape time.', (p) => p.numFree()),
  poolPendingAcquires: poolGauge(
    'mojeeb_db_pool_pending_acquires',
    'Requests for a connection of the API pool waiting at scrape time.',
    (p) => p.numPendingAcquires(),
  ),
  poolPendingCreates: poolGauge('mojeeb_db_pool_pending_creates', 'Connections of the API pool being opened at scrape time.', (p) =>
    p.numPendingCreates(),
  ),
  poolMax: poolGauge('mojeeb_db_pool_connections_max', 'Most connections the API pool opens (DB_POOL_MAX).', (p) => p.max),
  eventDeliveries: new Counter({
    name: 'mojeeb_event_deliveries_total',
    help: 'Attempts to deliver an event to a webhook endpoint, by outcome (succeeded, failed, forbidden_address).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  eventDeliveryLag: new Histogram({
    name: 'mojeeb_event_delivery_lag_seconds',
    help: "Time from an event's creation to its successful delivery to an endpoint (retries included).",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 36000, 259200],
    registers: [registry],
  }),
  webhookEndpointsDisabled: new Counter({
    name: 'mojeeb_webhook_endpoints_disabled_total',
    help: 'Webhook endpoints disabled after failing every delivery for the documented period (an operator alert).',
    registers: [registry],
  }),
  rowsPruned: new Counter({
    name: 'mojeeb_retention_rows_pruned_total',
    help: 'Rows deleted by housekeeping and the data retention policy (docs/operating.md, "Data retention"), by table.',
    labelNames: ['table'] as const,
    registers: [registry],
  }),
  backgroundFailures: new Counter({
    name: 'mojeeb_background_task_failures_total',
    help: 'Failures of background tasks (worker heartbeat, worker wake-up, housekeeping, retention, worker start), by task; each is retried.',
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
const jobsWaiting = new Gauge({
  name: 'mojeeb_delivery_jobs_waiting',
  help: 'Delivery queue jobs ready to run and not taken by a worker.',
  registers: [queueRegistry],
});
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
