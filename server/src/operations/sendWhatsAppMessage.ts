/** POST /v1/whatsapp/messages — free-form text, inside the customer-service window. */
import type { OperationImplementation } from './context.ts';
import { acceptedResponse, principalOf } from './principal.ts';

export const sendWhatsAppMessage: OperationImplementation<'sendWhatsAppMessage'> = async (request, ctx) => {
  const result = await ctx.services.messaging.send(
    principalOf(ctx),
    { operationId: 'sendWhatsAppMessage', type: 'text', body: request.body },
    { idempotencyKey: request.headers['Idempotency-Key'], correlationId: request.correlationId },
  );
  return acceptedResponse(result);
};
