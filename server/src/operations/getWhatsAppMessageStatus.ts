/**
 * GET /v1/whatsapp/messages/{id} — a message and its delivery status.
 *
 * The message is looked up in the same query as the key's authentication (one round trip):
 * `attachedLookup` below declares that lookup, and `handle` gets what it found, or null.
 */
import { ApiError } from '../core/errors.ts';
import type { MessageResource } from '../domain/messages.ts';
import { messageStatusLookup } from '../domain/message-status.ts';
import type { OperationWithLookup } from './context.ts';

export const getWhatsAppMessageStatus: OperationWithLookup<'getWhatsAppMessageStatus', MessageResource> = {
  // The message if this key may see it; nothing is looked up for an id that cannot exist.
  attachedLookup: (params) => messageStatusLookup(params.id),

  async handle(request, _ctx, message) {
    if (message === null) {
      // Another organization's message, another environment's, or an agent outside the key's
      // allow-list: answered exactly like an id that does not exist.
      throw new ApiError('message_not_found', `No message with id '${request.params.id.slice(0, 64)}' was found.`);
    }
    return { status: 200, body: message };
  },
};
