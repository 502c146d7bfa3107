// Agents and their WhatsApp numbers (connections). A number without Meta credentials delivers
// through the sandbox; an inactive number cannot send.
import type { Knex } from 'knex';
import type { SecretBox } from './secrets.ts';

export interface Agent {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly createdAt: Date;
}

export interface WhatsAppConnection {
  readonly id: string;
  readonly organizationId: string;
  readonly agentId: string;
  readonly phoneNumber: string;
  readonly phoneNumberId: string | null;
  readonly wabaId: string | null;
  readonly active: boolean;
  readonly messagesPerSecond: number;
  /** True when the connection has Meta credentials; false means sandbox delivery. */
  readonly hasMetaCredentials: boolean;
  /** The last account- or token-level error WhatsApp reported for this number, until a send succeeds. */
  readonly lastDeliveryError: {
    readonly at: Date;
    readonly metaErrorCode: number | null;
    readonly title: string | null;
    readonly details: string | null;
  } | null;
  readonly createdAt: Date;
}

interface AgentRow {
  id: string;
  organization_id: string;
  name: string;
  created_at: Date;
}

interface ConnectionRow {
  id: string;
  organization_id: string;
  agent_id: string;
  phone_number: string;
  phone_number_id: string | null;
  waba_id: string | null;
  access_token_encrypted: string | null;
  active: boolean;
  messages_per_second: number;
  created_at: Date;
  last_delivery_error?: { meta_error_code: number | null; title: string | null; details: string | null } | null;
  last_delivery_error_at?: Date | null;
}

const agentFromRow = (row: AgentRow): Agent => ({
  id: row.id,
  organizationId: row.organization_id,
  name: row.name,
  createdAt: row.created_at,
});

const connectionFromRow = (row: ConnectionRow): WhatsAppConnection => ({
  id: row.id,
  organizationId: row.organization_id,
  agentId: row.agent_id,
  phoneNumber: row.phone_number,
  phoneNumberId: row.phone_number_id,
  wabaId: row.waba_id,
  active: row.active,
  messagesPerSecond: row.messages_per_second,
  hasMetaCredentials: row.access_token_encrypted !== null,
  lastDeliveryError:
    row.last_delivery_error && row.last_delivery_error_at
      ? {
          at: row.last_delivery_error_at,
          metaErrorCode: row.last_delivery_error.meta_error_code,
          title: row.last_delivery_error.title,
          details: row.last_delivery_error.details,
        }
      : null,
  createdAt: row.created_at,
});

export async function createAgent(db: Knex, input: { organizationId: string; name: string; id?: string }): Promise<Agent> {
  const [row] = await db<AgentRow>('agents')
    .insert({ organization_id: input.organizationId, name: input.name, ...(input.id !== undefined ? { id: input.id } : {}) })
    .returning('*');
  return agentFromRow(row!);
}

export async function listAgents(db: Knex, organizationId?: string): Promise<Agent[]> {
  const query = db<AgentRow>('agents').select('*').orderBy('created_at').orderBy('id');
  if (organizationId !== undefined) query.where({ organization_id: organizationId });
  return (await query).map(agentFromRow);
}

/** The agent, only if it belongs to the organization: another organization's agent is "not found". */
export async function findAgent(db: Knex, agentId: string): Promise<Agent | null> {
  const row = await db<AgentRow>('agents').where({ id: agentId }).first();
  return row ? agentFromRow(row) : null;
}

export interface NewConnection {
  readonly agentId: string;
  readonly phoneNumber: string;
  readonly phoneNumberId?: string | undefined;
  readonly wabaId?: string | undefined;
  readonly accessToken?: string | undefined;
  readonly messagesPerSecond?: number | undefined;
  readonly active?: boolean | undefined;
}

/** Meta credentials come as a pair: a phone-number id and an access token (encrypted here). */
export async function createConnection(db: Knex, input: NewConnection, secrets: SecretBox | null): Promise<WhatsAppConnection> {
  if ((input.phoneNumberId === undefined) !== (input.accessToken === undefined)) {
    throw new Error('a Meta phone-number id and an access token go together: give both or neither');
  }
  if (input.accessToken !== undefined && secrets === null) {
    throw new Error('no encryption key is configured (ENCRYPTION_KEY), so an access token cannot be stored');
  }
  return db.transaction(async (trx) => {
    const agent = await trx<AgentRow>('agents').where({ id: input.agentId }).first();
    if (!agent) throw new Error(`no agent ${input.agentId}`);
    const [row] = await trx<ConnectionRow>('whatsapp_connections')
      .insert({
        organization_id: agent.organization_id,
        agent_id: agent.id,
        phone_number: input.phoneNumber,
        phone_number_id: input.phoneNumberId ?? null,
        waba_id: input.wabaId ?? null,
        access_token_encrypted: input.accessToken !== undefined ? secrets!.encrypt(input.accessToken) : null,
        active: input.active ?? true,
        ...(input.messagesPerSecond !== undefined ? { messages_per_second: input.messagesPerSecond } : {}),
      })
      .returning('*');
    return connectionFromRow(row!);
  });
}

export async function listConnections(db: Knex, filter: { agentId?: string; organizationId?: string } = {}): Promise<WhatsAppConnection[]> {
  const query = db<ConnectionRow>('whatsapp_connections').select('*').orderBy('created_at').orderBy('id');
  if (filter.agentId !== undefined) query.where({ agent_id: filter.agentId });
  if (filter.organizationId !== undefined) query.where({ organization_id: filter.organizationId });
  return (await query).map(connectionFromRow);
}

export async function setConnectionActive(db: Knex, id: string, active: boolean): Promise<boolean> {
  const count = await db('whatsapp_connections').where({ id }).update({ active, updated_at: db.fn.now() });
  return count === 1;
}

/** The agent's active numbers, in E.164, sorted (what `available_phones` lists). */
export async function activeNumbersOfAgent(db: Knex, agentId: string): Promise<string[]> {
  const rows = await db<ConnectionRow>('whatsapp_connections')
    .where({ agent_id: agentId, active: true })
    .orderBy('phone_number')
    .select('phone_number');
  return rows.map((r) => r.phone_number);
}

export async function findConnection(db: Knex, id: string): Promise<WhatsAppConnection | null> {
  const row = await db<ConnectionRow>('whatsapp_connections').where({ id }).first();
  return row ? connectionFromRow(row) : null;
}

/** The active connection of a number, if any (at most one: a number sends for one agent at a time). */
export async function findActiveConnectionByNumber(db: Knex, phoneNumber: string): Promise<WhatsAppConnection | null> {
  const row = await db<ConnectionRow>('whatsapp_connections').where({ phone_number: phoneNumber, active: true }).first();
  return row ? connectionFromRow(row) : null;
}

/** The connection holding a Meta phone-number id, if any (unique). */
export async function findConnectionByPhoneNumberId(db: Knex, phoneNumberId: string): Promise<WhatsAppConnection | null> {
  const row = await db<ConnectionRow>('whatsapp_connections').where({ phone_number_id: phoneNumberId }).first();
  return row ? connectionFromRow(row) : null;
}
