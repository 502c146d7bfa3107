/**
 * The message behind GET /v1/whatsapp/messages/{id}: one SELECT (a prepared statement) by the
 * primary key alone; the row is the caller's only if it is in the key's organization and
 * environment and its agent is one the key may see (checked here, on the row). With the key in
 * the process's cache, that SELECT is the request's only statement.
 *
 * Why the key's conditions are not in the WHERE: with `organization_id` and `environment` there,
 * the planner may pick the list index (organization_id, environment, created_at, id) over the
 * primary key whenever its statistics are missing or stale — a young database, a table that grew
 * since the last ANALYZE — and a prepared statement keeps that plan: the read then walks every
 * message of the organization (measured: 47 buffers and 3–4 × the CPU of the primary key's 3).
 * By id alone the only plan is the primary key.
 */
import type { Knex } from 'knex';
import type { Principal } from '../core/principal.ts';
import { preparedQuery } from '../db/prepared.ts';
import { agentAllowed } from './agent-allow-list.ts';
import { type MessageResource, RESOURCE_COLUMNS, toMessageResource } from './messages.ts';

type MessageRow = Parameters<typeof toMessageResource>[0];

const COLUMNS = RESOURCE_COLUMNS satisfies readonly (keyof MessageRow)[];
// Every column of the row is selected (a compile error names the one missing).
const everyColumn: Record<Exclude<keyof MessageRow, (typeof COLUMNS)[number]>, never> = {};
void everyColumn;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SELECT = `SELECT ${COLUMNS.map((c) => `m.${c}`).join(', ')}, m.organization_id, m.environment FROM messages m WHERE m.id = ?::uuid`;

interface OwnedRow extends MessageRow {
  readonly organization_id: string;
  readonly environment: string;
}

export class MessageStatuses {
  constructor(private readonly db: Knex) {}

  /** Message `id` if `caller` may see it; null otherwise, and for an id that cannot exist (no query). */
  async find(caller: Principal, id: string): Promise<MessageResource | null> {
    if (!UUID.test(id)) return null;
    const [row] = await preparedQuery<OwnedRow>(this.db, 'mojeeb_message_status', SELECT, [id.toLowerCase()]);
    const visible =
      row !== undefined &&
      row.organization_id === caller.organizationId &&
      row.environment === caller.environment &&
      agentAllowed(caller.agentIds, row.agent_id);
    return visible ? toMessageResource(row) : null;
  }
}
