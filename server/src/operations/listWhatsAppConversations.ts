/** GET /v1/whatsapp/conversations — conversations with their windows, newest first. */
import type { OperationImplementation } from './context.ts';
import { principalOf } from './principal.ts';

export const listWhatsAppConversations: OperationImplementation<'listWhatsAppConversations'> = async (request, ctx) => {
  const page = await ctx.services.lists.conversations(principalOf(ctx), request.query);
  return { status: 200, body: page };
};
