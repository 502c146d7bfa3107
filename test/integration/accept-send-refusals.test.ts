/**
 * `mojeeb_accept_send` called directly (no HTTP): one test per refusal, in the documented order,
 * and one per kind of template mismatch; each checks what the function answers and that it wrote
 * nothing.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164 } from '../support/tenants.ts';
import { accept, customerWrote, refused, setup, written } from './accept-send-support.ts';

describe('mojeeb_accept_send (called directly)', () => {
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
