/**
 * Webhook endpoints: where an organization wants its events, per environment (a test key
 * manages test-mode endpoints, which receive test-mode events; a live key the live ones). The
 * signing secret is shown once, when the endpoint is created or its secret rotated; after a
 * rotation the previous secret keeps signing for ROTATION_OVERLAP_MS, so receivers can switch
 * without dropping events.
 */
import type { Knex } from 'knex';
import type { components } from '../../generated/openapi-types.ts';
import { ApiError } from '../../core/errors.ts';
import type { SecretBox } from '../secrets.ts';
import { formatNullable, formatTimestamp } from '../time.ts';
import { page, parseCursor, parseLimit, type Page } from './list.ts';
import { newSigningSecret } from './signing.ts';
import { checkEndpointUrl } from './ssrf.ts';
import { sealSecret } from './stored-secret.ts';

export type WebhookEndpointResource = components['schemas']['WebhookEndpoint'];
type CreateRequest = components['schemas']['WebhookEndpointCreateRequest'];
type UpdateRequest = components['schemas']['WebhookEndpointUpdateRequest'];

/** How long a rotated-out secret keeps signing. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;
/** Endpoints per organization and environment. */
export const MAX_ENDPOINTS = 16;

export interface WebhookCaller {
  readonly organizationId: string;
  readonly environment: 'live' | 'test';
}

export interface EndpointRow {
  id: string;
  organization_id: string;
  environment: 'live' | 'test';
  url: string;
  description: string | null;
  enabled_events: string[];
  disabled: boolean;
  disabled_reason: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  last_success_at: Date | null;
  last_failure_at: Date | null;
  failing_since: Date | null;
  consecutive_failures: number;
  created_at: Date;
  updated_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toEndpointResource(row: EndpointRow): WebhookEndpointResource {
  return {
    id: row.id,
    object: 'webhook_endpoint',
    url: row.url,
    description: row.description,
    enabled_events: row.enabled_events as WebhookEndpointResource['enabled_events'],
    disabled: row.disabled,
    disabled_reason: row.disabled_reason as WebhookEndpointResource['disabled_reason'],
    livemode: row.environment === 'live',
    last_success_at: formatNullable(row.last_success_at),
    consecutive_failures: row.consecutive_failures,
    created_at: formatTimestamp(row.created_at),
    updated_at: formatTimestamp(row.updated_at),
  };
}

/** A caller-supplied endpoint id, or null when it cannot be one (then it is simply not found). */
function endpointId(raw: string): string | null {
  return UUID.test(raw) ? raw.toLowerCase() : null;
}

export class WebhookEndpoints {
  constructor(
    private readonly db: Knex,
    private readonly box: SecretBox | null,
    private readonly allowPrivate: boolean,
  ) {}

  private async checkUrl(url: string, caller: WebhookCaller): Promise<void> {
    const problem = await checkEndpointUrl(url, caller.environment === 'live', this.allowPrivate);
    if (problem !== null) throw new ApiError(problem.code, problem.message, { param: 'url' });
  }

  private notFound(id: string): ApiError {
    return new ApiError('webhook_endpoint_not_found', `No webhook endpoint with id '${id.slice(0, 64)}' was found.`);
  }

  async find(caller: WebhookCaller, rawId: string): Promise<EndpointRow | null> {
    const id = endpointId(rawId);
    if (id === null) return null;
    const row = await this.db('webhook_endpoints')
      .where({ id, organization_id: caller.organizationId, environment: caller.environment })
      .first();
    return (row as EndpointRow | undefined) ?? null;
  }

  async create(caller: WebhookCaller, body: CreateRequest): Promise<WebhookEndpointResource & { secret: string }> {
    await this.checkUrl(body.url, caller);
    const count = await this.db('webhook_endpoints')
      .where({ organization_id: caller.organizationId, environment: caller.environment })
      .count<{ n: string }[]>('* as n');
    if (Number(count[0]?.n ?? 0) >= MAX_ENDPOINTS) {
      throw new ApiError(
        'webhook_endpoint_limit_reached',
        `An organization may have at most ${MAX_ENDPOINTS} webhook endpoints per environment.`,
      );
    }
    const secret = newSigningSecret();
    const [row] = (await this.db('webhook_endpoints')
      .insert({
        organization_id: caller.organizationId,
        environment: caller.environment,
        url: body.url,
        description: body.description ?? null,
        enabled_events: uniqueEvents(body.enabled_events),
        secret: sealSecret(this.box, secret),
      })
      .returning('*')) as EndpointRow[];
    return { ...toEndpointResource(row!), secret };
  }

  async list(caller: WebhookCaller, query: Readonly<Record<string, string | undefined>>): Promise<Page<WebhookEndpointResource>> {
    const limit = parseLimit(query.limit);
    const cursor = parseCursor(query.cursor);
    const q = this.db('webhook_endpoints as t').where({ 't.organization_id': caller.organizationId, 't.environment': caller.environment });
    return page<EndpointRow, WebhookEndpointResource>(q, { limit, cursor }, toEndpointResource);
  }

  async get(caller: WebhookCaller, id: string): Promise<WebhookEndpointResource> {
    const row = await this.find(caller, id);
    if (row === null) throw this.notFound(id);
    return toEndpointResource(row);
  }

  async update(caller: WebhookCaller, id: string, body: UpdateRequest): Promise<WebhookEndpointResource> {
    const row = await this.find(caller, id);
    if (row === null) throw this.notFound(id);
    if (body.url !== undefined) await this.checkUrl(body.url, caller);
    const changes: Record<string, unknown> = { updated_at: this.db.fn.now() };
    if (body.url !== undefined) changes.url = body.url;
    if (body.description !== undefined) changes.description = body.description;
    if (body.enabled_events !== undefined) changes.enabled_events = uniqueEvents(body.enabled_events);
    if (body.disabled !== undefined) {
      changes.disabled = body.disabled;
      changes.disabled_reason = body.disabled ? 'manual' : null;
      // Enabled again: the failure streak starts afresh.
      if (!body.disabled) Object.assign(changes, { consecutive_failures: 0, failing_since: null });
    }
    const [updated] = (await this.db('webhook_endpoints').where({ id: row.id }).update(changes).returning('*')) as EndpointRow[];
    // Deleted since it was read (a concurrent DELETE): as if it had never existed.
    if (updated === undefined) throw this.notFound(id);
    return toEndpointResource(updated);
  }

  async delete(caller: WebhookCaller, id: string): Promise<{ id: string; object: 'webhook_endpoint'; deleted: true }> {
    const row = await this.find(caller, id);
    if (row === null) throw this.notFound(id);
    await this.db('webhook_endpoints').where({ id: row.id }).delete();
    return { id: row.id, object: 'webhook_endpoint', deleted: true };
  }

  /** A new secret; the current one keeps signing for ROTATION_OVERLAP_MS. */
  async rotateSecret(
    caller: WebhookCaller,
    id: string,
    now: Date = new Date(),
  ): Promise<WebhookEndpointResource & { secret: string; previous_secret_expires_at: string }> {
    const row = await this.find(caller, id);
    if (row === null) throw this.notFound(id);
    const secret = newSigningSecret();
    const expires = new Date(now.getTime() + ROTATION_OVERLAP_MS);
    const [updated] = (await this.db('webhook_endpoints')
      .where({ id: row.id })
      .update({
        secret: sealSecret(this.box, secret),
        previous_secret: row.secret,
        previous_secret_expires_at: expires,
        updated_at: this.db.fn.now(),
      })
      .returning('*')) as EndpointRow[];
    if (updated === undefined) throw this.notFound(id);
    return { ...toEndpointResource(updated), secret, previous_secret_expires_at: formatTimestamp(expires) };
  }
}

function uniqueEvents(events: readonly string[]): string[] {
  return events.includes('*') ? ['*'] : [...new Set(events)].sort();
}
