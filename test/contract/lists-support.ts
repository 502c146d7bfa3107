/**
 * What the list tests share: a tenant with a test and a live key, the shared scene (a customer
 * who wrote, three test sends to them and one live send elsewhere), status checks and queries.
 */
import { expect } from 'chai';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import type { ContractClient, ContractResponse } from '../support/contract.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164, type Tenant } from '../support/tenants.ts';

export const MESSAGES = '/v1/whatsapp/messages';
export const CONVERSATIONS = '/v1/whatsapp/conversations';
export const WINDOW = '/v1/whatsapp/window';
export const UNKNOWN_ID = '5b0e8f7c-2a41-4d7e-9a53-0c6f1d2e3b4a';

export interface Setup {
  readonly tenant: Tenant;
  readonly test: ContractClient;
  readonly live: ContractClient;
  template(to: string, agentFrom?: { agent: string; from: string }): Record<string, unknown>;
}

export async function setup(): Promise<Setup> {
  const tenant = await newTenant(harness.db, { quota: 1000 });
  const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
  for (const t of EXAMPLE_TEMPLATES) await upsertTemplate(harness.db, connection.id, templateFromMeta(t));
  const test = harness.server.anonymous.withKey((await tenant.key({ environment: 'test', rateLimitPerMinute: 100_000 })).plaintext);
  const live = harness.server.anonymous.withKey((await tenant.key({ environment: 'live', rateLimitPerMinute: 100_000 })).plaintext);
  return {
    tenant,
    test,
    live,
    template: (to, agentFrom) => ({
      agent_id: agentFrom?.agent ?? tenant.agent.id,
      from: agentFrom?.from ?? tenant.from,
      to,
      template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://t.example/1' } },
    }),
  };
}

export function expectStatus(res: ContractResponse, status: number, code?: string, param?: string): void {
  expect(res.status, res.text).to.equal(status);
  if (code !== undefined) expect(res.body.error.code).to.equal(code);
  if (param !== undefined) expect(res.body.error.param).to.equal(param);
}

export const q = (params: Record<string, string | number>) =>
  `?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`;

export interface Scene extends Setup {
  /** The customer who wrote (simulated: test mode) and got the three test sends. */
  readonly customer: string;
  /** The three test sends, oldest first. */
  readonly sentIds: readonly string[];
  readonly conversationId: string;
}

/** Registers a `before` hook that builds the scene; the fields are filled in once it ran. */
export function listsScene(): Scene {
  const scene = {} as { -readonly [K in keyof Scene]: Scene[K] };
  before(async () => {
    const t = await setup();
    const customer = randomE164();
    // The customer writes (simulated: test mode), then three template sends (test mode), one live send.
    const inbound = await t.test.post('/v1/whatsapp/sandbox/inbound', {
      agent_id: t.tenant.agent.id,
      from: t.tenant.from,
      to: customer,
      text: { body: 'Where is my order?' },
    });
    expectStatus(inbound, 200);
    const sentIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const sent = await t.test.post('/v1/whatsapp/templates', t.template(customer));
      expectStatus(sent, 202);
      sentIds.push(sent.body.id);
    }
    expectStatus(await t.live.post('/v1/whatsapp/templates', t.template(randomE164())), 202);
    Object.assign(scene, t, { customer, sentIds, conversationId: inbound.body.conversation_id });
  });
  return scene;
}
