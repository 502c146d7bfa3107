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
