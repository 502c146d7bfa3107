/** DELETE /v1/webhook_endpoints/{id} — no further event goes to it. */
import type { OperationImplementation } from './context.ts';
import { callerOf } from './webhook-caller.ts';

export const deleteWebhookEndpoint: OperationImplementation<'deleteWebhookEndpoint'> = async (request, ctx) => {
  return { status: 200, body: await ctx.services.webhooks.endpoints.delete(callerOf(ctx), request.params.id) };
};
