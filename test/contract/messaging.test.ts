/** Sends and status lookups, templates and quota (the rules: messaging-rules.test.ts). */
import { expect } from 'chai';
import { createConnection, setConnectionActive } from '../../server/src/domain/agents.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { randomE164 } from '../support/tenants.ts';
import { counts, customerWrites, expectError, HOUR, MESSAGES, sandbox, TEMPLATES, type Sandbox } from './messaging-support.ts';

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
      await upsertTemplate(
        harness.db,
        s.connectionId,
        templateFromMeta({ ...EXAMPLE_TEMPLATES[0], name: 'paused_offer', status: 'PAUSED' }),
      );
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
            {
              type: 'BUTTONS',
              buttons: [
                { type: 'COPY_CODE', example: 'ABC' },
                { type: 'PHONE_NUMBER', phone_number: '+15550001111' },
              ],
            },
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
        buttons: [
          { type: 'url', index: 0, value: 'a/1' },
          { type: 'quick_reply', index: 1, value: 'cancel' },
        ],
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
      [
        'a missing named parameter',
        { parameters: { customer_name: 'Sara' } },
        'invalid_template_parameters',
        'template.parameters.tracking_url',
      ],
      [
        'an extra named parameter',
        { parameters: { customer_name: 'S', tracking_url: 'u', coupon: 'x' } },
        'invalid_template_parameters',
        'template.parameters.coupon',
      ],
      [
        'positional keys for a named template',
        { parameters: { '1': 'S', '2': 'u' } },
        'invalid_template_parameters',
        'template.parameters.customer_name',
      ],
      ['no parameters at all', { parameters: undefined }, 'invalid_template_parameters', 'template.parameters.customer_name'],
      [
        'a missing positional parameter',
        {
          name: 'appointment_reminder',
          language: 'ar',
          parameters: { '1': 'S' },
          header_media_url: 'https://x.example/a.jpg',
          buttons: [{ type: 'url', index: 0, value: 'a' }],
        },
        'invalid_template_parameters',
        'template.parameters.2',
      ],
      [
        'a media header without header_media_url',
        {
          name: 'appointment_reminder',
          language: 'ar',
          parameters: { '1': 'S', '2': 'x' },
          buttons: [{ type: 'url', index: 0, value: 'a' }],
        },
        'invalid_template_parameters',
        'template.header_media_url',
      ],
      [
        'header_media_url on a template without a media header',
        { header_media_url: 'https://x.example/a.jpg' },
        'invalid_template_parameters',
        'template.header_media_url',
      ],
      [
        'header_parameters on a template without a text header',
        { header_parameters: { '1': 'x' } },
        'invalid_template_parameters',
        'template.header_parameters',
      ],
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
        {
          name: 'appointment_reminder',
          language: 'ar',
          parameters: { '1': 'S', '2': 'x' },
          header_media_url: 'https://x.example/a.jpg',
          buttons: [{ type: 'quick_reply', index: 0, value: 'a' }],
        },
        'invalid_template_parameters',
        'template.buttons[0].type',
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
        templateFromMeta({
          ...changing,
          components: [{ type: 'BODY', text: 'Hi {{customer_name}}, track {{tracking_url}} by {{date}}.' }],
        }),
      );
      const before = await counts(harness.db, s.tenant.organization.id);
      expectError(await send({ name: 'changing_offer' }), 422, 'invalid_template_parameters', 'template.parameters.date');
      expect(await counts(harness.db, s.tenant.organization.id)).to.deep.equal(before);
      const fitting = await send({
        name: 'changing_offer',
        parameters: { customer_name: 'Sara', tracking_url: 'https://t.example/1', date: 'Monday' },
      });
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
      const maxConnections = Number(
        (await harness.db.raw<{ rows: Array<{ n: string }> }>(`SELECT current_setting('max_connections') AS n`)).rows[0]!.n,
      );
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
});
