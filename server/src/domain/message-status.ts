/**
 * The message behind GET /v1/whatsapp/messages/{id}: one SELECT (a prepared statement), which
 * finds the message only if the caller's key may see it (same organization and environment, an
 * agent the key is allowed). With the key in the process's cache, that SELECT is the request's
 * only statement.
 */
import type { Knex } from 'knex';
import type { Principal } from '../core/principal.ts';
import { preparedQuery } from '../db/prepared.ts';
import { allowedAgentCondition } from './agent-allow-list.ts';
import { type MessageResource, RESOURCE_COLUMNS, toMessageResource } from './messages.ts';

type MessageRow = Parameters<typeof toMessageResource>[0];

const COLUMNS = RESOURCE_COLUMNS satisfies readonly (keyof MessageRow)[];
// Every column of the row is selected (a compile error names the one missing).
const everyColumn: Record<Exclude<keyof MessageRow, (typeof COLUMNS)[number]>, never> = {};
void everyColumn;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SELECT = `SELECT ${COLUMNS.map((c) => `m.${c}`).join(', ')} FROM messages m
WHERE m.id = ?::uuid AND m.organization_id = ?::uuid AND m.environment = ?`;

export class MessageStatuses {
  constructor(private readonly db: Knex) {}

  /** Message `id` if `caller` may see it; null otherwise, and for an id that cannot exist (no query). */
  async find(caller: Principal, id: string): Promise<MessageResource | null> {
    if (!UUID.test(id)) return null;
    const agents = allowedAgentCondition('m.agent_id', caller.agentIds);
    // One prepared statement per shape: keys with an allow-list filter on it, the others do not.
    const name = caller.agentIds === null ? 'mojeeb_message_status' : 'mojeeb_message_status_of_agents';
    const rows = await preparedQuery<MessageRow>(this.db, name, `${SELECT} AND ${agents.sql}`, [
      id.toLowerCase(),
      caller.organizationId,
      caller.environment,
      ...agents.bindings,
    ]);
    return rows[0] ? toMessageResource(rows[0]) : null;
  }
}
