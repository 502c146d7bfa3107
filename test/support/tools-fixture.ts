/**
 * The data the third-party contract tools (test/tools/: Schemathesis, Prism, newman) run with:
 * the contract fixture (seedContractFixture), plus what the webhook, event, list and window
 * operations need to answer with something other than 403 or 404 to a positive request:
 *
 * - a second test key with every scope those operations require (`whatsapp:send`,
 *   `whatsapp:read`, `webhooks:manage`); the contract fixture's own key keeps its two WhatsApp
 *   scopes, so the tests that rely on it lacking `webhooks:manage` keep their meaning;
 * - a test-mode message from the examples' customer (the sandbox's simulated message), so the
 *   test key lists a conversation, an inbound message and a `message.received` event;
 * - a test-mode webhook endpoint on a loopback URL (test-mode endpoints may use loopback), which
 *   the tools read, update, rotate and redeliver to.
 */
import type { Knex } from 'knex';
import { createApiKey } from '../../server/src/domain/api-keys/store.ts';
import { recordInboundMessage } from '../../server/src/domain/conversations.ts';
import { WebhookEndpoints } from '../../server/src/domain/webhooks/endpoints.ts';
import { type ContractFixture, seedContractFixture } from './fixtures.ts';

/** Where the seeded endpoint, and the endpoints the tools create, point: loopback, nothing listens. */
export const TOOLS_WEBHOOK_URL = 'http://127.0.0.1:9/webhooks/mojeeb';

export interface ToolsFixture extends ContractFixture {
  readonly webhookEndpointId: string;
  readonly webhookUrl: string;
  readonly eventId: string;
  readonly conversationId: string;
}

export async function seedToolsFixture(db: Knex): Promise<ToolsFixture> {
  const contract = await seedContractFixture(db);
  const key = await createApiKey(db, {
    organizationId: contract.organizationId,
    name: 'contract tools',
    environment: 'test',
    scopes: ['whatsapp:send', 'whatsapp:read', 'webhooks:manage'],
    rateLimitPerMinute: 1_000_000,
  });
  const inbound = await recordInboundMessage(db, {
    businessNumber: contract.from,
    customerNumber: contract.to,
    platformMessageId: null,
    type: 'text',
    content: { body: 'Hello, is my order on its way?', simulated: true },
    receivedAt: new Date(),
    environment: 'test',
  });
  const event = await db('events')
    .where({ organization_id: contract.organizationId, environment: 'test', type: 'message.received' })
    .orderBy('created_at', 'desc')
    .first<{ id: string } | undefined>('id');
  if (event === undefined) throw new Error('seedToolsFixture: the simulated message recorded no message.received event');
  const endpoints = new WebhookEndpoints(db, null, false);
  const endpoint = await endpoints.create(
    { organizationId: contract.organizationId, environment: 'test' },
    { url: TOOLS_WEBHOOK_URL, enabled_events: ['*'], description: 'contract tools' },
  );
  return {
    ...contract,
    apiKey: key.plaintext,
    keyId: key.record.id,
    webhookEndpointId: endpoint.id,
    webhookUrl: TOOLS_WEBHOOK_URL,
    eventId: event.id,
    conversationId: inbound.conversationId,
  };
}
