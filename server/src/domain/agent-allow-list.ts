/**
 * The agent allow-list of an API key (`api_keys.agent_ids`), the rule's one home. A key without a
 * list (NULL) acts for, and sees, every agent of its organization, including agents added later;
 * a key with a list acts for and sees only the agents listed.
 *
 * - A request naming an agent outside the list is refused with 403 `agent_not_authorized`
 *   (param `agent_id`), before any query: a send's or a simulated message's `agent_id`
 *   (http/agent-access.ts) and a list's `agent_id` filter (domain/lists.ts).
 * - A read shows only the listed agents' items: the message and conversation lists, a
 *   conversation by id (domain/lists.ts) and the window (domain/window.ts) add
 *   `allowedAgentCondition` to their WHERE; a message's status (domain/message-status.ts), read
 *   by its primary key alone, checks the row with `agentAllowed`.
 */
import type { Knex } from 'knex';
import { ApiError } from '../core/errors.ts';

/** `api_keys.agent_ids`: null means every agent of the organization. */
export type AgentAllowList = readonly string[] | null;

/** A condition of a WHERE (or JOIN … ON) and its bindings (`?` placeholders, in order). */
export interface SqlCondition {
  readonly sql: string;
  readonly bindings: readonly Knex.Value[];
}

/** Whether the key may act for, and see, agent `agentId` (a lower-case UUID). */
export function agentAllowed(allowList: AgentAllowList, agentId: string): boolean {
  return allowList === null || allowList.includes(agentId);
}

/** Refuses (403 `agent_not_authorized`) an agent the key may not act for; `agentId` is a lower-case UUID. */
export function requireAllowedAgent(allowList: AgentAllowList, agentId: string): void {
  if (!agentAllowed(allowList, agentId)) {
    throw new ApiError('agent_not_authorized', 'This API key is restricted to specific agents and this agent is not one of them.', {
      param: 'agent_id',
    });
  }
}

/** The same rule as SQL: the row's agent (`agentColumn`, a uuid) is one the key may see. */
export function allowedAgentCondition(agentColumn: string, allowList: AgentAllowList): SqlCondition {
  if (allowList === null) return { sql: 'TRUE', bindings: [] };
  return { sql: `${agentColumn} = ANY(?::uuid[])`, bindings: [[...allowList]] };
}
