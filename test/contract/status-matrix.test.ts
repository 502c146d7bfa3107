/**
 * Every /v1 operation × every status the contract documents for it, each produced for real and
 * validated by the contract client. The common paths are covered in depth elsewhere; this file
 * makes sure no documented pair is left unexercised.
 */
import { expect } from 'chai';
import { recordInboundMessage } from '../../server/src/domain/conversations.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import type { Implementations } from '../../server/src/operations/context.ts';
import type { ContractClient, ContractResponse } from '../support/contract.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness, startServer, unreachableDatabase } from '../support/harness.ts';
import { awayFromMinuteBoundary, newTenant, randomE164, type Tenant } from '../support/tenants.ts';

const MESSAGES = '/v1/whatsapp/messages';
const TEMPLATES = '/v1/whatsapp/templates';

interface Setup {
  readonly tenant: Tenant;
  text(): Promise<Record<string, unknown>>;
  template(): Record<string, unknown>;
  client(options?: Parameters<Tenant['key']>[0]): Promise<ContractClient>;
}

async function setup(quota = 1000): Promise<Setup> {
  const tenant = await newTenant(harness.db, { quota });
  const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
  await upsertTemplate(harness.db, connection.id, templateFromMeta(EXAMPLE_TEMPLATES[0]));
  return {
    tenant,
    text: async () => {
      const to = randomE164();
      await recordInboundMessage(harness.db, {
        businessNumber: tenant.from,
        customerNumber: to,
        platformMessageId: null,
        type: 'text',
        content: {},
        receivedAt: new Date(),
      });
      return { agent_id: tenant.agent.id, from: tenant.from, to, text: { body: 'hello' } };
    },
    template: () => ({
      agent_id: tenant.agent.id,
      from: tenant.from,
      to: randomE164(),
      template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'S', tracking_url: 'u' } },
    }),
    client: async (options = {}) =>
      harness.server.anonymous.withKey((await tenant.key({ rateLimitPerMinute: 1000, ...options })).plaintext),
  };
}

function expectStatus(res: ContractResponse, status: number, code?: string): void {
  expect(res.status, res.text).to.equal(status);
  if (code !== undefined) expect(res.body.error.code).to.equal(code);
}

describe('every documented status of every /v1 operation', () => {
  for (const [operation, path, kind] of [
    ['sendWhatsAppMessage', MESSAGES, 'text'],
    ['sendWhatsAppTemplate', TEMPLATES, 'template'],
  ] as const) {
    describe(operation, () => {
      const body = (s: Setup) => (kind === 'text' ? s.text() : Promise.resolve(s.template()));

      it('402 message_quota_exceeded', async () => {
        const s = await setup(0);
        expectStatus(await (await s.client({ environment: 'live' })).post(path, await body(s)), 402, 'message_quota_exceeded');
      });

      it('409 idempotency_key_in_progress', async function () {
        this.timeout(30_000);
        const s = await setup();
        const client = await s.client();
        const request = await body(s);
        // Concurrent duplicates until one arrives while the first is in flight (bounded).
        for (let round = 0; round < 20; round++) {
          const headers = { 'Idempotency-Key': `in-progress-${kind}-${round}` };
          const responses = await Promise.all(Array.from({ length: 12 }, () => client.post(path, request, { headers })));
          const conflict = responses.find((r) => r.status === 409);
          if (conflict) {
            expectStatus(conflict, 409, 'idempotency_key_in_progress');
            expect(conflict.headers.get('retry-after')).to.equal('1');
            return;
          }
        }
        expect.fail('no request met another in flight in 20 rounds');
      });

      it('413 request_body_too_large', async () => {
        const s = await setup();
        const res = await (await s.client()).request('POST', path, {
          body: JSON.stringify({ ...(await body(s)), padding: 'x'.repeat(70_000) }),
          headers: { 'Content-Type': 'application/json' },
        });
        expectStatus(res, 413, 'request_body_too_large');
      });

      it('429 rate_limit_exceeded', async function () {
        // It may wait for the next minute (awayFromMinuteBoundary): up to 10 s more than the default.
        this.timeout(30_000);
        const s = await setup();
        const client = await s.client({ rateLimitPerMinute: 1 });
        await awayFromMinuteBoundary(harness.db);
        expect((await client.post(path, await body(s))).status).to.equal(202);
        expectStatus(await client.post(path, await body(s)), 429, 'rate_limit_exceeded');
      });
    });
  }

  describe('with test-only handler maps and an unreachable database', () => {
    let s: Setup;
    let key: string;
    before(async () => {
      s = await setup();
      key = (await s.tenant.key({ rateLimitPerMinute: 1000 })).plaintext;
    });

    const requests = async (client: ContractClient): Promise<ContractResponse[]> => [
      await client.post(MESSAGES, await s.text()),
      await client.post(TEMPLATES, s.template()),
      await client.get(`${MESSAGES}/01c45011-d803-4eb0-a762-3228a4c392f3`),
    ];

    it('500 internal_error when a handler fails', async () => {
      const failing = async () => {
        throw new Error('boom: secret internals');
      };
      const handlers: Implementations = { sendWhatsAppMessage: failing, sendWhatsAppTemplate: failing, getWhatsAppMessageStatus: failing };
      const server = await startServer({ db: harness.db, handlers, apiKey: key });
      try {
        for (const res of await requests(server.api)) {
          expectStatus(res, 500, 'internal_error');
          expect(res.text).not.to.include('boom');
        }
      } finally {
        await server.close();
      }
    });

    it('501 not_implemented when a server has no handler for the operation', async () => {
      const server = await startServer({ db: harness.db, handlers: {}, apiKey: key });
      try {
        for (const res of await requests(server.api)) expectStatus(res, 501, 'not_implemented');
      } finally {
        await server.close();
      }
    });

    it('503 service_unavailable with Retry-After when the database is unreachable', async function () {
      this.timeout(30_000);
      const db = unreachableDatabase(1);
      const server = await startServer({ db, apiKey: key });
      try {
        for (const res of await requests(server.api)) {
          expectStatus(res, 503, 'service_unavailable');
          expect(res.headers.get('retry-after')).to.equal('1');
        }
      } finally {
        await server.close();
        await db.destroy();
      }
    });
  });
});
