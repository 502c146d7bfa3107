/**
 * `mojeeb_accept_send` called directly (no HTTP): one test per outcome, each checking what the
 * function answers and what it wrote (everything for `accepted`, nothing otherwise).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { DELIVERY_TASK } from '../../server/src/delivery/queue.ts';
import { recordInboundMessage } from '../../server/src/domain/conversations.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164, type Tenant } from '../support/tenants.ts';

interface Outcome {
  outcome: string;
  message_id: string | null;
  conversation_id: string | null;
  created_at: Date | null;
  detail: Record<string, unknown> | null;
}

interface Call {
  organization_id: string;
  environment: 'live' | 'test';
  api_key_id: string;
  agent_id: string;
  from: string;
  to: string;
  type: 'text' | 'template';
  content: unknown;
  template?: unknown;
  idempotency_key?: string;
  operation_id?: string;
  request_hash?: string;
  correlation_id?: string;
}

async function accept(call: Call, db: Knex = harness.db): Promise<Outcome> {
  const args: Record<string, unknown> = {
    task: DELIVERY_TASK,
    ...call,
    content: JSON.stringify(call.content),
    template: call.template === undefined ? null : JSON.stringify(call.template),
  };
  const names = Object.keys(args);
  const sql = `SELECT * FROM mojeeb_accept_send(${names.map((n) => `p_${n} => ?`).join(', ')})`;
  const result = await db.raw<{ rows: Outcome[] }>(
    sql,
    names.map((n) => (args[n] ?? null) as Knex.RawBinding),
  );
  expect(result.rows).to.have.length(1);
  return result.rows[0]!;
}

/** A text header with a parameter, a dynamic copy-code button (0) and a static phone button (1). */
const WELCOME_HEADER = {
  name: 'welcome_header',
  language: 'en_US',
  status: 'APPROVED',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Welcome {{1}}' },
    { type: 'BODY', text: 'Hello {{1}}, your code is {{2}}.' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'COPY_CODE', example: 'ABC' },
        { type: 'PHONE_NUMBER', phone_number: '+15550001111' },
      ],
    },
  ],
};

interface Setup {
  tenant: Tenant;
  keyId: string;
  connectionId: string;
  text(to: string, overrides?: Partial<Call>): Call;
  template(to: string, template?: Record<string, unknown>, overrides?: Partial<Call>): Call;
}

async function setup(options: { environment?: 'live' | 'test'; quota?: number } = {}): Promise<Setup> {
  const tenant = await newTenant(harness.db, { quota: options.quota ?? 1000 });
  const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
  for (const t of [...EXAMPLE_TEMPLATES, WELCOME_HEADER]) await upsertTemplate(harness.db, connection.id, templateFromMeta(t));
  const key = await tenant.key({ environment: options.environment ?? 'test' });
  const base = {
    organization_id: tenant.organization.id,
    environment: options.environment ?? 'test',
    api_key_id: key.record.id,
    agent_id: tenant.agent.id,
    from: tenant.from,
  };
  return {
    tenant,
    keyId: key.record.id,
    connectionId: connection.id,
    text: (to, overrides = {}) => ({ ...base, to, type: 'text', content: { text: { body: 'hi' } }, ...overrides }),
    template: (to, template = {}, overrides = {}) => {
      const t = {
        name: 'order_shipped',
        language: 'en',
        parameters: { customer_name: 'Sara', tracking_url: 'https://t.example/1' },
        ...template,
      };
      return { ...base, to, type: 'template', content: { template: t }, template: t, ...overrides };
    },
  };
}

async function customerWrote(s: Setup, customer: string, agoMs = 0): Promise<void> {
  await recordInboundMessage(harness.db, {
    businessNumber: s.tenant.from,
    customerNumber: customer,
    platformMessageId: null,
    type: 'text',
    content: {},
    receivedAt: new Date(Date.now() - agoMs),
  });
}

async function written(organizationId: string) {
  const n = async (sql: string) => Number((await harness.db.raw<{ rows: Array<{ n: string }> }>(sql, [organizationId])).rows[0]!.n);
  return {
    messages: await n('select count(*) as n from messages where organization_id = ?'),
    jobs: await n(
      `select count(*) as n from graphile_worker.jobs j join messages m on j.key = 'deliver_message:' || m.id::text where m.organization_id = ?`,
    ),
    usage: await n('select coalesce(sum(messages_sent), 0) as n from organization_usage where organization_id = ?'),
    conversations: await n('select count(*) as n from conversations where organization_id = ?'),
    idempotency: await n('select count(*) as n from idempotency_keys k join api_keys a on a.id = k.api_key_id where a.organization_id = ?'),
  };
}

/** Calls the function and checks that a refusal wrote nothing. */
async function refused(call: Call, outcome: string): Promise<Outcome> {
  const before = await written(call.organization_id);
  const row = await accept(call);
  expect(row.outcome, JSON.stringify(row.detail)).to.equal(outcome);
  expect(row.message_id).to.equal(null);
  expect(await written(call.organization_id), 'a refused send writes nothing').to.deep.equal(before);
  return row;
}

describe('mojeeb_accept_send (called directly)', () => {
  describe('accepted', () => {
    it('a text within the window: the message, its conversation and its delivery job, in one call', async () => {
      const s = await setup();
      const customer = randomE164();
      await customerWrote(s, customer, 60_000);
      const row = await accept(s.text(customer));
      expect(row.outcome).to.equal('accepted');
      const message = await harness.db('messages').where({ id: row.message_id }).first();
      expect(message).to.include({
        status: 'queued',
        type: 'text',
        from_number: s.tenant.from,
        to_number: customer,
        conversation_id: row.conversation_id,
      });
      const job = await harness.db.raw<{ rows: unknown[] }>(
        `SELECT t.identifier, j.payload FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE j.key = ?`,
        [`deliver_message:${row.message_id}`],
      );
      expect(job.rows).to.deep.equal([{ identifier: 'deliver_message', payload: { message_id: row.message_id } }]);
      expect((await written(s.tenant.organization.id)).idempotency, 'no key, no record').to.equal(0);
    });

    it('a live template that fits: one unit of the month’s quota', async () => {
      const s = await setup({ environment: 'live' });
      const row = await accept(s.template(randomE164()));
      expect(row.outcome).to.equal('accepted');
      expect(await written(s.tenant.organization.id)).to.include({ messages: 1, jobs: 1, usage: 1, conversations: 1 });
    });

    it('positional parameters, a media header and dynamic buttons that fit', async () => {
      const s = await setup();
      const row = await accept(
        s.template(randomE164(), {
          name: 'appointment_reminder',
          language: 'ar',
          parameters: { '1': 'Sara', '2': 'tomorrow' },
          header_media_url: 'https://cdn.example/a.jpg',
          buttons: [
            { type: 'url', index: 0, value: 'a/1' },
            { type: 'quick_reply', index: 1, value: 'x' },
          ],
        }),
      );
      expect(row.outcome, JSON.stringify(row.detail)).to.equal('accepted');
    });
  });

  describe('idempotency', () => {
    it('stored: a second call with the key answers the first message and writes nothing', async () => {
      const s = await setup();
      const call = s.template(
        randomE164(),
        {},
        { idempotency_key: randomUUID(), operation_id: 'sendWhatsAppTemplate', request_hash: 'h1', correlation_id: 'req_1' },
      );
      const first = await accept(call);
      expect(first.outcome).to.equal('accepted');
      const replay = await refusedOrStored(call);
      expect(replay).to.include({ outcome: 'stored', message_id: first.message_id, conversation_id: first.conversation_id });
      expect(replay.detail).to.include({ operation_id: 'sendWhatsAppTemplate', request_hash: 'h1', correlation_id: 'req_1', status: 202 });
    });

    it('stored, with the other request’s hash: a different body is told apart by the caller', async () => {
      const s = await setup();
      const key = randomUUID();
      await accept(
        s.template(
          randomE164(),
          {},
          { idempotency_key: key, operation_id: 'sendWhatsAppTemplate', request_hash: 'first', correlation_id: 'req_1' },
        ),
      );
      const other = await refusedOrStored(
        s.template(
          randomE164(),
          {},
          { idempotency_key: key, operation_id: 'sendWhatsAppTemplate', request_hash: 'second', correlation_id: 'req_2' },
        ),
      );
      expect(other.outcome).to.equal('stored');
      expect(other.detail).to.include({ request_hash: 'first', correlation_id: 'req_1' });
    });

    it('a record older than mojeeb_idempotency_ttl() is not replayed: the send is accepted anew', async () => {
      const s = await setup();
      const call = s.template(
        randomE164(),
        {},
        { idempotency_key: randomUUID(), operation_id: 'sendWhatsAppTemplate', request_hash: 'h', correlation_id: 'r' },
      );
      const first = await accept(call);
      await harness.db.raw(
        `UPDATE idempotency_keys SET created_at = now() - mojeeb_idempotency_ttl() - interval '1 second' WHERE api_key_id = ?`,
        [s.keyId],
      );
      const again = await accept(call);
      expect(again.outcome).to.equal('accepted');
      expect(again.message_id).to.not.equal(first.message_id);
    });

    it('in_progress: the same key while the first call’s transaction is still open', async () => {
      const s = await setup();
      const call = s.template(
        randomE164(),
        {},
        { idempotency_key: randomUUID(), operation_id: 'sendWhatsAppTemplate', request_hash: 'h', correlation_id: 'r' },
      );
      const trx = await harness.db.transaction();
      try {
        expect((await accept(call, trx)).outcome).to.equal('accepted');
        await refused(call, 'in_progress');
      } finally {
        await trx.rollback();
      }
      expect((await accept(call)).outcome, 'the claim ends with the transaction').to.equal('accepted');
    });
  });

  describe('refusals, in the documented order', () => {
    it('agent_not_found: an unknown agent, or one of another organization', async () => {
      const s = await setup();
      await refused(s.text(randomE164(), { agent_id: randomUUID() }), 'agent_not_found');
      const other = await newTenant(harness.db);
      await refused(s.text(randomE164(), { agent_id: other.agent.id }), 'agent_not_found');
    });

    it('from_phone_not_found: a number the agent does not have, or one deactivated', async () => {
      const s = await setup();
      await refused(s.template(randomE164(), {}, { from: randomE164() }), 'from_phone_not_found');
      await harness.db('whatsapp_connections').where({ id: s.connectionId }).update({ active: false });
      await refused(s.template(randomE164()), 'from_phone_not_found');
    });

    it('template_not_found: an unknown name, or a known one in another language', async () => {
      const s = await setup();
      await refused(s.template(randomE164(), { name: 'nope' }), 'template_not_found');
      await refused(s.template(randomE164(), { language: 'fr' }), 'template_not_found');
    });

    it('template_not_approved: with the status at Meta', async () => {
      const s = await setup();
      await upsertTemplate(harness.db, s.connectionId, templateFromMeta({ ...EXAMPLE_TEMPLATES[0], status: 'PAUSED' }));
      const row = await refused(s.template(randomE164()), 'template_not_approved');
      expect(row.detail).to.deep.equal({ status: 'PAUSED' });
    });

    it('template_mismatch: checked against the template as stored now (a changed template needs no second call)', async () => {
      const s = await setup();
      expect((await accept(s.template(randomE164()))).outcome).to.equal('accepted');
      await upsertTemplate(
        harness.db,
        s.connectionId,
        templateFromMeta({
          ...EXAMPLE_TEMPLATES[0],
          components: [{ type: 'BODY', text: 'Hi {{customer_name}}, {{tracking_url}} by {{date}}' }],
        }),
      );
      const row = await refused(s.template(randomE164()), 'template_mismatch');
      expect(row.detail).to.deep.equal({
        param: 'template.parameters.date',
        reason: 'missing_parameter',
        name: 'date',
        header: false,
        positional: false,
      });
    });

    const reminder = {
      name: 'appointment_reminder',
      language: 'ar',
      parameters: { '1': 'S', '2': 'x' },
      header_media_url: 'https://x.example/a.jpg',
      buttons: [{ type: 'url', index: 0, value: 'a' }],
    };
    const mismatches: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      [
        'an extra parameter, in the order given',
        { parameters: { customer_name: 'S', tracking_url: 'u', zz: '1', coupon: 'x' } },
        { param: 'template.parameters.zz', reason: 'unknown_parameter', expected: ['customer_name', 'tracking_url'] },
      ],
      [
        'a missing positional parameter',
        { ...reminder, parameters: { '1': 'S' } },
        { param: 'template.parameters.2', reason: 'missing_parameter', positional: true },
      ],
      [
        'header parameters without a text header',
        { header_parameters: { '1': 'x' } },
        { param: 'template.header_parameters', reason: 'no_text_header' },
      ],
      [
        'a missing header parameter',
        { name: 'welcome_header', language: 'en_US', parameters: { '1': 'S', '2': 'c' } },
        { param: 'template.header_parameters.1', reason: 'missing_parameter', header: true },
      ],
      [
        'a media header without its url',
        { ...reminder, header_media_url: undefined },
        { param: 'template.header_media_url', reason: 'media_required', header_format: 'IMAGE' },
      ],
      [
        'a media url without a media header',
        { header_media_url: 'https://x.example/a.jpg' },
        { param: 'template.header_media_url', reason: 'no_media_header' },
      ],
      [
        'a required url button left out',
        { ...reminder, buttons: undefined },
        { param: 'template.buttons', reason: 'button_required', index: 0 },
      ],
      [
        'a button of the wrong type',
        { ...reminder, buttons: [{ type: 'quick_reply', index: 0, value: 'a' }] },
        { param: 'template.buttons[0].type', reason: 'button_type', type: 'url' },
      ],
      [
        'a button given twice',
        {
          ...reminder,
          buttons: [
            { type: 'url', index: 0, value: 'a' },
            { type: 'url', index: 0, value: 'b' },
          ],
        },
        { param: 'template.buttons[1].index', reason: 'button_twice' },
      ],
      [
        'a value for a static button',
        {
          name: 'welcome_header',
          language: 'en_US',
          parameters: { '1': 'S', '2': 'c' },
          header_parameters: { '1': 'S' },
          buttons: [{ type: 'copy_code', index: 1, value: 'x' }],
        },
        { param: 'template.buttons[0].index', reason: 'no_dynamic_button', index: 1 },
      ],
    ];
    for (const [what, template, detail] of mismatches) {
      it(`template_mismatch: ${what}`, async () => {
        const s = await setup();
        const row = await refused(
          s.template(randomE164(), JSON.parse(JSON.stringify(template)) as Record<string, unknown>),
          'template_mismatch',
        );
        expect(row.detail).to.deep.include(detail);
      });
    }

    it('window_closed: the customer never wrote, or wrote longer ago than mojeeb_customer_service_window()', async () => {
      const s = await setup();
      const never = await refused(s.text(randomE164()), 'window_closed');
      expect(never.detail).to.deep.equal({ last_inbound_at: null, expires_at: null });
      const customer = randomE164();
      await customerWrote(s, customer, 25 * 3_600_000);
      const late = await refused(s.text(customer), 'window_closed');
      const last = new Date(String(late.detail!.last_inbound_at)).getTime();
      expect(new Date(String(late.detail!.expires_at)).getTime() - last).to.equal(24 * 3_600_000);
    });

    it('quota_exceeded: live sends stop at the month’s quota, with the quota and when it resets; test sends are not counted', async () => {
      const s = await setup({ environment: 'live', quota: 1 });
      expect((await accept(s.template(randomE164()))).outcome).to.equal('accepted');
      const row = await refused(s.template(randomE164()), 'quota_exceeded');
      const resets = new Date(String(row.detail!.resets_at));
      expect(row.detail!.quota).to.equal(1);
      expect(resets.getUTCDate()).to.equal(1);
      expect(resets.getTime()).to.be.greaterThan(Date.now());
      expect((await accept(s.template(randomE164(), {}, { environment: 'test' }))).outcome).to.equal('accepted');
    });

    it('the last messages of a quota are counted exactly under concurrent calls, each in one call', async function () {
      this.timeout(30_000);
      const s = await setup({ environment: 'live', quota: 5 });
      const outcomes = await Promise.all(Array.from({ length: 16 }, () => accept(s.template(randomE164()))));
      const tally: Record<string, number> = {};
      for (const o of outcomes) tally[o.outcome] = (tally[o.outcome] ?? 0) + 1;
      expect(tally).to.deep.equal({ accepted: 5, quota_exceeded: 11 });
      expect((await written(s.tenant.organization.id)).usage).to.equal(5);
    });
  });
});

async function refusedOrStored(call: Call): Promise<Outcome> {
  const before = await written(call.organization_id);
  const row = await accept(call);
  expect(await written(call.organization_id), 'a replay writes nothing').to.deep.equal(before);
  return row;
}
