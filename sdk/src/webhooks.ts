// Webhooks: verifying what Mojeeb posts to your endpoint, and managing endpoints and events.
//
// Every delivery is signed with the Standard Webhooks scheme (https://www.standardwebhooks.com):
// `webhook-id` (the event id, the same on every retry: deduplicate on it), `webhook-timestamp`
// (Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
// keyed with the base64 decoding of the secret after `whsec_`; two entries while a rotated-out
// secret still signs). `verify` checks all of it against the raw body and returns the event,
// typed: `switch (event.type)` narrows `event.data.object` to a Message or an InboundMessage.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Client } from 'openapi-fetch';
import { MojeebError } from './errors.js';
import type { components, paths } from './generated/openapi.js';

type Schemas = components['schemas'];
export type WebhookEvent = Schemas['MessageStatusEvent'] | Schemas['MessageReceivedEvent'];
export type WebhookEventType = WebhookEvent['type'];
export type InboundMessage = Schemas['InboundMessage'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookEndpointWithSecret = Schemas['WebhookEndpointWithSecret'];
export type WebhookEndpointCreateRequest = Schemas['WebhookEndpointCreateRequest'];
export type WebhookEndpointUpdateRequest = Schemas['WebhookEndpointUpdateRequest'];
export type EventDetail = Schemas['EventDetail'];
export type EventRedelivery = Schemas['EventRedelivery'];
export interface ListPage<T> {
  readonly object: 'list';
  readonly data: T[];
  readonly has_more: boolean;
  readonly next_cursor: string | null;
}

/** Why `verify` refused a request. */
export type WebhookVerificationReason = 'missing_headers' | 'invalid_secret' | 'invalid_signature' | 'timestamp_out_of_tolerance' | 'invalid_payload';

/** Thrown by `verify`: answer the request with 400 and do not process it. */
export class MojeebWebhookVerificationError extends MojeebError {
  constructor(
    readonly reason: WebhookVerificationReason,
    message: string,
  ) {
    super(message);
    this.name = 'MojeebWebhookVerificationError';
  }

  override toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, reason: this.reason };
  }
}

export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyOptions {
  /** How far `webhook-timestamp` may be from now, in seconds (default 300). */
  readonly toleranceSeconds?: number;
  /** The current time, for tests. */
  readonly now?: Date;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : (value as string | undefined);
  }
  return undefined;
}

function keyOf(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new MojeebWebhookVerificationError('invalid_secret', 'the signing secret is not whsec_ followed by base64');
  return key;
}

/**
 * Verifies a delivery and returns its event. `body` must be the raw request body, exactly as
 * received (not re-serialized JSON); `secret` the endpoint's `whsec_…` secret, or a list of
 * them while you switch to a rotated one.
 */
export function verify(body: string | Uint8Array, headers: WebhookHeaders, secret: string | readonly string[], options: VerifyOptions = {}): WebhookEvent {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new MojeebWebhookVerificationError('missing_headers', 'webhook-id, webhook-timestamp and webhook-signature are required');
  const seconds = Number(timestamp);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now - seconds) > tolerance) {
    throw new MojeebWebhookVerificationError('timestamp_out_of_tolerance', `webhook-timestamp is more than ${tolerance} s from now`);
  }
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const given = signatures
    .split(' ')
    .map((entry) => entry.split(','))
    .filter((parts) => parts[0] === 'v1' && parts[1] !== undefined)
    .map((parts) => Buffer.from(parts[1]!, 'base64'));
  const secrets = typeof secret === 'string' ? [secret] : secret;
  const matched = secrets.some((s) => {
    const expected = createHmac('sha256', keyOf(s)).update(`${id}.${timestamp}.`).update(payload).digest();
    return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
  });
  if (!matched) throw new MojeebWebhookVerificationError('invalid_signature', 'no webhook-signature entry matches the secret');
  let event: unknown;
  try {
    event = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new MojeebWebhookVerificationError('invalid_payload', 'the body is not JSON');
  }
  if (typeof event !== 'object' || event === null || (event as { id?: unknown }).id !== id) {
    throw new MojeebWebhookVerificationError('invalid_payload', 'the body is not the event webhook-id names');
  }
  return event as WebhookEvent;
}

/** Endpoint management and the event log (scope `webhooks:manage`); errors throw as MojeebApiError subclasses. */
export interface MojeebWebhooks {
  verify: typeof verify;
  createEndpoint(body: WebhookEndpointCreateRequest): Promise<WebhookEndpointWithSecret>;
  listEndpoints(query?: { limit?: number; cursor?: string }): Promise<ListPage<WebhookEndpoint>>;
  getEndpoint(id: string): Promise<WebhookEndpoint>;
  updateEndpoint(id: string, body: WebhookEndpointUpdateRequest): Promise<WebhookEndpoint>;
  deleteEndpoint(id: string): Promise<{ id: string; object: 'webhook_endpoint'; deleted: true }>;
  rotateSecret(id: string): Promise<WebhookEndpointWithSecret>;
  listEvents(query?: { limit?: number; cursor?: string; type?: WebhookEventType; created_gte?: string; created_lt?: string }): Promise<ListPage<WebhookEvent>>;
  getEvent(id: string): Promise<EventDetail>;
  redeliverEvent(id: string, endpointId: string): Promise<EventRedelivery>;
}

type ToError = (result: { error?: unknown; response: Response }) => Error | null;

/** The `webhooks` of a client (client.ts passes its raw client and its error factory). */
export function createWebhooksApi(raw: Client<paths>, toError: ToError): MojeebWebhooks {
  const unwrap = async <T>(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> => {
    const result = await call;
    const error = toError(result);
    if (error) throw error;
    return result.data as T;
  };
  return Object.freeze({
    verify,
    createEndpoint: (body: WebhookEndpointCreateRequest) => unwrap<WebhookEndpointWithSecret>(raw.POST('/v1/webhook_endpoints', { body })),
    listEndpoints: (query = {}) => unwrap<ListPage<WebhookEndpoint>>(raw.GET('/v1/webhook_endpoints', { params: { query } })),
    getEndpoint: (id: string) => unwrap<WebhookEndpoint>(raw.GET('/v1/webhook_endpoints/{id}', { params: { path: { id } } })),
    updateEndpoint: (id: string, body: WebhookEndpointUpdateRequest) => unwrap<WebhookEndpoint>(raw.PATCH('/v1/webhook_endpoints/{id}', { params: { path: { id } }, body })),
    deleteEndpoint: (id: string) => unwrap<{ id: string; object: 'webhook_endpoint'; deleted: true }>(raw.DELETE('/v1/webhook_endpoints/{id}', { params: { path: { id } } })),
    rotateSecret: (id: string) => unwrap<WebhookEndpointWithSecret>(raw.POST('/v1/webhook_endpoints/{id}/rotate_secret', { params: { path: { id } } })),
    listEvents: (query = {}) => unwrap<ListPage<WebhookEvent>>(raw.GET('/v1/events', { params: { query } })),
    getEvent: (id: string) => unwrap<EventDetail>(raw.GET('/v1/events/{id}', { params: { path: { id } } })),
    redeliverEvent: (id: string, endpointId: string) => unwrap<EventRedelivery>(raw.POST('/v1/events/{id}/redeliver', { params: { path: { id } }, body: { endpoint_id: endpointId } })),
  });
}
