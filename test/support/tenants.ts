/**
 * Test tenants: an organization with an agent and an active sandbox number, and keys made to
 * measure, written through the same domain functions the admin CLI uses. Every call makes new
 * rows (random numbers), so tests never share mutable state.
 */
import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import { createAgent, createConnection, type Agent } from '../../server/src/domain/agents.ts';
import { createApiKey, type CreatedApiKey, type NewApiKeyInput } from '../../server/src/domain/api-keys/store.ts';
import { createOrganization, type Organization } from '../../server/src/domain/organizations.ts';
import type { Plan } from '../../server/src/domain/plans.ts';
import type { SecretBox } from '../../server/src/domain/secrets.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import type { ContractClient } from './contract.ts';
import { EXAMPLE_TEMPLATES } from './fixtures.ts';

export interface Tenant {
  readonly organization: Organization;
  readonly agent: Agent;
  readonly from: string;
  key(options?: Partial<Omit<NewApiKeyInput, 'organizationId'>>): Promise<CreatedApiKey>;
  addAgent(name?: string): Promise<Agent>;
}

export function randomE164(): string {
  return `+1555${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
}

export async function newTenant(db: Knex, options: { plan?: Plan; quota?: number } = {}): Promise<Tenant> {
  const organization = await createOrganization(db, {
    name: `Tenant ${randomInt(1_000_000)}`,
    plan: options.plan ?? 'professional',
    monthlyMessageQuota: options.quota ?? 1_000,
  });
  const agent = await createAgent(db, { organizationId: organization.id, name: 'Support agent' });
  const from = randomE164();
  await createConnection(db, { agentId: agent.id, phoneNumber: from }, null);
  return {
    organization,
    agent,
    from,
    key: (overrides = {}) =>
      createApiKey(db, {
        organizationId: organization.id,
        name: 'test key',
        environment: 'test',
        scopes: ['whatsapp:send', 'whatsapp:read'],
        ...overrides,
      }),
    addAgent: (name = 'Another agent') => createAgent(db, { organizationId: organization.id, name }),
  };
}

/** Waits, if needed, so that at least `marginSeconds` remain in the database's current minute. */
export async function awayFromMinuteBoundary(db: Knex, marginSeconds = 10): Promise<void> {
  const result = await db.raw<{ rows: Array<{ s: string }> }>(`select extract(second from now()) as s`);
  const second = Number(result.rows[0]!.s);
  if (second > 60 - marginSeconds) await new Promise((r) => setTimeout(r, (60 - second + 0.2) * 1000));
}

export interface LiveNumber {
  readonly tenant: Tenant;
  /** The number with Meta credentials, sending `order_shipped`. */
  readonly from: string;
  /** Sends `count` `order_shipped` templates from the number with a live key, one after another; their message ids. */
  sendTemplates(count: number): Promise<string[]>;
}

/**
 * A tenant whose number has Meta credentials (so its live messages go to Meta, or the fake Meta)
 * and the example `order_shipped` template approved, with a live key of a high rate limit.
 */
export async function liveNumberTenant(
  db: Knex,
  anonymous: ContractClient,
  secrets: SecretBox,
  number: { readonly phoneNumberId: string; readonly accessToken: string; readonly messagesPerSecond: number },
): Promise<LiveNumber> {
  const tenant = await newTenant(db, { quota: 10_000 });
  const from = randomE164();
  const connection = await createConnection(db, { agentId: tenant.agent.id, phoneNumber: from, ...number }, secrets);
  await upsertTemplate(db, connection.id, templateFromMeta(EXAMPLE_TEMPLATES[0]));
  const client = anonymous.withKey((await tenant.key({ environment: 'live', rateLimitPerMinute: 100_000 })).plaintext);
  return {
    tenant,
    from,
    sendTemplates: async (count) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const res = await client.post('/v1/whatsapp/templates', {
          agent_id: tenant.agent.id,
          from,
          to: randomE164(),
          template: { name: 'order_shipped', language: 'en', parameters: { customer_name: `C${i}`, tracking_url: 'https://t.example' } },
        });
        if (res.status !== 202) throw new Error(`send ${i} answered ${res.status}: ${res.text}`);
        ids.push(res.body.id);
      }
      return ids;
    },
  };
}
