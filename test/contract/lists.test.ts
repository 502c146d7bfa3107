/**
 * The message list (GET /v1/whatsapp/messages): every documented status, what a key sees
 * (organization, environment) and the filters; and what a key restricted to agents sees of the
 * lists. Conversations and the window: lists-conversations.test.ts; authentication, scope, rate
 * limit and failures of every list operation: lists-access.test.ts. Pagination under concurrent
 * inserts is test/integration/pagination.test.ts.
 */
import { expect } from 'chai';
import { recordInboundMessage } from '../../server/src/domain/conversations.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { randomE164 } from '../support/tenants.ts';
import { CONVERSATIONS, expectStatus, listsScene, MESSAGES, q, setup, UNKNOWN_ID, WINDOW } from './lists-support.ts';

describe('lists, conversations and the window', () => {
  const s = listsScene();

  describe('listWhatsAppMessages', () => {
    it('200: both directions, newest first, the inbound one with its text', async () => {
      const res = await s.test.get(MESSAGES);
      expectStatus(res, 200);
      expect(res.body.object).to.equal('list');
      expect(res.body.has_more).to.equal(false);
      expect(res.body.next_cursor).to.equal(null);
      const data = res.body.data as Array<Record<string, any>>;
      expect(data.map((m) => m.direction)).to.deep.equal(['outbound', 'outbound', 'outbound', 'inbound']);
      expect(data.slice(0, 3).map((m) => m.id)).to.deep.equal([...s.sentIds].reverse());
      const inbound = data[3]!;
      expect(inbound).to.include({
        from: s.customer,
        to: s.tenant.from,
        type: 'text',
        conversation_id: s.conversationId,
        agent_id: s.tenant.agent.id,
        media: null,
      });
      expect(inbound.text).to.deep.equal({ body: 'Where is my order?' });
      // The same Message resource as the status lookup.
      const one = await s.test.get(`${MESSAGES}/${s.sentIds[2]}`);
      expect(data[0]).to.deep.equal(one.body);
    });

    it('200: a test key sees test data only, a live key live data only, another organization nothing', async () => {
      const live = await s.live.get(MESSAGES);
      expectStatus(live, 200);
      expect(live.body.data).to.have.length(1);
      expect(live.body.data[0].direction).to.equal('outbound');
      expect(live.body.data.map((m: { id: string }) => m.id)).not.to.include.members(s.sentIds);
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
      expect(await ids({ from: s.customer })).to.deep.equal([all[3]]);
      expect(await ids({ to: s.customer })).to.deep.equal(all.slice(0, 3));
      expect(await ids({ conversation_id: s.conversationId.toUpperCase() })).to.deep.equal(all);
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
});
