/** GET /v1/webhook_endpoints/{id} — one endpoint, without its secret. */
import type { OperationImplementation } from './context.ts';
import { callerOf } from './webhook-caller.ts';

export const getWebhookEndpoint: OperationImplementation<'getWebhookEndpoint'> = async (request, ctx) => {
  return { status: 200, body: await ctx.services.webhooks.endpoints.get(callerOf(ctx), request.params.id) };
};
