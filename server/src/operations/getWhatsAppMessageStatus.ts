/** GET /v1/whatsapp/messages/{id} — a message and its delivery status. */
import type { MessageResource } from '../domain/messages.ts';
import { ApiError } from '../http/errors.ts';
import type { OperationImplementation } from './context.ts';

export const getWhatsAppMessageStatus: OperationImplementation<'getWhatsAppMessageStatus'> = async (request, ctx) => {
  // Looked up by the key's authentication query (app.ts attaches Messaging.attachedGet); nothing
  // is attached for an id that cannot exist.
  const message = (ctx.prefetched?.value ?? null) as MessageResource | null;
  if (message === null) {
    // Another organization's message, another environment's, or an agent outside the key's
    // allow-list: answered exactly like an id that does not exist.
    throw new ApiError('message_not_found', `No message with id '${request.params.id.slice(0, 64)}' was found.`);
  }
  return { status: 200, body: message };
};
