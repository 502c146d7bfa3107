/**
 * The lists: messages of both directions (GET /v1/whatsapp/messages) and conversations
 * (GET /v1/whatsapp/conversations, and one by id), newest first, cut by keyset on
 * (created_at, id) (domain/cursor.ts).
 *
 * What a key sees: its organization's items, of its environment, of its agents when it is
 * restricted. Outbound messages carry their environment; an inbound message belongs to test
 * mode when it was simulated in the sandbox, to live mode when WhatsApp delivered it
 * (`inbound_messages.environment`, migration 20261201120000_list_indexes). Conversations are
 * shared by both environments: one is listed for an environment once it has a message of it.
 */
import type { Knex } from 'knex';
import type { components } from '../generated/openapi-types.ts';
import { ApiError } from '../core/errors.ts';
import { type AgentAllowList, allowedAgentCondition, requireAllowedAgent, type SqlCondition } from './agent-allow-list.ts';
import { decodeCursor, positionSql, toPage, type Page } from './cursor.ts';
import { inboundResource, type InboundRow } from './inbound-resource.ts';
import { RESOURCE_COLUMNS, toMessageResource, type MessageRow } from './messages.ts';
import { formatTimestamp } from './time.ts';
import { lookupWindow, windowAt, type WindowResource } from './window.ts';

type Schemas = components['schemas'];
export type MessageListItem = Schemas['MessageListItem'];
export type ConversationResource = Schemas['Conversation'];

export const DEFAULT_LIMIT = 20;

export interface ListCaller {
  readonly organizationId: string;
  readonly environment: 'live' | 'test';
  readonly agentIds: AgentAllowList;
}

export interface MessageFilters {
  readonly limit?: number;
  readonly cursor?: string;
  readonly agent_id?: string;
  readonly conversation_id?: string;
  readonly direction?: 'outbound' | 'inbound';
  readonly from?: string;
  readonly to?: string;
  readonly status?: string;
  readonly 'created[gte]'?: string;
  readonly 'created[lt]'?: string;
}

export interface ConversationFilters {
  readonly limit?: number;
  readonly cursor?: string;
  readonly agent_id?: string;
  readonly business_number?: string;
  readonly customer_number?: string;
  readonly 'created[gte]'?: string;
  readonly 'created[lt]'?: string;
}

/** A WHERE clause built from parts, each with its own bindings. */
class Conditions {
  readonly sql: string[] = [];
  readonly bindings: Knex.Value[] = [];
  add(sql: string, ...bindings: Knex.Value[]): this {
    this.sql.push(sql);
    this.bindings.push(...bindings);
    return this;
  }
  addCondition(condition: SqlCondition): this {
    return this.add(condition.sql, ...condition.bindings);
  }
  toString(): string {
    return this.sql.join(' AND ');
  }
}

/** An `agent_id` filter outside a restricted key's agents is refused, as a send naming it is. */
function checkAgent(caller: ListCaller, agentId: string | undefined): string | undefined {
  const agent = agentId?.toLowerCase();
  if (agent !== undefined) requireAllowedAgent(caller.agentIds, agent);
  return agent;
}

const YEAR_ONE = Date.parse('0001-01-01T00:00:00Z');
const YEAR_TEN_THOUSAND = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A `created[…]` bound, valid RFC 3339 (the schema's `date-time`), in the UTC form PostgreSQL
 * reads: offsets PostgreSQL refuses (beyond ±15:59) and leap seconds are resolved here; times
 * before year 1 or after 9999 (no item is older, or newer) become the nearest of those.
 */
function createdBound(value: string | undefined, param: string): string | undefined {
  if (value === undefined) return undefined;
  const leap = /:60(?=(\.[0-9]+)?([Zz]|[+-]))/;
  let time = Date.parse(value);
  if (Number.isNaN(time) && leap.test(value)) time = Date.parse(value.replace(leap, ':59')) + 1000;
  if (Number.isNaN(time))
    throw new ApiError('invalid_field_value', `The query parameter '${param}' must be an RFC 3339 time such as 2026-04-30T00:00:00Z.`, {
      param,
    });
  return new Date(Math.min(Math.max(time, YEAR_ONE), YEAR_TEN_THOUSAND)).toISOString();
}

/** The common conditions of a list: agent, position, creation-time range. */
function common(
  where: Conditions,
  caller: ListCaller,
  agentColumn: string,
  createdColumn: string,
  idColumn: string,
  f: { agent?: string; gte?: string; lt?: string; position: { createdAt: string; id: string } | null },
): void {
  where.addCondition(allowedAgentCondition(agentColumn, caller.agentIds));
  if (f.agent !== undefined) where.add(`${agentColumn} = ?::uuid`, f.agent);
  if (f.gte !== undefined) where.add(`${createdColumn} >= ?::timestamptz`, f.gte);
  if (f.lt !== undefined) where.add(`${createdColumn} < ?::timestamptz`, f.lt);
  if (f.position !== null) where.add(`(${createdColumn}, ${idColumn}) < (?::timestamptz, ?::uuid)`, f.position.createdAt, f.position.id);
}

export class Lists {
  constructor(private readonly db: Knex) {}

  async messages(caller: ListCaller, filters: MessageFilters): Promise<Page<MessageListItem>> {
    const limit = filters.limit ?? DEFAULT_LIMIT;
    const position = decodeCursor('messages', filters.cursor);
    const agent = checkAgent(caller, filters.agent_id);
    const conversation = filters.conversation_id?.toLowerCase();
    const range = {
      agent,
      gte: createdBound(filters['created[gte]'], 'created[gte]'),
      lt: createdBound(filters['created[lt]'], 'created[lt]'),
      position,
    };
    const parts: string[] = [];
    const bindings: Knex.Value[] = [];

    if (filters.direction !== 'inbound') {
      const where = new Conditions().add('m.organization_id = ?::uuid', caller.organizationId).add('m.environment = ?', caller.environment);
      common(where, caller, 'm.agent_id', 'm.created_at', 'm.id', range);
      if (conversation !== undefined) where.add('m.conversation_id = ?::uuid', conversation);
      if (filters.from !== undefined) where.add('m.from_number = ?', filters.from);
      if (filters.to !== undefined) where.add('m.to_number = ?', filters.to);
      if (filters.status !== undefined) where.add('m.status = ?', filters.status);
      parts.push(`(SELECT 'outbound' AS direction, m.id, m.created_at, ${positionSql('m.created_at')} AS pos,
          to_jsonb(m) - 'content' AS row
        FROM messages m WHERE ${where.toString()} ORDER BY m.created_at DESC, m.id DESC LIMIT ?)`);
      bindings.push(...where.bindings, limit + 1);
    }
    if (filters.direction !== 'outbound' && filters.status === undefined) {
      const where = new Conditions().add('c.organization_id = ?::uuid', caller.organizationId).add('i.environment = ?', caller.environment);
      common(where, caller, 'c.agent_id', 'i.created_at', 'i.id', range);
      if (conversation !== undefined) where.add('i.conversation_id = ?::uuid', conversation);
      if (filters.from !== undefined) where.add('c.customer_number = ?', filters.from);
      if (filters.to !== undefined) where.add('c.business_number = ?', filters.to);
      parts.push(`(SELECT 'inbound' AS direction, i.id, i.created_at, ${positionSql('i.created_at')} AS pos,
          jsonb_build_object('id', i.id, 'agent_id', c.agent_id, 'from', c.customer_number, 'to', c.business_number, 'type', i.type,
            'conversation_id', i.conversation_id, 'platform_message_id', i.platform_message_id, 'content', i.content,
            'received_at', i.received_at, 'created_at', i.created_at) AS row
        FROM inbound_messages i JOIN conversations c ON c.id = i.conversation_id
        WHERE ${where.toString()} ORDER BY i.created_at DESC, i.id DESC LIMIT ?)`);
      bindings.push(...where.bindings, limit + 1);
    }
    if (parts.length === 0) return toPage('messages', [], limit, () => null as never);
    const result = await this.db.raw<{ rows: Array<{ direction: string; id: string; pos: string; row: Record<string, unknown> }> }>(
      `SELECT direction, id, pos, row FROM (${parts.join(' UNION ALL ')}) u ORDER BY u.created_at DESC, u.id DESC LIMIT ?`,
      [...bindings, limit + 1],
    );
    return toPage('messages', result.rows, limit, (r) =>
      r.direction === 'inbound' ? inboundResource(r.row as unknown as InboundRow) : outboundResource(r.row),
    );
  }

  async conversations(caller: ListCaller, filters: ConversationFilters): Promise<Page<ConversationResource>> {
    const limit = filters.limit ?? DEFAULT_LIMIT;
    const position = decodeCursor('conversations', filters.cursor);
    const agent = checkAgent(caller, filters.agent_id);
    const where = visibleConversation(caller);
    const [gte, lt] = [createdBound(filters['created[gte]'], 'created[gte]'), createdBound(filters['created[lt]'], 'created[lt]')];
    common(where, caller, 'c.agent_id', 'c.created_at', 'c.id', { agent, gte, lt, position });
    if (filters.business_number !== undefined) where.add('c.business_number = ?', filters.business_number);
    if (filters.customer_number !== undefined) where.add('c.customer_number = ?', filters.customer_number);
    const result = await this.db.raw<{ rows: ConversationRow[] }>(
      `SELECT c.id, c.agent_id, c.business_number, c.customer_number, c.created_at, c.last_inbound_at, c.last_inbound_at + mojeeb_customer_service_window() AS expires_at, now() AS now,
          ${positionSql('c.created_at')} AS pos
        FROM conversations c WHERE ${where.toString()} ORDER BY c.created_at DESC, c.id DESC LIMIT ?`,
      [...where.bindings, limit + 1],
    );
    return toPage('conversations', result.rows, limit, conversationResource);
  }

  window(caller: ListCaller, from: string, to: string): Promise<WindowResource> {
    return lookupWindow(this.db, caller, from, to);
  }

  async conversation(caller: ListCaller, id: string): Promise<ConversationResource | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    const where = visibleConversation(caller)
      .add('c.id = ?::uuid', id.toLowerCase())
      .addCondition(allowedAgentCondition('c.agent_id', caller.agentIds));
    const result = await this.db.raw<{ rows: ConversationRow[] }>(
      `SELECT c.id, c.agent_id, c.business_number, c.customer_number, c.created_at, c.last_inbound_at, c.last_inbound_at + mojeeb_customer_service_window() AS expires_at, now() AS now, '' AS pos
        FROM conversations c WHERE ${where.toString()}`,
      where.bindings,
    );
    const row = result.rows[0];
    return row ? conversationResource(row) : null;
  }
}

interface ConversationRow {
  id: string;
  agent_id: string;
  business_number: string;
  customer_number: string;
  created_at: Date;
  last_inbound_at: Date | null;
  expires_at: Date | null;
  now: Date;
  pos: string;
}

function visibleConversation(caller: ListCaller): Conditions {
  return new Conditions().add('c.organization_id = ?::uuid', caller.organizationId).add(
    `(EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.environment = ?)
        OR EXISTS (SELECT 1 FROM inbound_messages i WHERE i.conversation_id = c.id AND i.environment = ?))`,
    caller.environment,
    caller.environment,
  );
}

function conversationResource(row: ConversationRow): ConversationResource {
  return {
    id: row.id,
    object: 'whatsapp.conversation',
    agent_id: row.agent_id,
    business_number: row.business_number,
    customer_number: row.customer_number,
    created_at: formatTimestamp(row.created_at),
    window: windowAt(row.last_inbound_at, row.expires_at, row.now),
  };
}

const TIMESTAMPS = ['created_at', 'sent_at', 'delivered_at', 'read_at', 'failed_at'] as const;

/** A `messages` row as `to_jsonb` gives it into the Message resource. */
function outboundResource(json: Record<string, unknown>): MessageListItem {
  const row: Record<string, unknown> = {};
  for (const column of RESOURCE_COLUMNS) row[column] = json[column] ?? null;
  for (const column of TIMESTAMPS) row[column] = json[column] == null ? null : new Date(String(json[column]));
  return toMessageResource(row as unknown as MessageRow);
}
