/** PATCH /v1/webhook_endpoints/{id} — changes the fields given. */
import type { OperationImplementation } from './context.ts';
import { callerOf } from './webhook-caller.ts';

export const updateWebhookEndpoint: OperationImplementation<'updateWebhookEndpoint'> = async (request, ctx) => {
  return { status: 200, body: await ctx.services.webhooks.endpoints.update(callerOf(ctx), request.params.id, request.body) };
};
