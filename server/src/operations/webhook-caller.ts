/** What the webhook and event operations share: the caller's organization and environment, and the query string. */
import type { WebhookCaller } from '../domain/webhooks/endpoints.ts';
import type { OperationContext } from './context.ts';
import { principalOf } from './principal.ts';

export function callerOf(ctx: OperationContext): WebhookCaller {
  const principal = principalOf(ctx);
  return { organizationId: principal.organizationId, environment: principal.environment };
}

/** The query parameters of a request (the first value of a repeated one). */
export function queryOf(request: unknown): Record<string, string | undefined> {
  const raw = (request as { query?: Record<string, string | string[] | undefined> }).query ?? {};
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(raw)) query[name] = Array.isArray(value) ? value[0] : value;
  return query;
}
