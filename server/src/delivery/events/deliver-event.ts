/**
 * Delivering events: one attempt to deliver one event to one endpoint, signed with the Standard
 * Webhooks scheme (the same `webhook-id`, the event id, on every attempt). First attempts are
 * made by the endpoint's drain job (`deliver_events`, drainEndpoint below), later ones by a
 * `deliver_event` job per attempt; both run in the endpoint's named queue, so an endpoint has one
 * delivery in flight at most, and only in the event runner (runner.ts), whose concurrency is its
 * own: a slow or failing endpoint delays neither other endpoints nor the delivery of messages to
 * WhatsApp.
 *
 * Retries are new jobs at the next time of the schedule (schedule.ts), added in the transaction
 * that records the attempt; the job's payload names the attempt it is for, so a job that runs
 * again after a crash (it was not yet marked complete) sees that its attempt was recorded and
 * does nothing. An attempt cut short by a crash is made again: at least once, never lost.
 *
 * Cost per event on the success path: one prepared read (the delivery with its endpoint and
 * event), the POST on a kept-alive connection (post.ts), and one prepared statement that
 * records it all; failures take a transaction (health, disabling, the retry's job).
 */
import type { Knex } from 'knex';
import type { SecretBox } from '../../domain/secrets.ts';
import { EVENT_DELIVERY_TASK, toEventResource, type EventRow } from '../../domain/webhooks/events.ts';
import { preparedQuery } from '../../db/prepared.ts';
import type { EndpointRow } from '../../domain/webhooks/endpoints.ts';
import { signedHeaders } from '../../domain/webhooks/signing.ts';
import { addressPolicy, urlSyntaxProblem } from '../../domain/webhooks/ssrf.ts';
import { openSecret } from '../../domain/webhooks/stored-secret.ts';
import type { Logger } from '../../logger.ts';
import { metrics } from '../../metrics.ts';
import { postEvent } from './post.ts';
import { ATTEMPT_TIMEOUT_MS, retryDelayMs } from './schedule.ts';

export interface EventDeliveryDeps {
  readonly db: Knex;
  readonly secrets: SecretBox | null;
  readonly logger: Logger;
  readonly retryScheduleMs: readonly number[];
  readonly disableAfterMs: number;
  readonly allowPrivate: boolean;
  readonly timeoutMs?: number;
}

export interface EventJobPayload {
  readonly delivery_id: string;
  readonly attempt: number;
  readonly redelivery?: boolean;
}

/** The delivery, its endpoint and its event: one prepared statement. */
interface DeliveryRow {
  id: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  endpoint: Pick<
    EndpointRow,
    | 'id'
    | 'organization_id'
    | 'environment'
    | 'url'
    | 'disabled'
    | 'secret'
    | 'previous_secret'
    | 'previous_secret_expires_at'
    | 'last_success_at'
    | 'consecutive_failures'
    | 'failing_since'
  >;
  event: EventRow;
}

const READ_SQL = `SELECT d.id, d.status, d.attempts,
    e.id AS endpoint_id, e.organization_id AS endpoint_organization_id, e.environment AS endpoint_environment, e.url, e.disabled,
    e.secret, e.previous_secret, e.previous_secret_expires_at, e.last_success_at, e.consecutive_failures, e.failing_since,
    v.id AS event_id, v.organization_id AS event_organization_id, v.environment AS event_environment, v.type, v.data, v.created_at
  FROM event_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN events v ON v.id = d.event_id
  WHERE d.id = ?::uuid`;

interface ReadRow {
  id: string;
  status: DeliveryRow['status'];
  attempts: number;
  endpoint_id: string;
  endpoint_organization_id: string;
  endpoint_environment: 'live' | 'test';
  url: string;
  disabled: boolean;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  last_success_at: Date | null;
  consecutive_failures: number;
  failing_since: Date | null;
  event_id: string;
  event_organization_id: string;
  event_environment: 'live' | 'test';
  type: string;
  data: Record<string, unknown>;
  created_at: Date;
}

async function readDelivery(db: Knex, id: string): Promise<DeliveryRow | null> {
  const [r] = await preparedQuery<ReadRow>(db, 'mojeeb_event_delivery', READ_SQL, [id]);
  if (r === undefined) return null;
  return {
    id: r.id,
    status: r.status,
    attempts: r.attempts,
    endpoint: {
      id: r.endpoint_id,
      organization_id: r.endpoint_organization_id,
      environment: r.endpoint_environment,
      url: r.url,
      disabled: r.disabled,
      secret: r.secret,
      previous_secret: r.previous_secret,
      previous_secret_expires_at: r.previous_secret_expires_at,
      last_success_at: r.last_success_at,
      consecutive_failures: r.consecutive_failures,
      failing_since: r.failing_since,
    },
    event: {
      id: r.event_id,
      organization_id: r.event_organization_id,
      environment: r.event_environment,
      type: r.type,
      data: r.data,
      created_at: r.created_at,
    },
  };
}

/**
 * A successful attempt in one statement (atomic without a transaction's round trips): the attempt
 * row, and the delivery marked succeeded if this attempt is still the one to record. The
 * endpoint's health is a statement of its own, made only when it changes (after failures) or
 * when the recorded `last_success_at` is more than a second old, so a busy endpoint's row is not
 * rewritten on every event (`last_success_at` is documented as at most a second behind).
 *
 * Lock order: nothing here holds a delivery's row while it waits for its endpoint's. Deleting an
 * endpoint locks the endpoint and then, by the cascade, its deliveries: a statement locking a
 * delivery and then the endpoint would deadlock with it (seen as a 500 from
 * deleteWebhookEndpoint while its endpoint was being drained). The failure path takes the
 * endpoint first for the same reason.
 */
const SUCCESS_SQL = `WITH attempt AS (
    INSERT INTO event_delivery_attempts (delivery_id, event_id, endpoint_id, attempted_at, http_status, latency_ms, error)
    VALUES (?::uuid, ?, ?::uuid, ?::timestamptz, ?::int, ?::int, NULL)
  ), claimed AS (
    UPDATE event_deliveries SET attempts = attempts + 1, status = 'succeeded', delivered_at = ?::timestamptz,
      next_attempt_at = NULL, updated_at = now()
    WHERE id = ?::uuid AND attempts = ?::int RETURNING id
  )
  SELECT count(*)::int AS n FROM claimed`;

const HEALTHY_SQL = `UPDATE webhook_endpoints SET last_success_at = ?::timestamptz, consecutive_failures = 0, failing_since = NULL
  WHERE id = ?::uuid`;

const HEALTH_WRITE_EVERY_MS = 1_000;

/**
 * Draining (the `deliver_events` job, one per endpoint: delivery/queue.sql): the endpoint's
 * deliveries waiting for their first attempt, oldest first, one after the other on the same
 * connection, in the job that holds the endpoint's queue — for at most DRAIN_MAX_EVENTS events or
 * DRAIN_MS, and only while they succeed. An event costs its delivery, not a job of its own: no
 * job to add, fetch and complete, no NOTIFY, per event. A failure is recorded as any other (its
 * retry is a `deliver_event` job at the time of the schedule) and ends the drain; the deliveries
 * left wait for the next drain (the event runner's sweep enqueues one). A drain cut short by a
 * crash leaves its job to be retried: the deliveries it recorded are not made again, the one in
 * flight is (same `webhook-id`).
 */
export const DRAIN_MAX_EVENTS = 200;
export const DRAIN_MS = 2_000;

const BACKLOG_SQL = `SELECT id FROM event_deliveries WHERE endpoint_id = ?::uuid AND status = 'pending' AND attempts = 0
  ORDER BY created_at, id LIMIT 20`;

export interface DrainResult {
  readonly delivered: number;
  /** The drain stopped at its bound with deliveries still waiting. */
  readonly more: boolean;
}

export async function drainEndpoint(deps: EventDeliveryDeps, endpointId: string, startedAt: number): Promise<DrainResult> {
  let delivered = 0;
  const spent = () => delivered >= DRAIN_MAX_EVENTS || Date.now() - startedAt >= DRAIN_MS;
  for (;;) {
    const backlog = await preparedQuery<{ id: string }>(deps.db, 'mojeeb_event_backlog', BACKLOG_SQL, [endpointId]);
    if (backlog.length === 0) return { delivered, more: false };
    for (const { id } of backlog) {
      if (spent()) return { delivered, more: true };
      const attempt = await deliverEvent(deps, { delivery_id: id, attempt: 0 });
      if (attempt.outcome === 'failed') return { delivered, more: false };
      if (attempt.outcome === 'succeeded') delivered++;
    }
  }
}

export interface AttemptResult {
  readonly outcome: 'succeeded' | 'failed' | 'skipped';
  /** The delivery's endpoint (null when the delivery is gone). */
  readonly endpointId: string | null;
}

/** One attempt of one delivery. */
export async function deliverEvent(
  deps: EventDeliveryDeps,
  payload: EventJobPayload,
  now: () => Date = () => new Date(),
): Promise<AttemptResult> {
  const delivery = await readDelivery(deps.db, payload.delivery_id);
  // Gone (its endpoint was deleted), already delivered, or an attempt already recorded: nothing to do.
  if (!delivery) return { outcome: 'skipped', endpointId: null };
  const { endpoint, event } = delivery;
  const skipped = { outcome: 'skipped', endpointId: endpoint.id } as const;
  if (delivery.attempts !== payload.attempt || delivery.status !== 'pending') return skipped;
  if (endpoint.disabled && payload.redelivery !== true) {
    await deps
      .db('event_deliveries')
      .where({ id: delivery.id, attempts: delivery.attempts })
      .update({ status: 'failed', next_attempt_at: null, updated_at: deps.db.fn.now() });
    return skipped;
  }

  const body = JSON.stringify(toEventResource(event));
  const attemptedAt = now();
  const secrets = [openSecret(deps.secrets, endpoint.secret)];
  if (
    endpoint.previous_secret !== null &&
    endpoint.previous_secret_expires_at !== null &&
    endpoint.previous_secret_expires_at.getTime() > attemptedAt.getTime()
  ) {
    secrets.push(openSecret(deps.secrets, endpoint.previous_secret));
  }
  const policy = addressPolicy(endpoint.environment === 'live', deps.allowPrivate);
  const syntax = urlSyntaxProblem(endpoint.url, endpoint.environment === 'live', deps.allowPrivate);
  const result = syntax
    ? { status: null, error: `refused: ${syntax.message}`, latencyMs: 0 }
    : await postEvent(endpoint.url, signedHeaders(secrets, event.id, Math.floor(attemptedAt.getTime() / 1000), body), body, {
        timeoutMs: deps.timeoutMs ?? ATTEMPT_TIMEOUT_MS,
        policy,
      });
  const succeeded = result.error === null;
  metrics.eventDeliveries.inc({ outcome: succeeded ? 'succeeded' : result.error?.startsWith('refused') ? 'forbidden_address' : 'failed' });
  if (succeeded) metrics.eventDeliveryLag.observe(Math.max(0, (Date.now() - event.created_at.getTime()) / 1000));

  const attempt = delivery.attempts + 1;
  const delay = succeeded ? null : retryDelayMs(deps.retryScheduleMs, attempt - 1);
  if (succeeded) {
    const [recorded] = await preparedQuery<{ n: number }>(deps.db, 'mojeeb_event_delivered', SUCCESS_SQL, [
      delivery.id,
      event.id,
      endpoint.id,
      attemptedAt,
      result.status,
      result.latencyMs,
      attemptedAt,
      delivery.id,
      delivery.attempts,
    ]);
    const stale =
      endpoint.consecutive_failures !== 0 ||
      endpoint.failing_since !== null ||
      endpoint.last_success_at === null ||
      attemptedAt.getTime() - endpoint.last_success_at.getTime() >= HEALTH_WRITE_EVERY_MS;
    if (recorded!.n > 0 && stale) await preparedQuery(deps.db, 'mojeeb_event_endpoint_healthy', HEALTHY_SQL, [attemptedAt, endpoint.id]);
    return { outcome: 'succeeded', endpointId: endpoint.id };
  }
  const disabled = await deps.db.transaction(async (trx) => {
    // The endpoint before the delivery (the lock order above).
    await trx.raw('SELECT 1 FROM webhook_endpoints WHERE id = ? FOR NO KEY UPDATE', [endpoint.id]);
    await trx('event_delivery_attempts').insert({
      delivery_id: delivery.id,
      event_id: event.id,
      endpoint_id: endpoint.id,
      attempted_at: attemptedAt,
      http_status: result.status,
      latency_ms: result.latencyMs,
      error: result.error,
    });
    const claimed = await trx('event_deliveries')
      .where({ id: delivery.id, attempts: delivery.attempts })
      .update({
        attempts: attempt,
        status: delay === null ? 'failed' : 'pending',
        delivered_at: null,
        next_attempt_at: delay === null ? null : new Date(attemptedAt.getTime() + delay),
        updated_at: trx.fn.now(),
      });
    // Another run recorded this attempt first (a redelivery raced a retry): it schedules what follows.
    if (claimed === 0) return false;
    const [health] = (await trx('webhook_endpoints')
      .where({ id: endpoint.id })
      .update({
        last_failure_at: attemptedAt,
        consecutive_failures: trx.raw('consecutive_failures + 1'),
        failing_since: trx.raw('coalesce(failing_since, ?)', [attemptedAt]),
      })
      .returning(['failing_since', 'disabled'])) as Array<{ failing_since: Date; disabled: boolean }>;
    const dead = !health!.disabled && attemptedAt.getTime() - health!.failing_since.getTime() >= deps.disableAfterMs;
    if (dead) {
      await trx('webhook_endpoints')
        .where({ id: endpoint.id })
        .update({ disabled: true, disabled_reason: 'failing', updated_at: trx.fn.now() });
    }
    if (delay !== null && !dead) {
      await trx.raw(`SELECT graphile_worker.add_job(?, ?::json, queue_name => ?, run_at => ?, max_attempts => 1000)`, [
        EVENT_DELIVERY_TASK,
        JSON.stringify({ delivery_id: delivery.id, attempt }),
        `webhook:${endpoint.id}`,
        new Date(attemptedAt.getTime() + delay),
      ]);
    }
    return dead;
  });
  if (disabled) {
    metrics.webhookEndpointsDisabled.inc();
    deps.logger.error('webhook endpoint disabled: every delivery failed for the documented period', {
      endpoint_id: endpoint.id,
      organization_id: endpoint.organization_id,
      failing_for_ms: deps.disableAfterMs,
    });
  }
  return { outcome: 'failed', endpointId: endpoint.id };
}
