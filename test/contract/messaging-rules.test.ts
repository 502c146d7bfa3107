/** Idempotency, visibility, threading, deletions and text the database cannot hold. */
import { expect } from 'chai';
import { recordInboundMessage } from '../../server/src/domain/conversations.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164 } from '../support/tenants.ts';
import { counts, customerWrites, expectError, HOUR, MESSAGES, sandbox, TEMPLATES, type Sandbox } from './messaging-support.ts';

describe('messaging', () => {
  describe('idempotency', () => {
    it('replays the original response for the same key and body, with Idempotent-Replayed: true', async () => {
      const s = await sandbox();
      const body = s.template(randomE164());
      const headers = { 'Idempotency-Key': 'order-12345-confirmation' };
      const first = await s.client.post(TEMPLATES, body, { headers });
      const reordered = JSON.parse(JSON.stringify({ template: body.template, to: body.to, from: body.from, agent_id: body.agent_id }));
      const again = await s.client.post(TEMPLATES, reordered, { headers });
      expect(first.status).to.equal(202);
      expect(again.status).to.equal(202);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      expect(again.body).to.deep.equal(first.body);
      expect(again.correlationId).not.to.equal(first.correlationId);
      expect((await counts(harness.db, s.tenant.organization.id)).messages).to.equal(1);
    });

    it('answers 422 idempotency_key_in_use_with_different_params, naming the first request', async () => {
      const s = await sandbox();
      const headers = { 'Idempotency-Key': 'signup-456-welcome' };
      const first = await s.client.post(TEMPLATES, s.template(randomE164()), { headers });
      const other = await s.client.post(TEMPLATES, s.template(randomE164()), { headers });
      expectError(other, 422, 'idempotency_key_in_use_with_different_params');
      expect(other.body.error.original_correlation_id).to.equal(first.correlationId);
      const customer = randomE164();
      await customerWrites(s, customer);
      expectError(await s.client.post(MESSAGES, s.text(customer), { headers }), 422, 'idempotency_key_in_use_with_different_params');
      expect((await counts(harness.db, s.tenant.organization.id)).messages).to.equal(1);
    });

    it('scopes keys to the API key that sent them', async () => {
      const s = await sandbox();
      const body = s.template(randomE164());
      const headers = { 'Idempotency-Key': 'shared-value' };
      const otherKey = await s.tenant.key({ rateLimitPerMinute: 1000 });
      const a = await s.client.post(TEMPLATES, body, { headers });
      const b = await s.client.withKey(otherKey.plaintext).post(TEMPLATES, body, { headers });
      expect(b.headers.get('idempotent-replayed')).to.equal(null);
      expect(b.body.id).not.to.equal(a.body.id);
    });

    it('stores nothing for a refused request: the corrected request goes through with the same key', async () => {
      const s = await sandbox();
      const headers = { 'Idempotency-Key': 'fix-and-retry' };
      expectError(await s.client.post(TEMPLATES, s.template(randomE164(), { name: 'nope' }), { headers }), 422, 'template_not_found');
      const fixed = await s.client.post(TEMPLATES, s.template(randomE164()), { headers });
      expect(fixed.status).to.equal(202);
      expect(fixed.headers.get('idempotent-replayed')).to.equal(null);
    });

    it('leaves exactly one message and one delivery job for 50 concurrent identical sends', async function () {
      this.timeout(30_000);
      const s = await sandbox();
      const body = s.template(randomE164());
      const headers = { 'Idempotency-Key': 'burst-1' };
      const responses = await Promise.all(Array.from({ length: 50 }, () => s.client.post(TEMPLATES, body, { headers })));
      const statuses = new Set(responses.map((r) => r.status));
      expect(
        [...statuses].every((st) => st === 202 || st === 409),
        [...statuses].join(),
      ).to.equal(true);
      for (const r of responses.filter((r) => r.status === 409)) {
        expect(r.body.error.code).to.equal('idempotency_key_in_progress');
        expect(r.headers.get('retry-after')).to.equal('1');
      }
      const ids = new Set(responses.filter((r) => r.status === 202).map((r) => r.body.id));
      expect(ids.size).to.equal(1);
      const after = await counts(harness.db, s.tenant.organization.id);
      expect({ messages: after.messages, jobs: after.jobs }).to.deep.equal({ messages: 1, jobs: 1 });
      // Once the first finished, every retry replays it.
      const retry = await s.client.post(TEMPLATES, body, { headers });
      expect(retry.headers.get('idempotent-replayed')).to.equal('true');
      expect(retry.body.id).to.equal([...ids][0]);
    });
  });

  describe('visibility', () => {
    it('answers 404 message_not_found for another organization’s message, another environment’s, or an agent outside the allow-list', async () => {
      const s = await sandbox();
      const sent = await s.client.post(TEMPLATES, s.template(randomE164()));
      const path = `${MESSAGES}/${sent.body.id}`;
      const stranger = await sandbox();
      const live = await s.tenant.key({ environment: 'live' });
      const otherAgent = await s.tenant.addAgent();
      const restricted = await s.tenant.key({ agentIds: [otherAgent.id] });
      const sameOrg = await s.tenant.key({ scopes: ['whatsapp:read'] });
      const unknown = await s.client.get(`${MESSAGES}/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee`);
      expectError(unknown, 404, 'message_not_found');
      for (const client of [stranger.client, s.client.withKey(live.plaintext), s.client.withKey(restricted.plaintext)]) {
        const res = await client.get(path);
        expectError(res, 404, 'message_not_found');
      }
      const allowed = await s.client.withKey(sameOrg.plaintext).get(path);
      expect(allowed.status).to.equal(200);
      expect((await s.client.get(path.toUpperCase().replace('/V1/WHATSAPP/MESSAGES', MESSAGES))).status).to.equal(200);
    });
  });

  describe('threading', () => {
    it('puts API sends and the customer’s messages for one (number, customer) in one conversation', async () => {
      const s = await sandbox();
      const customer = randomE164();
      const template = await s.client.post(TEMPLATES, s.template(customer));
      const inbound = await recordInboundMessage(harness.db, {
        businessNumber: s.tenant.from,
        customerNumber: customer,
        platformMessageId: `wamid.in.${Date.now()}`,
        type: 'text',
        content: { body: 'thanks' },
        receivedAt: new Date(),
      });
      const text = await s.client.post(MESSAGES, s.text(customer));
      expect(template.body.conversation_id).to.equal(inbound.conversationId);
      expect(text.body.conversation_id).to.equal(inbound.conversationId);
      const other = await s.client.post(TEMPLATES, s.template(randomE164()));
      expect(other.body.conversation_id).not.to.equal(inbound.conversationId);
    });

    it('never moves the window back for a late, older inbound message, and records a redelivery once', async () => {
      const s = await sandbox();
      const customer = randomE164();
      const id = `wamid.dup.${Date.now()}`;
      const inbound = (receivedAt: Date, platformMessageId: string) =>
        recordInboundMessage(harness.db, {
          businessNumber: s.tenant.from,
          customerNumber: customer,
          platformMessageId,
          type: 'text',
          content: {},
          receivedAt,
        });
      const first = await inbound(new Date(Date.now() - HOUR), id);
      const again = await inbound(new Date(Date.now() - HOUR), id);
      const older = await inbound(new Date(Date.now() - 30 * HOUR), `${id}.old`);
      expect([first.created, again.created, older.created]).to.deep.equal([true, false, true]);
      expect(older.window.last_inbound_at).to.equal(first.window.last_inbound_at);
      expect(older.window.open).to.equal(true);
    });
  });

  describe('deleting an organization, an agent or a number', () => {
    it('removes their conversations and messages, as the foreign keys’ cascades did', async () => {
      const a = await sandbox();
      const b = await sandbox();
      const c = await sandbox();
      for (const s of [a, b, c]) expect((await s.client.post(TEMPLATES, s.template(randomE164()))).status).to.equal(202);
      const conversations = async (s: Sandbox) =>
        Number((await harness.db('conversations').where({ organization_id: s.tenant.organization.id }).count({ n: '*' }))[0]!.n);
      expect((await counts(harness.db, a.tenant.organization.id)).messages).to.equal(1);

      await harness.db('organizations').where({ id: a.tenant.organization.id }).delete();
      await harness.db('agents').where({ id: b.tenant.agent.id }).delete();
      await harness.db('whatsapp_connections').where({ id: c.connectionId }).delete();

      expect((await counts(harness.db, a.tenant.organization.id)).messages).to.equal(0);
      expect(await conversations(a)).to.equal(0);
      expect((await counts(harness.db, b.tenant.organization.id)).messages).to.equal(0);
      expect(await conversations(b)).to.equal(0);
      expect((await counts(harness.db, c.tenant.organization.id)).messages).to.equal(0);
    });
  });
});

describe('messaging: text the database cannot hold', () => {
  it('accepts U+0000 and unpaired surrogates and stores U+FFFD instead', async () => {
    const tenant = await newTenant(harness.db);
    const client = harness.server.anonymous.withKey((await tenant.key()).plaintext);
    const customer = randomE164();
    await recordInboundMessage(harness.db, {
      businessNumber: tenant.from,
      customerNumber: customer,
      platformMessageId: null,
      type: 'text',
      content: {},
      receivedAt: new Date(),
    });
    const res = await client.post('/v1/whatsapp/messages', {
      agent_id: tenant.agent.id,
      from: tenant.from,
      to: customer,
      text: { body: 'a\u0000b\ud800c\udc00d\ud83d\ude00' },
    });
    expect(res.status, res.text).to.equal(202);
    const row = await harness.db('messages').where({ id: res.body.id }).first('content');
    expect(row.content).to.deep.equal({ text: { body: 'a\ufffdb\ufffdc\ufffdd\ud83d\ude00' } });
  });
});
