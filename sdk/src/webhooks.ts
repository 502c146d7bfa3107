// Webhooks: verifying what Mojeeb posts to your endpoint, and managing endpoints and events.
//
// Every delivery is signed with the Standard Webhooks scheme (https://www.standardwebhooks.com):
// `webhook-id` (the event id, the same on every retry: deduplicate on it), `webhook-timestamp`
// (Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
// keyed with the base64 decoding of the secret after `whsec_`; two entries while a rotated-out
// secret still signs). `verify` checks all of it against the raw body and returns the event,
// typed: `switch (event.type)` narrows `event.data.object` to a Message or an InboundMessage.
// Web Crypto only (crypto.subtle: Node.js 20+, Deno, Bun, workers), like the rest of the SDK.
import type { Client } from 'openapi-fetch';
import { MojeebError } from './errors.js';
import type { components, paths } from './generated/openapi.js';

type Schemas = components['schemas'];
export type WebhookEvent = Schemas['MessageStatusEvent'] | Schemas['MessageReceivedEvent'];
export type WebhookEventType = WebhookEvent['type'];
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
export type WebhookVerificationReason =
  | 'missing_headers'
  | 'invalid_secret'
  | 'invalid_signature'
  | 'timestamp_out_of_tolerance'
  | 'invalid_payload';

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

const encoder = new TextEncoder();

function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

function keyOf(secret: string): Uint8Array<ArrayBuffer> {
  const key = fromBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  if (key === null || key.length === 0)
    throw new MojeebWebhookVerificationError('invalid_secret', 'the signing secret is not whsec_ followed by base64');
  return key;
}

/** Compares in time independent of where the bytes differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

async function hmacSha256(key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, data));
}

/**
 * Verifies a delivery and resolves with its event. `body` must be the raw request body, exactly
 * as received (not re-serialized JSON); `secret` the endpoint's `whsec_…` secret, or a list of
 * them while you switch to a rotated one. Rejects with MojeebWebhookVerificationError.
 */
export async function verify(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): Promise<WebhookEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures)
    throw new MojeebWebhookVerificationError('missing_headers', 'webhook-id, webhook-timestamp and webhook-signature are required');
  const seconds = Number(timestamp);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now - seconds) > tolerance) {
    throw new MojeebWebhookVerificationError('timestamp_out_of_tolerance', `webhook-timestamp is more than ${tolerance} s from now`);
  }
  const payload = typeof body === 'string' ? encoder.encode(body) : new Uint8Array(body);
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(prefix.length + payload.length);
  signed.set(prefix, 0);
  signed.set(payload, prefix.length);
  const given = signatures
    .split(' ')
    .map((entry) => entry.split(','))
    .filter((parts) => parts[0] === 'v1' && parts[1] !== undefined)
    .map((parts) => fromBase64(parts[1]!))
    .filter((bytes): bytes is Uint8Array<ArrayBuffer> => bytes !== null);
  const secrets = typeof secret === 'string' ? [secret] : secret;
  let matched = false;
  for (const s of secrets) {
    const expected = await hmacSha256(keyOf(s), signed);
    if (given.some((g) => sameBytes(g, expected))) matched = true;
  }
  if (!matched) throw new MojeebWebhookVerificationError('invalid_signature', 'no webhook-signature entry matches the secret');
  let event: unknown;
  try {
    event = JSON.parse(new TextDecoder().decode(payload));
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
  listEvents(query?: {
    limit?: number;
    cursor?: string;
    type?: WebhookEventType;
    created_gte?: string;
    created_lt?: string;
  }): Promise<ListPage<WebhookEvent>>;
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
    updateEndpoint: (id: string, body: WebhookEndpointUpdateRequest) =>
      unwrap<WebhookEndpoint>(raw.PATCH('/v1/webhook_endpoints/{id}', { params: { path: { id } }, body })),
    deleteEndpoint: (id: string) =>
      unwrap<{ id: string; object: 'webhook_endpoint'; deleted: true }>(
        raw.DELETE('/v1/webhook_endpoints/{id}', { params: { path: { id } } }),
      ),
    rotateSecret: (id: string) =>
      unwrap<WebhookEndpointWithSecret>(raw.POST('/v1/webhook_endpoints/{id}/rotate_secret', { params: { path: { id } } })),
    listEvents: (query = {}) => unwrap<ListPage<WebhookEvent>>(raw.GET('/v1/events', { params: { query } })),
    getEvent: (id: string) => unwrap<EventDetail>(raw.GET('/v1/events/{id}', { params: { path: { id } } })),
    redeliverEvent: (id: string, endpointId: string) =>
      unwrap<EventRedelivery>(raw.POST('/v1/events/{id}/redeliver', { params: { path: { id } }, body: { endpoint_id: endpointId } })),
  });
}
