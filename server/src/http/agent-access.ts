/**
 * For operations whose body names an `agent_id`: the key's agent allow-list (403
 * `agent_not_authorized`), then the agent's existence in the key's organization (422
 * `agent_not_found`). An agent of another organization is answered exactly like one that does
 * not exist. Runs after field validation, so `agent_id` is a well-formed UUID here.
 */
import type { AppMiddleware } from './context.ts';
import { ApiError } from './errors.ts';

export interface AgentDirectory {
  /** True when the agent exists in the organization. */
  agentExists(organizationId: string, agentId: string): Promise<boolean>;
}

export function agentAccess(agents: AgentDirectory): AppMiddleware {
  return async (ctx, next) => {
    const principal = ctx.state.principal;
    const body = ctx.state.body;
    const agentId = typeof body === 'object' && body !== null ? (body as { agent_id?: unknown }).agent_id : undefined;
    if (principal && typeof agentId === 'string') {
      if (principal.agentIds !== null && !principal.agentIds.includes(agentId)) {
        throw new ApiError(
          'agent_not_authorized',
          'This API key is restricted to specific agents and this agent is not one of them.',
          { param: 'agent_id' },
        );
      }
      if (!(await agents.agentExists(principal.organizationId, agentId))) {
        throw new ApiError('agent_not_found', `No agent with id '${agentId}' exists.`, { param: 'agent_id' });
      }
    }
    await next();
  };
}
