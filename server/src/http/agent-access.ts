/**
 * For operations whose body names an `agent_id`: the key's agent allow-list (403
 * `agent_not_authorized`, domain/agent-allow-list.ts). The agent's existence in the key's
 * organization (422 `agent_not_found`, answered exactly like an agent of another organization) is
 * the first check of the send's own statement (domain/messages.ts), so it costs no round trip of
 * its own. Runs after field validation, so `agent_id` is a well-formed lower-case UUID here.
 */
import type { AppMiddleware } from './context.ts';
import { requireAllowedAgent } from '../domain/agent-allow-list.ts';

export function agentAccess(): AppMiddleware {
  return async (ctx, next) => {
    const principal = ctx.state.principal;
    const body = ctx.state.body;
    const agentId = typeof body === 'object' && body !== null ? (body as { agent_id?: unknown }).agent_id : undefined;
    if (principal && typeof agentId === 'string') requireAllowedAgent(principal.agentIds, agentId);
    await next();
  };
}
