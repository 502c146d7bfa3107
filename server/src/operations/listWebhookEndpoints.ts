/** GET /v1/webhook_endpoints — the caller's endpoints, a page at a time. */
import type { OperationImplementation } from './context.ts';
import { callerOf, queryOf } from './webhook-caller.ts';

export const listWebhookEndpoints: OperationImplementation<'listWebhookEndpoints'> = async (request, ctx) => {
  return { status: 200, body: await ctx.services.webhooks.endpoints.list(callerOf(ctx), queryOf(request)) };
};
