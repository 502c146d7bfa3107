/**
 * The message behind GET /v1/whatsapp/messages/{id}, looked up in the key's authentication
 * query (core/attached-query.ts): the message if that key may see it (same organization and
 * environment, an agent the key is allowed), so that the whole request is one round trip.
 */
import type { AttachedQuery, KeyColumns } from '../core/attached-query.ts';
import { type MessageResource, RESOURCE_COLUMNS, toMessageResource } from './messages.ts';

type MessageRow = Parameters<typeof toMessageResource>[0];

const COLUMNS = RESOURCE_COLUMNS satisfies readonly (keyof MessageRow)[];
// Every column of the row is selected (a compile error names the one missing).
const everyColumn: Record<Exclude<keyof MessageRow, (typeof COLUMNS)[number]>, never> = {};
void everyColumn;

const TIMESTAMP_COLUMNS = ['created_at', 'sent_at', 'delivered_at', 'read_at', 'failed_at'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function statusSql(key: KeyColumns): string {
  return `SELECT ${COLUMNS.map((c) => `m.${c}`).join(', ')} FROM messages m
  WHERE m.id = ?::uuid AND m.organization_id = ${key.organizationId} AND m.environment = ${key.environment}
    AND (${key.agentIds} IS NULL OR m.agent_id = ANY(${key.agentIds}))`;
}

/** A message row as `to_jsonb` gives it (timestamps as ISO text) into the resource. */
function decode(json: Record<string, unknown>): MessageResource {
  const row: Record<string, unknown> = { ...json };
  for (const c of TIMESTAMP_COLUMNS) row[c] = json[c] === null ? null : new Date(String(json[c]));
  return toMessageResource(row as unknown as MessageRow);
}

/** The lookup of message `id`; undefined for an id that cannot exist (not a UUID), which then finds nothing. */
export function messageStatusLookup(id: string): AttachedQuery<MessageResource> | undefined {
  if (!UUID.test(id)) return undefined;
  return { name: 'get_message', sql: statusSql, bindings: [id.toLowerCase()], decode };
}
