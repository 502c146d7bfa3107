/**
 * Rows for the data retention tests (test/integration/retention.test.ts), written directly with
 * the timestamps a test needs, and what those tests read back.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { registry } from '../../server/src/metrics.ts';
import { newTenant, type Tenant } from './tenants.ts';

const DAY = 86_400_000;
export const ago = (days: number) => new Date(Date.now() - days * DAY);

/** Rows of one tenant, written directly with the timestamps a test needs. */
export class Rows {
  private constructor(
    private readonly db: Knex,
    readonly tenant: Tenant,
    readonly connectionId: string,
    readonly endpointId: string,
  ) {}

  static async create(db: Knex): Promise<Rows> {
    const tenant = await newTenant(db);
    const connection = await db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
    const [endpoint] = await db('webhook_endpoints')
      .insert({
        organization_id: tenant.organization.id,
        environment: 'test',
        url: 'https://example.com/hook',
        enabled_events: ['*'],
        secret: 'whsec_test',
      })
      .returning('id');
    return new Rows(db, tenant, connection.id, endpoint.id);
  }

  async conversation(customer: string, lastActivity: Date): Promise<string> {
    const [row] = await this.db('conversations')
      .insert({
        organization_id: this.tenant.organization.id,
        business_number: this.tenant.from,
        customer_number: customer,
        agent_id: this.tenant.agent.id,
        created_at: lastActivity,
        updated_at: lastActivity,
      })
      .returning('id');
    return row.id;
  }

  async message(conversationId: string, to: string, status: string, created: Date, updated = created, statusEvents = 0): Promise<string> {
    const wamid = status === 'queued' ? null : `wamid.retention.${randomUUID()}`;
    const [row] = await this.db('messages')
      .insert({
        organization_id: this.tenant.organization.id,
        environment: 'test',
        agent_id: this.tenant.agent.id,
        connection_id: this.connectionId,
        conversation_id: conversationId,
        type: 'text',
        from_number: this.tenant.from,
        to_number: to,
        content: { text: 'hello' },
        status,
        platform_message_id: wamid,
        created_at: created,
        updated_at: updated,
      })
      .returning('id');
    const statuses = ['sent', 'delivered', 'read'].slice(0, statusEvents);
    for (const s of statuses) {
      await this.db('message_events').insert({
        message_id: row.id,
        platform_message_id: wamid,
        status: s,
        occurred_at: created,
        received_at: created,
      });
    }
    return row.id;
  }

  async inbound(conversationId: string, created: Date): Promise<void> {
    await this.db('inbound_messages').insert({
      conversation_id: conversationId,
      platform_message_id: `wamid.in.${randomUUID()}`,
      type: 'text',
      content: { text: 'hi' },
      received_at: created,
      created_at: created,
    });
  }

  async unmatchedStatusEvent(received: Date): Promise<void> {
    await this.db('message_events').insert({
      message_id: null,
      platform_message_id: `wamid.unknown.${randomUUID()}`,
      status: 'delivered',
      occurred_at: received,
      received_at: received,
    });
  }

  /** An event with one delivery (in `deliveryStatus`) and `attempts` attempts. */
  async event(created: Date, deliveryStatus: 'pending' | 'succeeded' | 'failed' | null, attempts = 0): Promise<string> {
    const id = `evt_${randomUUID().replace(/-/g, '')}`;
    await this.db('events').insert({
      id,
      organization_id: this.tenant.organization.id,
      environment: 'test',
      type: 'message.read',
      data: {},
      created_at: created,
    });
    if (deliveryStatus === null) return id;
    const [delivery] = await this.db('event_deliveries')
      .insert({ event_id: id, endpoint_id: this.endpointId, status: deliveryStatus, attempts, created_at: created })
      .returning('id');
    for (let i = 0; i < attempts; i++) {
      await this.db('event_delivery_attempts').insert({
        delivery_id: delivery.id,
        event_id: id,
        endpoint_id: this.endpointId,
        attempted_at: created,
        http_status: 500,
        latency_ms: 10,
      });
    }
    return id;
  }
}

export async function count(db: Knex, table: string): Promise<number> {
  const [row] = await db(table).count<{ n: string }[]>('* as n');
  return Number(row!.n);
}

export async function prunedMetric(table: string): Promise<number> {
  const metric = await registry.getSingleMetric('mojeeb_retention_rows_pruned_total')!.get();
  return metric.values.find((v) => v.labels.table === table)?.value ?? 0;
}

/** Waits (at most 10 s) for a round still running after its housekeeping was stopped to end. */
export async function retentionLockReleased(db: Knex): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const held = await db.raw<{ rows: Array<{ n: number }> }>(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
        WHERE l.locktype = 'advisory' AND d.datname = current_database()`,
    );
    if (held.rows[0]!.n === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('a retention round still holds its lock 10 s after housekeeping stopped');
}
