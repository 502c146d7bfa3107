/**
 * The data a live-server run needs to call the API as an integrator would: a Professional
 * organization, an agent whose id is the one in openapi.yaml's request examples, its active
 * sandbox number (the examples' `from`) with the examples' templates approved, an open
 * customer-service window with the examples' `to`, and a test key with every WhatsApp scope and
 * a limit high enough that no test meets it by accident. The spec's examples then work as
 * written.
 */
import type { Knex } from 'knex';
import { createAgent, createConnection } from '../../server/src/domain/agents.ts';
import { createApiKey } from '../../server/src/domain/api-keys/store.ts';
import { recordInboundMessage } from '../../server/src/domain/conversations.ts';
import { createOrganization } from '../../server/src/domain/organizations.ts';
import { EXAMPLE_TEMPLATES_META } from '../../server/src/domain/demo.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';

/** The templates the request examples of openapi.yaml use, as Meta would return them (the demo data carries them too). */
export const EXAMPLE_TEMPLATES = EXAMPLE_TEMPLATES_META;

export const EXAMPLE_AGENT_ID = '12345678-1234-1234-1234-123456789012';
export const EXAMPLE_FROM = '+15557654321';
export const EXAMPLE_TO = '+15551234567';

export interface ContractFixture {
  readonly apiKey: string;
  readonly keyId: string;
  readonly organizationId: string;
  readonly agentId: string;
  readonly from: string;
  readonly to: string;
}

export async function seedContractFixture(db: Knex): Promise<ContractFixture> {
  const organization = await createOrganization(db, { name: 'Contract tests', plan: 'professional', monthlyMessageQuota: 1_000_000 });
  const agent = await createAgent(db, { organizationId: organization.id, name: 'Example agent', id: EXAMPLE_AGENT_ID });
  const connection = await createConnection(db, { agentId: agent.id, phoneNumber: EXAMPLE_FROM }, null);
  for (const template of EXAMPLE_TEMPLATES) await upsertTemplate(db, connection.id, templateFromMeta(template));
  await recordInboundMessage(db, {
    businessNumber: EXAMPLE_FROM,
    customerNumber: EXAMPLE_TO,
    platformMessageId: null,
    type: 'text',
    content: { body: 'Hello, is my order on its way?' },
    receivedAt: new Date(),
  });
  const key = await createApiKey(db, {
    organizationId: organization.id,
    name: 'contract tests',
    environment: 'test',
    scopes: ['whatsapp:send', 'whatsapp:read'],
    rateLimitPerMinute: 1_000_000,
  });
  return {
    apiKey: key.plaintext,
    keyId: key.record.id,
    organizationId: organization.id,
    agentId: agent.id,
    from: EXAMPLE_FROM,
    to: EXAMPLE_TO,
  };
}
