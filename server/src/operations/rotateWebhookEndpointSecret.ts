/** POST /v1/webhook_endpoints/{id}/rotate_secret — a new secret; the previous one signs for 24 h more. */
import type { OperationImplementation } from './context.ts';
import { callerOf } from './webhook-caller.ts';

export const rotateWebhookEndpointSecret: OperationImplementation<'rotateWebhookEndpointSecret'> = async (request, ctx) => {
  return { status: 200, body: await ctx.services.webhooks.endpoints.rotateSecret(callerOf(ctx), request.params.id) };
};
