/**
 * The `deliver_event` task: one attempt to deliver one event to one endpoint, signed with the
 * Standard Webhooks scheme (the same `webhook-id`, the event id, on every attempt). The job runs
 * in its endpoint's named queue, so an endpoint has one delivery in flight at most, and only in
 * the event runner (worker.ts), whose concurrency is its own: a slow or failing endpoint delays
 * neither other endpoints nor the delivery of messages to WhatsApp.
 *
 * Retries are new jobs at the next time of the schedule (schedule.ts), added in the transaction
 * that records the attempt; the job's payload names the attempt it is for, so a job that runs
 * again after a crash (it was not yet marked complete) sees that its attempt was recorded and
 * does nothing. An attempt cut short by a crash is made again: at least once, never lost.
 */
import type { Knex } from 'knex';
import type { SecretBox } from '../../domain/secrets.ts';
import { EVENT_DELIVERY_TASK, toEventResource, type EventRow } from '../../domain/webhooks/events.ts';
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

interface DeliveryRow {
  id: string;
  event_id: string;
  endpoint_id: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
}

export type AttemptOutcome = 'succeeded' | 'failed' | 'skipped';

export async function deliverEvent(
  deps: EventDeliveryDeps,
  payload: EventJobPayload,
  now: () => Date = () => new Date(),
): Promise<AttemptOutcome> {
  const delivery = (await deps.db('event_deliveries').where({ id: payload.delivery_id }).first()) as DeliveryRow | undefined;
  // Gone (its endpoint was deleted), already delivered, or an attempt already recorded: nothing to do.
  if (!delivery || delivery.attempts !== payload.attempt) return 'skipped';
  if (delivery.status !== 'pending') return 'skipped';
  const endpoint = (await deps.db('webhook_endpoints').where({ id: delivery.endpoint_id }).first()) as EndpointRow | undefined;
  const event = (await deps.db('events').where({ id: delivery.event_id }).first()) as EventRow | undefined;
  if (!endpoint || !event) return 'skipped';
  if (endpoint.disabled && payload.redelivery !== true) {
    await deps
      .db('event_deliveries')
      .where({ id: delivery.id, attempts: delivery.attempts })
      .update({ status: 'failed', next_attempt_at: null, updated_at: deps.db.fn.now() });
    return 'skipped';
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
  const disabled = await deps.db.transaction(async (trx) => {
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
        status: succeeded ? 'succeeded' : delay === null ? 'failed' : 'pending',
        delivered_at: succeeded ? attemptedAt : null,
        next_attempt_at: delay === null ? null : new Date(attemptedAt.getTime() + delay),
        updated_at: trx.fn.now(),
      });
    // Another run recorded this attempt first (a redelivery raced a retry): it schedules what follows.
    if (claimed === 0) return false;
    if (succeeded) {
      await trx('webhook_endpoints')
        .where({ id: endpoint.id })
        .update({ last_success_at: attemptedAt, consecutive_failures: 0, failing_since: null });
      return false;
    }
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
  return succeeded ? 'succeeded' : 'failed';
}
