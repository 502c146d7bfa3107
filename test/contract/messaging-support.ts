/** What the messaging contract tests share: a sandboxed tenant, an inbound customer message, counts. */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { recordInboundMessage } from '../../server/src/domain/conversations.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import type { ContractClient, ContractResponse } from '../support/contract.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { newTenant, type Tenant } from '../support/tenants.ts';
export const MESSAGES = '/v1/whatsapp/messages';
export const TEMPLATES = '/v1/whatsapp/templates';
export const HOUR = 3_600_000;

export interface Sandbox {
  readonly tenant: Tenant;
  readonly client: ContractClient;
  readonly connectionId: string;
  readonly keyId: string;
  text(to: string, overrides?: Record<string, unknown>): Record<string, unknown>;
  template(to: string, template?: Record<string, unknown>): Record<string, unknown>;
}

/** A tenant whose number has the example templates approved, and a key for it. */
export async function sandbox(options: { environment?: 'live' | 'test'; quota?: number } = {}): Promise<Sandbox> {
  const tenant = await newTenant(harness.db, { quota: options.quota ?? 1000 });
  const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
  for (const t of EXAMPLE_TEMPLATES) await upsertTemplate(harness.db, connection.id, templateFromMeta(t));
  const key = await tenant.key({ environment: options.environment ?? 'test', rateLimitPerMinute: 100_000 });
  return {
    tenant,
    client: harness.server.anonymous.withKey(key.plaintext),
    connectionId: connection.id,
    keyId: key.record.id,
    text: (to, overrides = {}) => ({
      agent_id: tenant.agent.id,
      from: tenant.from,
      to,
      text: { body: 'Your order shipped.' },
      ...overrides,
    }),
    template: (to, template = {}) => ({
      agent_id: tenant.agent.id,
      from: tenant.from,
      to,
      template: {
        name: 'order_shipped',
        language: 'en',
        parameters: { customer_name: 'Sara', tracking_url: 'https://t.example/1' },
        ...template,
      },
    }),
  };
}

export async function customerWrites(s: Sandbox, customer: string, ago = 0): Promise<void> {
  await recordInboundMessage(harness.db, {
    businessNumber: s.tenant.from,
    customerNumber: customer,
    platformMessageId: null,
    type: 'text',
    content: { body: 'hello' },
    receivedAt: new Date(Date.now() - ago),
  });
}

export async function counts(db: Knex, organizationId: string) {
  const one = async (sql: string) => Number((await db.raw<{ rows: Array<{ n: string }> }>(sql, [organizationId])).rows[0]!.n);
  return {
    messages: await one('select count(*) as n from messages where organization_id = ?'),
    jobs: await one(
      `select count(*) as n from graphile_worker.jobs j join messages m on j.key = 'deliver_message:' || m.id::text where m.organization_id = ?`,
    ),
    usage: await one('select coalesce(sum(messages_sent), 0) as n from organization_usage where organization_id = ?'),
    conversations: await one('select count(*) as n from conversations where organization_id = ?'),
  };
}

export function expectError(res: ContractResponse, status: number, code: string, param?: string): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.body.error.code).to.equal(code);
  if (param !== undefined) expect(res.body.error.param).to.equal(param);
}
