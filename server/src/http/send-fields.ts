/**
 * What field validation decides beyond each field's own schema, for bodies with `agent_id`,
 * `from` and `to` (the sends). Runs right after schema validation, before the agent
 * restriction, so every field is well-formed here:
 *
 * - `agent_id` is accepted in any case (`UuidAnyCase`) and normalised to lower case, the form
 *   the API stores and answers; the agent restriction, the send and the idempotency hash all see
 *   the normalised value (so a retry differing only in the id's case is the same request);
 * - `to` equal to `from` is refused with 422 `recipient_is_sender` (param `to`): a number cannot
 *   message itself, and WhatsApp would refuse it later, after the quota was spent.
 */
import type { AppMiddleware } from './context.ts';
import { ApiError } from '../core/errors.ts';

export function sendFields(): AppMiddleware {
  return async (ctx, next) => {
    const body = ctx.state.body;
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      const fields = body as { agent_id?: unknown; from?: unknown; to?: unknown };
      if (typeof fields.agent_id === 'string') fields.agent_id = fields.agent_id.toLowerCase();
      if (typeof fields.to === 'string' && fields.to === fields.from) {
        throw new ApiError('recipient_is_sender', "The 'to' number is the sending number itself ('from'); send to the customer's number.", {
          param: 'to',
        });
      }
    }
    await next();
  };
}
