/** POST /v1/events/{id}/redeliver — one more delivery of an event to an endpoint. */
import type { OperationImplementation } from './context.ts';
import { callerOf } from './webhook-caller.ts';

export const redeliverEvent: OperationImplementation<'redeliverEvent'> = async (request, ctx) => {
  return { status: 202, body: await ctx.services.webhooks.events.redeliver(callerOf(ctx), request.params.id, request.body.endpoint_id) };
};
