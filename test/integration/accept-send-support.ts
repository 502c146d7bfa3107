/**
 * What the tests of `mojeeb_accept_send` share: the function called directly (no HTTP) with
 * named arguments, a tenant whose number has the example templates, the customer's message that
 * opens the window, and the counts that show a refusal or a replay wrote nothing.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { DELIVERY_TASK } from '../../server/src/delivery/queue.ts';
import { recordInboundMessage } from '../../server/src/domain/conversations.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { newTenant, type Tenant } from '../support/tenants.ts';

export interface Outcome {
  outcome: string;
  message_id: string | null;
  conversation_id: string | null;
  created_at: Date | null;
  detail: Record<string, unknown> | null;
}

export interface Call {
  organization_id: string;
  environment: 'live' | 'test';
  api_key_id: string;
  agent_id: string;
  from: string;
  to: string;
  type: 'text' | 'template';
  content: unknown;
  template?: unknown;
  idempotency_key?: string;
  operation_id?: string;
  request_hash?: string;
  correlation_id?: string;
}

export async function accept(call: Call, db: Knex = harness.db): Promise<Outcome> {
  const args: Record<string, unknown> = {
    task: DELIVERY_TASK,
    ...call,
    content: JSON.stringify(call.content),
    template: call.template === undefined ? null : JSON.stringify(call.template),
  };
  const names = Object.keys(args);
  const sql = `SELECT * FROM mojeeb_accept_send(${names.map((n) => `p_${n} => ?`).join(', ')})`;
  const result = await db.raw<{ rows: Outcome[] }>(
    sql,
    names.map((n) => (args[n] ?? null) as Knex.RawBinding),
  );
  expect(result.rows).to.have.length(1);
  return result.rows[0]!;
}

/** A text header with a parameter, a dynamic copy-code button (0) and a static phone button (1). */
const WELCOME_HEADER = {
  name: 'welcome_header',
  language: 'en_US',
  status: 'APPROVED',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Welcome {{1}}' },
    { type: 'BODY', text: 'Hello {{1}}, your code is {{2}}.' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'COPY_CODE', example: 'ABC' },
        { type: 'PHONE_NUMBER', phone_number: '+15550001111' },
      ],
    },
  ],
};

export interface Setup {
  tenant: Tenant;
  keyId: string;
  connectionId: string;
  text(to: string, overrides?: Partial<Call>): Call;
  template(to: string, template?: Record<string, unknown>, overrides?: Partial<Call>): Call;
}

export async function setup(options: { environment?: 'live' | 'test'; quota?: number } = {}): Promise<Setup> {
  const tenant = await newTenant(harness.db, { quota: options.quota ?? 1000 });
  const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
  for (const t of [...EXAMPLE_TEMPLATES, WELCOME_HEADER]) await upsertTemplate(harness.db, connection.id, templateFromMeta(t));
  const key = await tenant.key({ environment: options.environment ?? 'test' });
  const base = {
    organization_id: tenant.organization.id,
    environment: options.environment ?? 'test',
    api_key_id: key.record.id,
    agent_id: tenant.agent.id,
    from: tenant.from,
  };
  return {
    tenant,
    keyId: key.record.id,
    connectionId: connection.id,
    text: (to, overrides = {}) => ({ ...base, to, type: 'text', content: { text: { body: 'hi' } }, ...overrides }),
    template: (to, template = {}, overrides = {}) => {
      const t = {
        name: 'order_shipped',
        language: 'en',
        parameters: { customer_name: 'Sara', tracking_url: 'https://t.example/1' },
        ...template,
      };
      return { ...base, to, type: 'template', content: { template: t }, template: t, ...overrides };
    },
  };
}

export async function customerWrote(s: Setup, customer: string, agoMs = 0): Promise<void> {
  await recordInboundMessage(harness.db, {
    businessNumber: s.tenant.from,
    customerNumber: customer,
    platformMessageId: null,
    type: 'text',
    content: {},
    receivedAt: new Date(Date.now() - agoMs),
  });
}

export async function written(organizationId: string) {
  const n = async (sql: string) => Number((await harness.db.raw<{ rows: Array<{ n: string }> }>(sql, [organizationId])).rows[0]!.n);
  return {
    messages: await n('select count(*) as n from messages where organization_id = ?'),
    jobs: await n(
      `select count(*) as n from graphile_worker.jobs j join messages m on j.key = 'deliver_message:' || m.id::text where m.organization_id = ?`,
    ),
    usage: await n('select coalesce(sum(messages_sent), 0) as n from organization_usage where organization_id = ?'),
    conversations: await n('select count(*) as n from conversations where organization_id = ?'),
    idempotency: await n('select count(*) as n from idempotency_keys k join api_keys a on a.id = k.api_key_id where a.organization_id = ?'),
  };
}

/** Calls the function and checks that a refusal wrote nothing. */
export async function refused(call: Call, outcome: string): Promise<Outcome> {
  const before = await written(call.organization_id);
  const row = await accept(call);
  expect(row.outcome, JSON.stringify(row.detail)).to.equal(outcome);
  expect(row.message_id).to.equal(null);
  expect(await written(call.organization_id), 'a refused send writes nothing').to.deep.equal(before);
  return row;
}

export async function refusedOrStored(call: Call): Promise<Outcome> {
  const before = await written(call.organization_id);
  const row = await accept(call);
  expect(await written(call.organization_id), 'a replay writes nothing').to.deep.equal(before);
  return row;
}
