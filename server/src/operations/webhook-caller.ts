/** What the webhook and event operations share: the caller's organization and environment, and the query string. */
import type { WebhookCaller } from '../domain/webhooks/endpoints.ts';
import type { OperationContext } from './context.ts';
import { principalOf } from './principal.ts';

export function callerOf(ctx: OperationContext): WebhookCaller {
  const principal = principalOf(ctx);
  return { organizationId: principal.organizationId, environment: principal.environment };
}

/** The documented query parameters of a request, validated by the router (integers as numbers), as text. */
export function queryOf(request: unknown): Record<string, string | undefined> {
  const raw = (request as { query?: Record<string, string | number | undefined> }).query ?? {};
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(raw)) query[name] = value === undefined ? undefined : String(value);
  return query;
}
