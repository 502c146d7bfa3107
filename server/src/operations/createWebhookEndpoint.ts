/** POST /v1/webhook_endpoints — registers an endpoint; its secret is answered this once. */
import type { OperationImplementation } from './context.ts';
import { callerOf } from './webhook-caller.ts';

export const createWebhookEndpoint: OperationImplementation<'createWebhookEndpoint'> = async (request, ctx) => {
  const endpoint = await ctx.services.webhooks.endpoints.create(callerOf(ctx), request.body);
  return { status: 201, body: endpoint };
};
