/**
 * GET /v1/whatsapp/messages/{id} — a message and its delivery status: one SELECT
 * (domain/message-status.ts), restricted to what the caller's key may see.
 */
import { ApiError } from '../core/errors.ts';
import type { OperationImplementation } from './context.ts';
import { principalOf } from './principal.ts';

export const getWhatsAppMessageStatus: OperationImplementation<'getWhatsAppMessageStatus'> = async (request, ctx) => {
  const message = await ctx.services.statuses.find(principalOf(ctx), request.params.id);
  if (message === null) {
    // Another organization's message, another environment's, or an agent outside the key's
    // allow-list: answered exactly like an id that does not exist.
    throw new ApiError('message_not_found', `No message with id '${request.params.id.slice(0, 64)}' was found.`);
  }
  return { status: 200, body: message };
};
