import type { SendResult } from '../domain/messages.ts';
import { ApiError } from '../core/errors.ts';
import type { Principal } from '../core/principal.ts';
import type { OperationContext } from './context.ts';

/** The caller of an authenticated operation (the chain guarantees one; this guards the wiring). */
export function principalOf(ctx: OperationContext): Principal {
  if (ctx.principal === null)
    throw new ApiError('internal_error', 'Something went wrong on our side.', {}, { cause: new Error('no principal') });
  return ctx.principal;
}

/** The 202 of a send, marked as a replay when it is one. */
export function acceptedResponse(result: SendResult): { status: 202; body: SendResult['message']; headers: Record<string, string> } {
  const headers: Record<string, string> = result.replayed ? { 'Idempotent-Replayed': 'true' } : {};
  return { status: 202, body: result.message, headers };
}
