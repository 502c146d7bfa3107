/** GET /v1/whatsapp/conversations/{id} — a conversation and its 24-hour window. */
import { ApiError } from '../core/errors.ts';
import type { OperationImplementation } from './context.ts';
import { principalOf } from './principal.ts';

export const getWhatsAppConversation: OperationImplementation<'getWhatsAppConversation'> = async (request, ctx) => {
  const conversation = await ctx.services.lists.conversation(principalOf(ctx), request.params.id);
  if (conversation === null) {
    // Another organization's, another environment's, or outside the key's agents: answered
    // exactly like an id that does not exist.
    throw new ApiError('conversation_not_found', `No conversation with id '${request.params.id.slice(0, 64)}' was found.`);
  }
  return { status: 200, body: conversation };
};
