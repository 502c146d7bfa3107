/** GET /v1/whatsapp/messages — messages of both directions, newest first, one page at a time. */
import type { OperationImplementation } from './context.ts';
import { principalOf } from './principal.ts';

export const listWhatsAppMessages: OperationImplementation<'listWhatsAppMessages'> = async (request, ctx) => {
  const page = await ctx.services.lists.messages(principalOf(ctx), request.query);
  return { status: 200, body: page };
};
