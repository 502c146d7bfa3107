/**
 * Events: what happened to an organization's messages (`message.sent`, `message.delivered`,
 * `message.read`, `message.failed`) and what its customers wrote (`message.received`). Each is
 * recorded in the transaction of what causes it — status changes by the trigger of migration
 * 20261201120000, inbound messages by recordInboundEvent — with a snapshot of its object, and
 * fanned out there to the matching enabled endpoints of its organization and environment.
 * Ordering is not guaranteed: every event carries its time, and message statuses only move
 * forward.
 */
import { inboundResource, type InboundMessageResource } from '../inbound-resource.ts';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { components } from '../../generated/openapi-types.ts';
import { ApiError } from '../../core/errors.ts';
import { toMessageResource } from '../messages.ts';
import { formatNullable, formatTimestamp } from '../time.ts';
import type { WebhookCaller } from './endpoints.ts';
import { page, parseCursor, parseLimit, type Page } from './list.ts';

export type EventResource = components['schemas']['Event'];
type EventDetail = components['schemas']['EventDetail'];
type DeliveryAttempt = components['schemas']['EventDeliveryAttempt'];

export const EVENT_TYPES = ['message.sent', 'message.delivered', 'message.read', 'message.failed', 'message.received'] as const;
/** The graphile-worker task that delivers one event to one endpoint. */
export const EVENT_DELIVERY_TASK = 'deliver_event';
/** The job that delivers an endpoint's deliveries waiting for their first attempt (one per endpoint; delivery/queue.sql). */
export const EVENT_DRAIN_TASK = 'deliver_events';

export interface EventRow {
  id: string;
  organization_id: string;
  environment: 'live' | 'test';
  type: string;
  data: Record<string, unknown>;
  created_at: Date;
}

const date = (value: unknown): Date | null => (typeof value === 'string' ? new Date(value) : null);

/** The event as delivered and listed: the same bytes every time (its object is a snapshot). */
export function toEventResource(row: EventRow): EventResource {
  const object =
    row.type === 'message.received'
      ? (row.data as unknown as InboundMessageResource)
      : toMessageResource({
          ...row.data,
          created_at: date(row.data.created_at)!,
          sent_at: date(row.data.sent_at),
          delivered_at: date(row.data.delivered_at),
          read_at: date(row.data.read_at),
          failed_at: date(row.data.failed_at),
        } as unknown as Parameters<typeof toMessageResource>[0]);
  return {
    id: row.id,
    object: 'event',
    type: row.type as EventResource['type'],
    created_at: formatTimestamp(row.created_at),
    livemode: row.environment === 'live',
    data: { object },
  } as EventResource;
}

export function newEventId(): string {
  return `evt_${randomUUID().replace(/-/g, '')}`;
}

export interface InboundEventInput {
  readonly organizationId: string;
  readonly environment: 'live' | 'test';
  readonly inboundMessageId: string;
  readonly conversationId: string;
  readonly agentId: string;
  readonly customerNumber: string;
  readonly businessNumber: string;
  readonly type: string;
  readonly content: unknown;
  readonly receivedAt: Date;
  readonly platformMessageId: string | null;
  /** When the inbound message was recorded (its row's created_at). */
  readonly createdAt: Date;
}

export function toInboundMessageResource(input: InboundEventInput): InboundMessageResource {
  return inboundResource({
    id: input.inboundMessageId,
    agent_id: input.agentId,
    from: input.customerNumber,
    to: input.businessNumber,
    type: input.type,
    conversation_id: input.conversationId,
    platform_message_id: input.platformMessageId,
    content: input.content,
    received_at: input.receivedAt,
    created_at: input.createdAt,
  });
}

/** Records `message.received` and its deliveries; call inside the transaction that stores the inbound message. */
export async function recordInboundEvent(trx: Knex.Transaction, input: InboundEventInput): Promise<string> {
  const id = newEventId();
  await trx('events').insert({
    id,
    organization_id: input.organizationId,
    environment: input.environment,
    type: 'message.received',
    inbound_message_id: input.inboundMessageId,
    data: JSON.stringify(toInboundMessageResource(input)),
  });
  await trx.raw('SELECT mojeeb_fan_out_event(?, ?, ?, ?)', [id, input.organizationId, input.environment, 'message.received']);
  return id;
}

function timeFilter(raw: string | undefined, param: string): Date | null {
  if (raw === undefined) return null;
  const at = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(at.getTime())) {
    throw new ApiError('invalid_field_value', `The query parameter '${param}' must be an RFC 3339 timestamp.`, { param });
  }
  return at;
}

export class Events {
  constructor(private readonly db: Knex) {}

  async list(caller: WebhookCaller, query: Readonly<Record<string, string | undefined>>): Promise<Page<EventResource>> {
    const limit = parseLimit(query.limit);
    const cursor = parseCursor(query.cursor);
    const q = this.db('events as t').where({ 't.organization_id': caller.organizationId, 't.environment': caller.environment });
    if (query.type !== undefined) {
      // `type` is an open enumeration: a type this version does not know matches no event (an
      // empty page), it is not refused.
      if ((EVENT_TYPES as readonly string[]).includes(query.type)) q.where('t.type', query.type);
      else q.whereRaw('false');
    }
    const gte = timeFilter(query.created_gte, 'created_gte');
    const lt = timeFilter(query.created_lt, 'created_lt');
    if (gte !== null) q.where('t.created_at', '>=', gte);
    if (lt !== null) q.where('t.created_at', '<', lt);
    return page<EventRow, EventResource>(q, { limit, cursor }, toEventResource);
  }

  async find(caller: WebhookCaller, id: string): Promise<EventRow | null> {
    if (!/^evt_[0-9a-f]{32}$/.test(id)) return null;
    const row = await this.db('events').where({ id, organization_id: caller.organizationId, environment: caller.environment }).first();
    return (row as EventRow | undefined) ?? null;
  }

  private notFound(id: string): ApiError {
    return new ApiError('event_not_found', `No event with id '${id.slice(0, 64)}' was found.`);
  }

  async get(caller: WebhookCaller, id: string): Promise<EventDetail> {
    const row = await this.find(caller, id);
    if (row === null) throw this.notFound(id);
    const attempts = (await this.db('event_delivery_attempts').where({ event_id: row.id }).orderBy('id').limit(200)) as Array<{
      endpoint_id: string;
      attempted_at: Date;
      http_status: number | null;
      latency_ms: number;
      error: string | null;
    }>;
    const rendered: DeliveryAttempt[] = attempts.map((a) => ({
      endpoint_id: a.endpoint_id,
      attempted_at: formatNullable(a.attempted_at)!,
      http_status: a.http_status,
      latency_ms: a.latency_ms,
      error: a.error,
    }));
    return { ...toEventResource(row), delivery_attempts: rendered };
  }

  /** Queues the event for (another) delivery to one of the caller's endpoints, whatever happened to earlier ones. */
  async redeliver(caller: WebhookCaller, id: string, endpointId: string): Promise<components['schemas']['EventRedelivery']> {
    const row = await this.find(caller, id);
    if (row === null) throw this.notFound(id);
    const unknown = () =>
      new ApiError('webhook_endpoint_unknown', `No webhook endpoint with id '${endpointId.slice(0, 64)}' was found.`, {
        param: 'endpoint_id',
      });
    if (!/^[0-9a-f-]{36}$/i.test(endpointId)) throw unknown();
    const endpoint = await this.db.transaction(async (trx) => {
      // Locked FOR KEY SHARE: an endpoint deleted at the same moment is waited for, then unknown.
      const found = await trx('webhook_endpoints')
        .where({ id: endpointId.toLowerCase(), organization_id: caller.organizationId, environment: caller.environment })
        .forKeyShare()
        .first('id');
      if (!found) return undefined;
      const [delivery] = (
        await trx.raw<{ rows: Array<{ id: string; attempts: number }> }>(
          `INSERT INTO event_deliveries (event_id, endpoint_id, next_attempt_at) VALUES (?, ?, now())
         ON CONFLICT (event_id, endpoint_id) DO UPDATE SET status = 'pending', next_attempt_at = now(), updated_at = now()
         RETURNING id, attempts`,
          [row.id, found.id],
        )
      ).rows;
      await trx.raw(
        `SELECT graphile_worker.add_job(?, json_build_object('delivery_id', ?::uuid, 'attempt', ?::int, 'redelivery', true), queue_name => ?, max_attempts => 1000)`,
        [EVENT_DELIVERY_TASK, delivery!.id, delivery!.attempts, `webhook:${found.id}`],
      );
      return found;
    });
    if (!endpoint) throw unknown();
    return { object: 'event_redelivery', event_id: row.id, endpoint_id: endpoint.id as string, status: 'queued' };
  }
}
