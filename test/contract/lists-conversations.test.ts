/**
 * Conversations (GET /v1/whatsapp/conversations, and one by id) and the window lookup
 * (GET /v1/whatsapp/window): every documented status, what a key sees, the filters and pages.
 */
import { expect } from 'chai';
import { recordInboundMessage } from '../../server/src/domain/conversations.ts';
import { harness } from '../support/harness.ts';
import { randomE164 } from '../support/tenants.ts';
import { CONVERSATIONS, expectStatus, listsScene, MESSAGES, q, setup, UNKNOWN_ID, WINDOW } from './lists-support.ts';

describe('lists, conversations and the window', () => {
  const s = listsScene();

  describe('listWhatsAppConversations and getWhatsAppConversation', () => {
    it('200: the conversation with its open window; get answers the same object', async () => {
      const res = await s.test.get(CONVERSATIONS);
      expectStatus(res, 200);
      expect(res.body.data).to.have.length(1);
      const c = res.body.data[0];
      expect(c).to.include({
        id: s.conversationId,
        object: 'whatsapp.conversation',
        agent_id: s.tenant.agent.id,
        business_number: s.tenant.from,
        customer_number: s.customer,
      });
      expect(c.window.open).to.equal(true);
      const got = await s.test.get(`${CONVERSATIONS}/${s.conversationId.toUpperCase()}`);
      expectStatus(got, 200);
      expect(got.body).to.deep.equal(c);
      // The live key's conversation is another one; the test one is not listed for it.
      const live = await s.live.get(CONVERSATIONS);
      expect(live.body.data).to.have.length(1);
      expect(live.body.data[0].id).not.to.equal(s.conversationId);
      expectStatus(await s.live.get(`${CONVERSATIONS}/${s.conversationId}`), 404, 'conversation_not_found');
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
      expectStatus(await other.test.get(`${CONVERSATIONS}/${s.conversationId}`), 404, 'conversation_not_found');
    });
  });

  describe('getWhatsAppWindow', () => {
    it('200: open after the customer wrote, the same window as the conversation; closed for a pair that never spoke', async () => {
      const res = await s.test.get(WINDOW + q({ from: s.tenant.from, to: s.customer }));
      expectStatus(res, 200);
      const conversation = await s.test.get(`${CONVERSATIONS}/${s.conversationId}`);
      expect(res.body).to.deep.equal({
        object: 'whatsapp.window',
        from: s.tenant.from,
        to: s.customer,
        conversation_id: s.conversationId,
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
      const res = await s.test.get(`${WINDOW}?from=${s.tenant.from}&to=${s.customer}`);
      expectStatus(res, 200);
      expect(res.body).to.include({ from: s.tenant.from, to: s.customer, conversation_id: s.conversationId });
    });

    it('422: from and to are required E.164 numbers', async () => {
      expectStatus(await s.test.get(WINDOW + q({ to: s.customer })), 422, 'missing_required_field', 'from');
      expectStatus(await s.test.get(WINDOW + q({ from: s.tenant.from })), 422, 'missing_required_field', 'to');
      expectStatus(await s.test.get(WINDOW + q({ from: 'x', to: s.customer })), 422, 'invalid_from_phone', 'from');
    });
  });
});
