/** POST /v1/whatsapp/templates — an approved template, at any time. */
import type { OperationImplementation } from './context.ts';
import { acceptedResponse, principalOf } from './principal.ts';

export const sendWhatsAppTemplate: OperationImplementation<'sendWhatsAppTemplate'> = async (request, ctx) => {
  const result = await ctx.services.messaging.send(
    principalOf(ctx),
    { operationId: 'sendWhatsAppTemplate', type: 'template', body: request.body },
    { idempotencyKey: request.headers['Idempotency-Key'], correlationId: request.correlationId },
  );
  return acceptedResponse(result);
};
