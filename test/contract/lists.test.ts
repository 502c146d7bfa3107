/**
 * Lists, conversations and the window lookup: every documented (operation, status) pair, what a
 * key sees (organization, environment, agents) and the filters. Pagination under concurrent
 * inserts is test/integration/pagination.test.ts.
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
const CONVERSATIONS = '/v1/whatsapp/conversations';
const WINDOW = '/v1/whatsapp/window';
const UNKNOWN_ID = '5b0e8f7c-2a41-4d7e-9a53-0c6f1d2e3b4a';

interface Setup {
  readonly tenant: Tenant;
  readonly test: ContractClient;
  readonly live: ContractClient;
  template(to: string, agentFrom?: { agent: string; from: string }): Record<string, unknown>;
}

async function setup(): Promise<Setup> {
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

function expectStatus(res: ContractResponse, status: number, code?: string, param?: string): void {
  expect(res.status, res.text).to.equal(status);
  if (code !== undefined) expect(res.body.error.code).to.equal(code);
  if (param !== undefined) expect(res.body.error.param).to.equal(param);
}

const q = (params: Record<string, string | number>) => `?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`;

describe('lists, conversations and the window', () => {
  let s: Setup;
  let customer: string;
  let sentIds: string[];
  let conversationId: string;
  before(async () => {
    s = await setup();
    customer = randomE164();
    // The customer writes (simulated: test mode), then three template sends (test mode), one live send.
    const inbound = await s.test.post('/v1/whatsapp/sandbox/inbound', {
      agent_id: s.tenant.agent.id,
      from: s.tenant.from,
      to: customer,
      text: { body: 'Where is my order?' },
    });
    expectStatus(inbound, 200);
    conversationId = inbound.body.conversation_id;
    sentIds = [];
    for (let i = 0; i < 3; i++) {
      const sent = await s.test.post('/v1/whatsapp/templates', s.template(customer));
      expectStatus(sent, 202);
      sentIds.push(sent.body.id);
    }
    expectStatus(await s.live.post('/v1/whatsapp/templates', s.template(randomE164())), 202);
  });

  describe('listWhatsAppMessages', () => {
    it('200: both directions, newest first, the inbound one with its text', async () => {
      const res = await s.test.get(MESSAGES);
      expectStatus(res, 200);
      expect(res.body.object).to.equal('list');
      expect(res.body.has_more).to.equal(false);
      expect(res.body.next_cursor).to.equal(null);
      const data = res.body.data as Array<Record<string, any>>;
      expect(data.map((m) => m.direction)).to.deep.equal(['outbound', 'outbound', 'outbound', 'inbound']);
      expect(data.slice(0, 3).map((m) => m.id)).to.deep.equal([...sentIds].reverse());
      const inbound = data[3]!;
      expect(inbound).to.include({
        from: customer,
        to: s.tenant.from,
        type: 'text',
        conversation_id: conversationId,
        agent_id: s.tenant.agent.id,
        media: null,
      });
      expect(inbound.text).to.deep.equal({ body: 'Where is my order?' });
      // The same Message resource as the status lookup.
      const one = await s.test.get(`${MESSAGES}/${sentIds[2]}`);
      expect(data[0]).to.deep.equal(one.body);
    });

    it('200: a test key sees test data only, a live key live data only, another organization nothing', async () => {
      const live = await s.live.get(MESSAGES);
      expectStatus(live, 200);
      expect(live.body.data).to.have.length(1);
      expect(live.body.data[0].direction).to.equal('outbound');
      expect(live.body.data.map((m: { id: string }) => m.id)).not.to.include.members(sentIds);
      const other = await setup();
      const res = await other.test.get(MESSAGES);
      expect(res.body.data).to.deep.equal([]);
    });

    it('200: a live inbound message (from WhatsApp) is listed for live keys only', async () => {
      const t = await setup();
      const who = randomE164();
      await recordInboundMessage(harness.db, {
        businessNumber: t.tenant.from,
        customerNumber: who,
        platformMessageId: `wamid.lists.${who}`,
        type: 'image',
        content: { id: '998877', mime_type: 'image/jpeg', sha256: 'abc', caption: 'receipt' },
        receivedAt: new Date(Date.now() - 5000),
      });
      const live = await t.live.get(MESSAGES);
      expect(live.body.data).to.have.length(1);
      expect(live.body.data[0]).to.include({ direction: 'inbound', type: 'image', text: null, platform_message_id: `wamid.lists.${who}` });
      expect(live.body.data[0].media).to.deep.equal({
        id: '998877',
        mime_type: 'image/jpeg',
        sha256: 'abc',
        caption: 'receipt',
        filename: null,
      });
      expect((await t.test.get(MESSAGES)).body.data).to.deep.equal([]);
    });

    it('200: filters by direction, status, from, to, conversation, agent and creation time', async () => {
      const ids = async (params: Record<string, string | number>) => {
        const res = await s.test.get(MESSAGES + q(params));
        expectStatus(res, 200);
        return (res.body.data as Array<{ id: string; direction: string }>).map((m) => m.direction[0] + ':' + m.id);
      };
      const all = await ids({});
      expect(await ids({ direction: 'inbound' })).to.deep.equal([all[3]]);
      expect(await ids({ direction: 'outbound' })).to.deep.equal(all.slice(0, 3));
      expect(await ids({ status: 'queued', limit: 100 })).to.have.length.at.most(3);
      expect(await ids({ status: 'no_such_status' })).to.deep.equal([]);
      expect(await ids({ from: customer })).to.deep.equal([all[3]]);
      expect(await ids({ to: customer })).to.deep.equal(all.slice(0, 3));
      expect(await ids({ conversation_id: conversationId.toUpperCase() })).to.deep.equal(all);
      expect(await ids({ conversation_id: UNKNOWN_ID })).to.deep.equal([]);
      expect(await ids({ agent_id: s.tenant.agent.id })).to.deep.equal(all);
      expect(await ids({ 'created[lt]': '2000-01-01T00:00:00Z' })).to.deep.equal([]);
      expect(await ids({ 'created[gte]': '2000-01-01T00:00:00Z', 'created[lt]': '2999-01-01T00:00:00Z' })).to.deep.equal(all);
      // Any RFC 3339 time: offsets PostgreSQL would refuse, a leap second, year 0.
      expect(await ids({ 'created[gte]': '1289-07-04T19:30:53.729+20:02' })).to.deep.equal(all);
      expect(await ids({ 'created[gte]': '0000-01-01T00:00:00Z', 'created[lt]': '2016-12-31T23:59:60Z' })).to.deep.equal([]);
      expect(await ids({ 'created[lt]': '0000-01-01T00:00:00-23:59' })).to.deep.equal([]);
      expect(await ids({ 'created[lt]': '9999-12-31T23:59:59-23:59' })).to.deep.equal(all);
    });

    it('200: pages of `limit` items follow each other through next_cursor', async () => {
      const first = await s.test.get(MESSAGES + q({ limit: 3 }));
      expectStatus(first, 200);
      expect(first.body.data).to.have.length(3);
      expect(first.body.has_more).to.equal(true);
      const second = await s.test.get(MESSAGES + q({ limit: 3, cursor: first.body.next_cursor }));
      expectStatus(second, 200);
      expect(second.body.data.map((m: { direction: string }) => m.direction)).to.deep.equal(['inbound']);
      expect(second.body).to.include({ has_more: false, next_cursor: null });
    });

    it("400 invalid_cursor: altered, not base64url, or another list's cursor", async () => {
      const page = await s.test.get(MESSAGES + q({ limit: 1 }));
      const cursor = page.body.next_cursor as string;
      const conversations = await s.test.get(CONVERSATIONS + q({ limit: 1 }));
      for (const bad of ['!!!', cursor.slice(0, -4), Buffer.from('m:yesterday_x').toString('base64url')]) {
        expectStatus(await s.test.get(MESSAGES + q({ cursor: bad })), 400, 'invalid_cursor', 'cursor');
      }
      const other = await setup();
      await other.test.post('/v1/whatsapp/templates', other.template(randomE164()));
      await other.test.post('/v1/whatsapp/templates', other.template(randomE164()));
      const theirs = await other.test.get(CONVERSATIONS + q({ limit: 1 }));
      expectStatus(await s.test.get(MESSAGES + q({ cursor: theirs.body.next_cursor })), 400, 'invalid_cursor');
      expect(conversations.status).to.equal(200);
    });

    it('422: limit out of range or not an integer, and malformed filters', async () => {
      for (const limit of ['0', '101', 'ten', '2.5'])
        expectStatus(await s.test.get(MESSAGES + q({ limit })), 422, 'invalid_field_value', 'limit');
      expectStatus(await s.test.get(`${MESSAGES}?limit=2&limit=3`), 422, 'invalid_field_value', 'limit');
      expectStatus(await s.test.get(MESSAGES + q({ agent_id: 'nope' })), 422, 'invalid_agent_id', 'agent_id');
      expectStatus(await s.test.get(MESSAGES + q({ to: '5551234' })), 422, 'invalid_phone_number', 'to');
      expectStatus(await s.test.get(MESSAGES + q({ from: '5551234' })), 422, 'invalid_from_phone', 'from');
      expectStatus(await s.test.get(MESSAGES + q({ direction: 'sideways' })), 422, 'invalid_field_value', 'direction');
      expectStatus(await s.test.get(MESSAGES + q({ 'created[gte]': 'last week' })), 422, 'invalid_field_value', 'created[gte]');
    });
  });

  describe('agent restriction', () => {
    it("a key restricted to one agent lists only that agent's messages and conversations; naming another is 403", async () => {
      const t = await setup();
      const second = await t.tenant.addAgent();
      const { createConnection } = await import('../../server/src/domain/agents.ts');
      const secondFrom = randomE164();
      await createConnection(harness.db, { agentId: second.id, phoneNumber: secondFrom }, null);
      const connection = await harness.db('whatsapp_connections').where({ agent_id: second.id }).first('id');
      for (const tpl of EXAMPLE_TEMPLATES) await upsertTemplate(harness.db, connection.id, templateFromMeta(tpl));
      expectStatus(await t.test.post('/v1/whatsapp/templates', t.template(randomE164())), 202);
      const theirs = await t.test.post('/v1/whatsapp/templates', t.template(randomE164(), { agent: second.id, from: secondFrom }));
      expectStatus(theirs, 202);
      const restricted = harness.server.anonymous.withKey(
        (await t.tenant.key({ agentIds: [second.id], rateLimitPerMinute: 1000 })).plaintext,
      );
      const listed = await restricted.get(MESSAGES);
      expect(listed.body.data.map((m: { id: string }) => m.id)).to.deep.equal([theirs.body.id]);
      const conversations = await restricted.get(CONVERSATIONS);
      expect(conversations.body.data.map((c: { id: string }) => c.id)).to.deep.equal([theirs.body.conversation_id]);
      expectStatus(await restricted.get(MESSAGES + q({ agent_id: t.tenant.agent.id })), 403, 'agent_not_authorized', 'agent_id');
      expectStatus(await restricted.get(CONVERSATIONS + q({ agent_id: t.tenant.agent.id })), 403, 'agent_not_authorized', 'agent_id');
      const mine = (await t.test.get(CONVERSATIONS + q({ agent_id: t.tenant.agent.id }))).body.data[0].id as string;
      expectStatus(await restricted.get(`${CONVERSATIONS}/${mine}`), 404, 'conversation_not_found');
      const window = await restricted.get(WINDOW + q({ from: t.tenant.from, to: randomE164() }));
      expect(window.body.conversation_id).to.equal(null);
    });
  });

  describe('listWhatsAppConversations and getWhatsAppConversation', () => {
    it('200: the conversation with its open window; get answers the same object', async () => {
      const res = await s.test.get(CONVERSATIONS);
      expectStatus(res, 200);
      expect(res.body.data).to.have.length(1);
      const c = res.body.data[0];
      expect(c).to.include({
        id: conversationId,
        object: 'whatsapp.conversation',
        agent_id: s.tenant.agent.id,
        business_number: s.tenant.from,
        customer_number: customer,
      });
      expect(c.window.open).to.equal(true);
      const got = await s.test.get(`${CONVERSATIONS}/${conversationId.toUpperCase()}`);
      expectStatus(got, 200);
      expect(got.body).to.deep.equal(c);
      // The live key's conversation is another one; the test one is not listed for it.
      const live = await s.live.get(CONVERSATIONS);
      expect(live.body.data).to.have.length(1);
      expect(live.body.data[0].id).not.to.equal(conversationId);
      expectStatus(await s.live.get(`${CONVERSATIONS}/${conversationId}`), 404, 'conversation_not_found');
    });

    it('200: filters and pages', async () => {
      const t = await setup();
      const customers = [randomE164(), randomE164(), randomE164()];
      for (const c of customers) expectStatus(await t.test.post('/v1/whatsapp/templates', t.template(c)), 202);
      const first = await t.test.get(CONVERSATIONS + q({ limit: 2 }));
      expect(first.body.data.map((c: { customer_number: string }) => c.customer_number)).to.deep.equal([customers[2], customers[1]]);
      const second = await t.test.get(CONVERSATIONS + q({ limit: 2, cursor: first.body.next_cursor }));
      expect(second.body.data.map((c: { customer_number: string }) => c.customer_number)).to.deep.equal([customers[0]]);
      expect(second.body.has_more).to.equal(false);
      const one = await t.test.get(CONVERSATIONS + q({ customer_number: customers[1]!, business_number: t.tenant.from }));
      expect(one.body.data).to.have.length(1);
      expect(one.body.data[0].window).to.deep.equal({ open: false, last_inbound_at: null, expires_at: null });
      expectStatus(await t.test.get(CONVERSATIONS + q({ cursor: first.body.next_cursor.slice(2) })), 400, 'invalid_cursor');
      const messagesCursor = (await t.test.get(MESSAGES + q({ limit: 1 }))).body.next_cursor;
      expectStatus(await t.test.get(CONVERSATIONS + q({ cursor: messagesCursor })), 400, 'invalid_cursor');
      expectStatus(await t.test.get(CONVERSATIONS + q({ limit: 500 })), 422, 'invalid_field_value', 'limit');
    });

    it("404 conversation_not_found: unknown, malformed, or another organization's", async () => {
      expectStatus(await s.test.get(`${CONVERSATIONS}/${UNKNOWN_ID}`), 404, 'conversation_not_found');
      expectStatus(await s.test.get(`${CONVERSATIONS}/not-a-uuid`), 404, 'conversation_not_found');
      const other = await setup();
      expectStatus(await other.test.get(`${CONVERSATIONS}/${conversationId}`), 404, 'conversation_not_found');
    });
  });

  describe('getWhatsAppWindow', () => {
    it('200: open after the customer wrote, the same window as the conversation; closed for a pair that never spoke', async () => {
      const res = await s.test.get(WINDOW + q({ from: s.tenant.from, to: customer }));
      expectStatus(res, 200);
      const conversation = await s.test.get(`${CONVERSATIONS}/${conversationId}`);
      expect(res.body).to.deep.equal({
        object: 'whatsapp.window',
        from: s.tenant.from,
        to: customer,
        conversation_id: conversationId,
        ...conversation.body.window,
      });
      expect(res.body.open).to.equal(true);
      const never = await s.live.get(WINDOW + q({ from: s.tenant.from, to: randomE164() }));
      expect(never.body).to.include({ open: false, last_inbound_at: null, expires_at: null, conversation_id: null });
    });

    it("200: a window that closed 24 hours after the customer's last message", async () => {
      const t = await setup();
      const who = randomE164();
      const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 25 * 3_600_000);
      await recordInboundMessage(harness.db, {
        businessNumber: t.tenant.from,
        customerNumber: who,
        platformMessageId: null,
        type: 'text',
        content: { body: 'hi' },
        receivedAt: at,
      });
      const res = await t.live.get(WINDOW + q({ from: t.tenant.from, to: who }));
      expect(res.body).to.include({
        open: false,
        last_inbound_at: at.toISOString().replace('.000Z', 'Z'),
        expires_at: new Date(at.getTime() + 86_400_000).toISOString().replace('.000Z', 'Z'),
      });
      // What the send says about the same window.
      const send = await t.live.post(MESSAGES, { agent_id: t.tenant.agent.id, from: t.tenant.from, to: who, text: { body: 'hi' } });
      expectStatus(send, 422, 'customer_service_window_closed');
      expect(send.body.error.window).to.deep.equal({
        open: res.body.open,
        last_inbound_at: res.body.last_inbound_at,
        expires_at: res.body.expires_at,
      });
    });

    it('200: a + left unencoded in the query (a space) is read as the +', async () => {
      const res = await s.test.get(`${WINDOW}?from=${s.tenant.from}&to=${customer}`);
      expectStatus(res, 200);
      expect(res.body).to.include({ from: s.tenant.from, to: customer, conversation_id: conversationId });
    });

    it('422: from and to are required E.164 numbers', async () => {
      expectStatus(await s.test.get(WINDOW + q({ to: customer })), 422, 'missing_required_field', 'from');
      expectStatus(await s.test.get(WINDOW + q({ from: s.tenant.from })), 422, 'missing_required_field', 'to');
      expectStatus(await s.test.get(WINDOW + q({ from: 'x', to: customer })), 422, 'invalid_from_phone', 'from');
    });
  });

  describe('authentication, scope, rate limit and failures, for every new operation', () => {
    const paths = () => [MESSAGES, CONVERSATIONS, `${CONVERSATIONS}/${UNKNOWN_ID}`, WINDOW + q({ from: s.tenant.from, to: customer })];

    it('401 invalid_api_key without a key', async () => {
      for (const path of paths()) expectStatus(await harness.server.anonymous.get(path), 401, 'invalid_api_key');
    });

    it('403 insufficient_scope for a key without whatsapp:read or whatsapp:send; either one suffices', async () => {
      const none = harness.server.anonymous.withKey((await s.tenant.key({ scopes: ['messenger:send'] })).plaintext);
      for (const path of paths()) {
        const res = await none.get(path);
        expectStatus(res, 403, 'insufficient_scope');
        expect(res.body.error.required_scope).to.equal('whatsapp:read');
      }
      for (const scopes of [['whatsapp:read'], ['whatsapp:send']] as const) {
        const client = harness.server.anonymous.withKey((await s.tenant.key({ scopes, rateLimitPerMinute: 1000 })).plaintext);
        for (const path of paths()) expect((await client.get(path)).status).to.be.oneOf([200, 404]);
      }
    });

    it("429 rate_limit_exceeded: lists spend the key's own budget", async () => {
      await awayFromMinuteBoundary(harness.db);
      for (const path of paths()) {
        const client = harness.server.anonymous.withKey((await s.tenant.key({ rateLimitPerMinute: 1 })).plaintext);
        expect((await client.get(path)).status).to.be.oneOf([200, 404]);
        expectStatus(await client.get(path), 429, 'rate_limit_exceeded');
      }
    });

    it('500, 501 and 503', async function () {
      this.timeout(40_000);
      const key = (await s.tenant.key({ rateLimitPerMinute: 1000 })).plaintext;
      const failing = async () => {
        throw new Error('boom: secret internals');
      };
      const handlers: Implementations = {
        listWhatsAppMessages: failing,
        listWhatsAppConversations: failing,
        getWhatsAppConversation: failing,
        getWhatsAppWindow: failing,
      };
      for (const [options, status, code] of [
        [{ handlers }, 500, 'internal_error'],
        [{ handlers: {} }, 501, 'not_implemented'],
      ] as const) {
        const server = await startServer({ db: harness.db, apiKey: key, ...options });
        try {
          for (const path of paths()) {
            const res = await server.api.get(path);
            expectStatus(res, status, code);
            expect(res.text).not.to.include('boom');
          }
        } finally {
          await server.close();
        }
      }
      const db = unreachableDatabase(1);
      const server = await startServer({ db, apiKey: key });
      try {
        for (const path of paths()) expectStatus(await server.api.get(path), 503, 'service_unavailable');
      } finally {
        await server.close();
        await db.destroy();
      }
    });
  });
});
