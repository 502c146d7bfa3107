/**
 * The window lookup (GET /v1/whatsapp/window, and the `window` of a conversation). The 24-hour
 * rule itself is `windowState` (below), the same one the send answers with;
 * this file is its only caller for reads, and it is given the database's clock, the clock the
 * send's statement checks the window with.
 */
import type { Knex } from 'knex';
import type { components } from '../generated/openapi-types.ts';
import { type AgentAllowList, allowedAgentCondition } from './agent-allow-list.ts';
import { formatTimestamp } from './time.ts';

export interface CustomerServiceWindow {
  readonly open: boolean;
  readonly last_inbound_at: string | null;
  readonly expires_at: string | null;
}

/**
 * The window from the customer's latest message and the moment it closes; both come from the
 * database, which holds the window's length (`mojeeb_customer_service_window()`,
 * db/sql/send_rules.sql).
 */
export function windowState(lastInboundAt: Date | null, expiresAt: Date | null, now: Date): CustomerServiceWindow {
  if (lastInboundAt === null || expiresAt === null) return { open: false, last_inbound_at: null, expires_at: null };
  return {
    open: expiresAt.getTime() > now.getTime(),
    last_inbound_at: formatTimestamp(lastInboundAt),
    expires_at: formatTimestamp(expiresAt),
  };
}

/** The window a refused send reports (`mojeeb_accept_send`'s window_closed detail: timestamps as text). */
export function closedWindow(detail: { last_inbound_at: string | null; expires_at: string | null }): CustomerServiceWindow {
  if (detail.last_inbound_at === null || detail.expires_at === null) return { open: false, last_inbound_at: null, expires_at: null };
  return {
    open: false,
    last_inbound_at: formatTimestamp(new Date(detail.last_inbound_at)),
    expires_at: formatTimestamp(new Date(detail.expires_at)),
  };
}

export type WindowResource = components['schemas']['WhatsAppWindow'];

/** `expiresAt` is `last_inbound_at + mojeeb_customer_service_window()`, computed by the query (the window's length lives in the database). */
export function windowAt(lastInboundAt: Date | null, expiresAt: Date | null, now: Date): CustomerServiceWindow {
  return windowState(lastInboundAt, expiresAt, now);
}

export interface WindowCaller {
  readonly organizationId: string;
  readonly agentIds: AgentAllowList;
}

/**
 * The window between an agent number and a customer. Windows are per conversation, whatever
 * the environment (a send of either environment meets the same one); a pair that never spoke,
 * or a number outside the caller's agents, has no conversation and a closed window.
 */
export async function lookupWindow(db: Knex, caller: WindowCaller, from: string, to: string): Promise<WindowResource> {
  const agents = allowedAgentCondition('c.agent_id', caller.agentIds);
  const result = await db.raw<{ rows: Array<{ id: string | null; last_inbound_at: Date | null; expires_at: Date | null; now: Date }> }>(
    `SELECT c.id, c.last_inbound_at, c.last_inbound_at + mojeeb_customer_service_window() AS expires_at, n.now FROM (SELECT now() AS now) n
       LEFT JOIN conversations c ON c.organization_id = ? AND c.business_number = ? AND c.customer_number = ?
        AND ${agents.sql}`,
    [caller.organizationId, from, to, ...agents.bindings],
  );
  const row = result.rows[0]!;
  return { object: 'whatsapp.window', from, to, conversation_id: row.id, ...windowAt(row.last_inbound_at, row.expires_at, row.now) };
}
