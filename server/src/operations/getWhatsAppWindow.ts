/** GET /v1/whatsapp/window — the 24-hour window between an agent number and a customer. */
import type { OperationImplementation } from './context.ts';
import { principalOf } from './principal.ts';

export const getWhatsAppWindow: OperationImplementation<'getWhatsAppWindow'> = async (request, ctx) => {
  const window = await ctx.services.lists.window(principalOf(ctx), request.query.from, request.query.to);
  return { status: 200, body: window };
};
