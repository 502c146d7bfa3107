import { expect } from 'chai';
import type { Knex } from 'knex';
import { createConnection, setConnectionActive } from '../../server/src/domain/agents.ts';
import { recordInboundMessage } from '../../server/src/domain/conversations.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import type { ContractClient, ContractResponse } from '../support/contract.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164, type Tenant } from '../support/tenants.ts';

const MESSAGES = '/v1/whatsapp/messages';
const TEMPLATES = '/v1/whatsapp/templates';
const HOUR = 3_600_000;

interface Sandbox {
  readonly tenant: Tenant;
  readonly client: ContractClient;
  readonly connectionId: string;
  readonly keyId: string;
  text(to: string, overrides?: Record<string, unknown>): Record<string, unknown>;
  template(to: string, template?: Record<string, unknown>): Record<string, unknown>;
}

/** A tenant whose number has the example templates approved, and a key for it. */
async function sandbox(options: { environment?: 'live' | 'test'; quota?: number } = {}): Promise<Sandbox> {
  const tenant = await newTenant(harness.db, { quota: options.quota ?? 1000 });
  const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
  for (const t of EXAMPLE_TEMPLATES) await upsertTemplate(harness.db, connection.id, templateFromMeta(t));
  const key = await tenant.key({ environment: options.environment ?? 'test', rateLimitPerMinute: 100_000 });
  return {
    tenant,
    client: harness.server.anonymous.withKey(key.plaintext),
    connectionId: connection.id,
    keyId: key.record.id,
    text: (to, overrides = {}) => ({ agent_id: tenant.agent.id, from: tenant.from, to, text: { body: 'Your order shipped.' }, ...overrides }),
    template: (to, template = {}) => ({
      agent_id: tenant.agent.id,
      from: tenant.from,
      to,
      template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://t.example/1' }, ...template },
    }),
  };
}

async function customerWrites(s: Sandbox, customer: string, ago = 0): Promise<void> {
  await recordInboundMessage(harness.db, {
    businessNumber: s.tenant.from,
    customerNumber: customer,
    platformMessageId: null,
    type: 'text',
    content: { body: 'hello' },
    receivedAt: new Date(Date.now() - ago),
  });
}

async function counts(db: Knex, organizationId: string) {
  const one = async (sql: string) => Number((await db.raw<{ rows: Array<{ n: string }> }>(sql, [organizationId])).rows[0]!.n);
  return {
    messages: await one('select count(*) as n from messages where organization_id = ?'),
    jobs: await one(
      `select count(*) as n from graphile_worker.jobs j join messages m on j.key = 'deliver_message:' || m.id::text where m.organization_id = ?`,
    ),
    usage: await one('select coalesce(sum(messages_sent), 0) as n from organization_usage where organization_id = ?'),
    conversations: await one('select count(*) as n from conversations where organization_id = ?'),
  };
}

function expectError(res: ContractResponse, status: number, code: string, param?: string): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.body.error.code).to.equal(code);
  if (param !== undefined) expect(res.body.error.param).to.equal(param);
}

describe('messaging', () => {
  describe('sendWhatsAppMessage and getWhatsAppMessageStatus', () => {
    it('accepts text inside the window: 202 queued, then the same message from the status lookup', async () => {
      const s = await sandbox();
      const customer = randomE164();
      await customerWrites(s, customer, HOUR);
      const sent = await s.client.post(MESSAGES, s.text(customer));
      expect(sent.status, sent.text).to.equal(202);
      expect(sent.body).to.deep.include({
        status: 'queued',
        type: 'text',
        agent_id: s.tenant.agent.id,
        from: s.tenant.from,
        to: customer,
        platform_message_id: null,
        sent_at: null,
        delivered_at: null,
        read_at: null,
        failed_at: null,
        error: null,
      });
      expect(Math.abs(Date.parse(sent.body.created_at) - Date.now())).to.be.below(5_000);
      expect(sent.headers.get('idempotent-replayed')).to.equal(null);

      const found = await s.client.get(`${MESSAGES}/${sent.body.id}`);
      expect(found.status).to.equal(200);
      expect(found.body).to.deep.equal(sent.body);
      expect(found.headers.get('x-ratelimit-limit')).to.equal('100000');
    });

    it('queues exactly one delivery job per accepted message', async () => {
      const s = await sandbox();
      const customer = randomE164();
      await customerWrites(s, customer);
      const sent = await s.client.post(MESSAGES, s.text(customer));
      const jobs = await harness.db.raw<{ rows: Array<{ task_identifier: string; key: string | null; payload: unknown }> }>(
        `select t.identifier as task_identifier, j.key, j.payload
           from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
          where j.payload->>'message_id' = ?`,
        [sent.body.id],
      );
      expect(jobs.rows).to.deep.equal([
        { task_identifier: 'deliver_message', key: `deliver_message:${sent.body.id}`, payload: { message_id: sent.body.id } },
      ]);
    });

    it('refuses text outside the window before queuing anything: never written, or written 25 hours ago', async () => {
      const s = await sandbox();
      const never = randomE164();
      const lapsed = randomE164();
      await customerWrites(s, lapsed, 25 * HOUR);
      const before = await counts(harness.db, s.tenant.organization.id);

      const first = await s.client.post(MESSAGES, s.text(never));
      expectError(first, 422, 'customer_service_window_closed');
      expect(first.body.error.window).to.deep.equal({ open: false, last_inbound_at: null, expires_at: null });

      const second = await s.client.post(MESSAGES, s.text(lapsed));
      expectError(second, 422, 'customer_service_window_closed');
      const { open, last_inbound_at, expires_at } = second.body.error.window;
      expect(open).to.equal(false);
      expect(Date.parse(expires_at) - Date.parse(last_inbound_at)).to.equal(24 * HOUR);
      expect(Date.now() - Date.parse(expires_at)).to.be.closeTo(HOUR, 5_000);

      expect(await counts(harness.db, s.tenant.organization.id)).to.deep.equal(before);
    });

    it('lets a template through outside the window, and text once the customer writes', async () => {
      const s = await sandbox();
      const customer = randomE164();
      expect((await s.client.post(TEMPLATES, s.template(customer))).status).to.equal(202);
      expectError(await s.client.post(MESSAGES, s.text(customer)), 422, 'customer_service_window_closed');
      await customerWrites(s, customer);
      expect((await s.client.post(MESSAGES, s.text(customer))).status).to.equal(202);
    });

    it('answers from_phone_not_found_for_agent with the agent’s active numbers', async () => {
      const s = await sandbox();
      const second = randomE164();
      const inactive = randomE164();
      await createConnection(harness.db, { agentId: s.tenant.agent.id, phoneNumber: second }, null);
      const off = await createConnection(harness.db, { agentId: s.tenant.agent.id, phoneNumber: inactive }, null);
      await setConnectionActive(harness.db, off.id, false);
      for (const from of [randomE164(), inactive]) {
        const res = await s.client.post(TEMPLATES, { ...s.template(randomE164()), from });
        expectError(res, 422, 'from_phone_not_found_for_agent', 'from');
        expect(res.body.error.available_phones).to.deep.equal([s.tenant.from, second].sort());
      }
    });

    it('does not let an agent send from another agent’s number', async () => {
      const s = await sandbox();
      const other = await s.tenant.addAgent();
      const res = await s.client.post(TEMPLATES, { ...s.template(randomE164()), agent_id: other.id });
      expectError(res, 422, 'from_phone_not_found_for_agent', 'from');
      expect(res.body.error.available_phones).to.deep.equal([]);
    });
  });

  describe('templates', () => {
    let s: Sandbox;
    before(async () => {
      s = await sandbox();
      await upsertTemplate(harness.db, s.connectionId, templateFromMeta({ ...EXAMPLE_TEMPLATES[0], name: 'paused_offer', status: 'PAUSED' }));
      await upsertTemplate(
        harness.db,
        s.connectionId,
        templateFromMeta({
          name: 'welcome_header',
          language: 'en_US',
          status: 'APPROVED',
          components: [
            { type: 'HEADER', format: 'TEXT', text: 'Welcome {{1}}' },
            { type: 'BODY', text: 'Hello {{1}}, your code is {{2}}.' },
            { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'ABC' }, { type: 'PHONE_NUMBER', phone_number: '+15550001111' }] },
          ],
        }),
      );
    });

    const send = (template: Record<string, unknown>) => s.client.post(TEMPLATES, s.template(randomE164(), template));

    it('accepts named and positional parameters, headers and buttons that fit the approved template', async () => {
      expect((await send({})).status).to.equal(202);
      const positional = await send({
        name: 'appointment_reminder',
        language: 'ar',
        parameters: { '1': 'Sara', '2': 'tomorrow' },
        header_media_url: 'https://cdn.example/map.jpg',
        buttons: [{ type: 'url', index: 0, value: 'a/1' }, { type: 'quick_reply', index: 1, value: 'cancel' }],
      });
      expect(positional.status, positional.text).to.equal(202);
      const header = await send({
        name: 'welcome_header',
        language: 'en_US',
        parameters: { '1': 'Sara', '2': '1234' },
        header_parameters: { '1': 'Sara' },
        buttons: [{ type: 'copy_code', index: 0, value: 'SAVE10' }],
      });
      expect(header.status, header.text).to.equal(202);
    });

    const refusals: Array<[string, Record<string, unknown>, string, string]> = [
      ['an unknown name', { name: 'order_cancelled' }, 'template_not_found', 'template.name'],
      ['a known name in another language', { language: 'fr' }, 'template_not_found', 'template.name'],
      ['a template that is not approved', { name: 'paused_offer' }, 'template_not_approved', 'template.name'],
      ['a missing named parameter', { parameters: { customer_name: 'Sara' } }, 'invalid_template_parameters', 'template.parameters.tracking_url'],
      ['an extra named parameter', { parameters: { customer_name: 'S', tracking_url: 'u', coupon: 'x' } }, 'invalid_template_parameters', 'template.parameters.coupon'],
      ['positional keys for a named template', { parameters: { '1': 'S', '2': 'u' } }, 'invalid_template_parameters', 'template.parameters.customer_name'],
      ['no parameters at all', { parameters: undefined }, 'invalid_template_parameters', 'template.parameters.customer_name'],
      [
        'a missing positional parameter',
        { name: 'appointment_reminder', language: 'ar', parameters: { '1': 'S' }, header_media_url: 'https://x.example/a.jpg', buttons: [{ type: 'url', index: 0, value: 'a' }] },
        'invalid_template_parameters',
        'template.parameters.2',
      ],
      [
        'a media header without header_media_url',
        { name: 'appointment_reminder', language: 'ar', parameters: { '1': 'S', '2': 'x' }, buttons: [{ type: 'url', index: 0, value: 'a' }] },
        'invalid_template_parameters',
        'template.header_media_url',
      ],
      ['header_media_url on a template without a media header', { header_media_url: 'https://x.example/a.jpg' }, 'invalid_template_parameters', 'template.header_media_url'],
      ['header_parameters on a template without a text header', { header_parameters: { '1': 'x' } }, 'invalid_template_parameters', 'template.header_parameters'],
      [
        'a missing header parameter',
        { name: 'welcome_header', language: 'en_US', parameters: { '1': 'S', '2': 'c' } },
        'invalid_template_parameters',
        'template.header_parameters.1',
      ],
      [
        'a required url button left out',
        { name: 'appointment_reminder', language: 'ar', parameters: { '1': 'S', '2': 'x' }, header_media_url: 'https://x.example/a.jpg' },
        'invalid_template_parameters',
        'template.buttons',
      ],
      [
        'a button of the wrong type',
        { name: 'appointment_reminder', language: 'ar', parameters: { '1': 'S', '2': 'x' }, header_media_url: 'https://x.example/a.jpg', buttons: [{ type: 'quick_reply', index: 0, value: 'a' }] },
        'invalid_template_parameters',
        'template.buttons[0].type',
      ],
      [
        'a value for a static button',
        { name: 'welcome_header', language: 'en_US', parameters: { '1': 'S', '2': 'c' }, header_parameters: { '1': 'S' }, buttons: [{ type: 'copy_code', index: 1, value: 'x' }] },
        'invalid_template_parameters',
        'template.buttons[0].index',
      ],
    ];
    it('checks a send against the template as it is now, after the template changed or was paused since the last send', async () => {
      const changing = { ...EXAMPLE_TEMPLATES[0], name: 'changing_offer' };
      await upsertTemplate(harness.db, s.connectionId, templateFromMeta(changing));
      expect((await send({ name: 'changing_offer' })).status).to.equal(202);
      expect((await send({ name: 'changing_offer' })).status).to.equal(202);
      // Meta's new version needs a third parameter: the same request no longer fits.
      await upsertTemplate(
        harness.db,
        s.connectionId,
        templateFromMeta({ ...changing, components: [{ type: 'BODY', text: 'Hi {{customer_name}}, track {{tracking_url}} by {{date}}.' }] }),
      );
      const before = await counts(harness.db, s.tenant.organization.id);
      expectError(await send({ name: 'changing_offer' }), 422, 'invalid_template_parameters', 'template.parameters.date');
      expect(await counts(harness.db, s.tenant.organization.id)).to.deep.equal(before);
      const fitting = await send({ name: 'changing_offer', parameters: { customer_name: 'Sara', tracking_url: 'https://t.example/1', date: 'Monday' } });
      expect(fitting.status).to.equal(202);
      await upsertTemplate(harness.db, s.connectionId, templateFromMeta({ ...changing, status: 'PAUSED' }));
      expectError(await send({ name: 'changing_offer' }), 422, 'template_not_approved', 'template.name');
    });

    for (const [what, template, code, param] of refusals) {
      it(`refuses ${what} (${code}) before queuing anything`, async () => {
        const before = await counts(harness.db, s.tenant.organization.id);
        const body = s.template(randomE164(), template);
        if ('parameters' in template && template.parameters === undefined) delete (body.template as Record<string, unknown>).parameters;
        expectError(await s.client.post(TEMPLATES, body), 422, code, param);
        expect(await counts(harness.db, s.tenant.organization.id)).to.deep.equal(before);
      });
    }
  });

  describe('quota', () => {
    it('consumes one unit per accepted live send and answers 402 when the month’s quota is used up', async () => {
      const s = await sandbox({ environment: 'live', quota: 2 });
      const customer = randomE164();
      expectError(await s.client.post(MESSAGES, s.text(customer)), 422, 'customer_service_window_closed');
      expectError(await s.client.post(TEMPLATES, s.template(customer, { name: 'nope' })), 422, 'template_not_found');
      expect((await counts(harness.db, s.tenant.organization.id)).usage, 'refused requests consume nothing').to.equal(0);

      expect((await s.client.post(TEMPLATES, s.template(customer))).status).to.equal(202);
      expect((await s.client.post(TEMPLATES, s.template(randomE164()))).status).to.equal(202);
      const before = await counts(harness.db, s.tenant.organization.id);
      const refused = await s.client.post(TEMPLATES, s.template(randomE164()));
      expectError(refused, 402, 'message_quota_exceeded');
      expect(refused.body.error.quota_limit).to.equal(2);
      const now = new Date();
      const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
      expect(refused.body.error.quota_resets_at).to.equal(nextMonth.toISOString().replace('.000Z', 'Z'));
      expect(await counts(harness.db, s.tenant.organization.id)).to.deep.equal(before);
    });

    it('accepts exactly the quota under concurrent live sends, across the fast and the exact counting paths', async function () {
      this.timeout(60_000);
      // Sends are counted without serialization while more messages are left than PostgreSQL's
      // max_connections, and one by one after that: a quota just above it crosses both paths.
      const maxConnections = Number((await harness.db.raw<{ rows: Array<{ n: string }> }>(`SELECT current_setting('max_connections') AS n`)).rows[0]!.n);
      const quota = maxConnections + 40;
      const s = await sandbox({ environment: 'live', quota });
      const attempts = quota + 30;
      const statuses: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          while (next < attempts) {
            next++;
            statuses.push((await s.client.post(TEMPLATES, s.template(randomE164()))).status);
          }
        }),
      );
      expect(statuses.filter((st) => st === 202).length, 'accepted').to.equal(quota);
      expect(statuses.filter((st) => st === 402).length, 'refused').to.equal(attempts - quota);
      const after = await counts(harness.db, s.tenant.organization.id);
      expect(after.usage).to.equal(quota);
      expect(after.messages).to.equal(quota);
    });

    it('does not charge sandbox (test key) sends to the quota', async () => {
      const s = await sandbox({ environment: 'test', quota: 1 });
      for (let i = 0; i < 3; i++) expect((await s.client.post(TEMPLATES, s.template(randomE164()))).status).to.equal(202);
      expect((await counts(harness.db, s.tenant.organization.id)).usage).to.equal(0);
    });
  });

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
      expect([...statuses].every((st) => st === 202 || st === 409), [...statuses].join()).to.equal(true);
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
        recordInboundMessage(harness.db, { businessNumber: s.tenant.from, customerNumber: customer, platformMessageId, type: 'text', content: {}, receivedAt });
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
      const conversations = async (s: Sandbox) => Number((await harness.db('conversations').where({ organization_id: s.tenant.organization.id }).count({ n: '*' }))[0]!.n);
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
    await recordInboundMessage(harness.db, { businessNumber: tenant.from, customerNumber: customer, platformMessageId: null, type: 'text', content: {}, receivedAt: new Date() });
    const res = await client.post('/v1/whatsapp/messages', { agent_id: tenant.agent.id, from: tenant.from, to: customer, text: { body: 'a\u0000b\ud800c\udc00d\ud83d\ude00' } });
    expect(res.status, res.text).to.equal(202);
    const row = await harness.db('messages').where({ id: res.body.id }).first('content');
    expect(row.content).to.deep.equal({ text: { body: 'a\ufffdb\ufffdc\ufffdd\ud83d\ude00' } });
  });
});
