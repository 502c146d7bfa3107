/** POST /v1/whatsapp/sandbox/inbound — test mode: the customer writes, the 24-hour window opens. */
import type { OperationImplementation } from './context.ts';
import { principalOf } from './principal.ts';

export const simulateWhatsAppInboundMessage: OperationImplementation<'simulateWhatsAppInboundMessage'> = async (request, ctx) => {
  const recorded = await ctx.services.sandbox.simulate(principalOf(ctx), request.body);
  return { status: 200, body: recorded };
};
