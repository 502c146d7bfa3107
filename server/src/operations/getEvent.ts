/** GET /v1/events/{id} — an event with its delivery attempts. */
import type { OperationImplementation } from './context.ts';
import { callerOf } from './webhook-caller.ts';

export const getEvent: OperationImplementation<'getEvent'> = async (request, ctx) => {
  return { status: 200, body: await ctx.services.webhooks.events.get(callerOf(ctx), request.params.id) };
};
