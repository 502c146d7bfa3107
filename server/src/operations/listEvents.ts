/** GET /v1/events — the event log, a page at a time, filtered by type and creation time. */
import type { OperationImplementation } from './context.ts';
import { callerOf, queryOf } from './webhook-caller.ts';

export const listEvents: OperationImplementation<'listEvents'> = async (request, ctx) => {
  return { status: 200, body: await ctx.services.webhooks.events.list(callerOf(ctx), queryOf(request)) };
};
