import { expect } from 'chai';
import { requestExample } from '../support/contract.ts';
import { harness } from '../support/harness.ts';

const MESSAGES = '/v1/whatsapp/messages';
const TEMPLATES = '/v1/whatsapp/templates';
const MESSAGE_ID = '01c45011-d803-4eb0-a762-3228a4c392f3';

function message(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(requestExample('sendWhatsAppMessage', 'reply') as Record<string, unknown>), ...overrides };
}

function template(templateOverrides: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base = requestExample('sendWhatsAppTemplate', 'positional') as Record<string, unknown> & { template: Record<string, unknown> };
  return { ...base, template: { ...base.template, ...templateOverrides }, ...overrides };
}

function without<T extends Record<string, unknown>>(value: T, key: string): Record<string, unknown> {
  const { [key]: _removed, ...rest } = value;
  return rest;
}

async function expect422(path: string, body: unknown, code: string, param: string | undefined, headers?: Record<string, string>) {
  const res = await harness.api.post(path, body, headers ? { headers } : {});
  expect(res.status, JSON.stringify(res.body)).to.equal(422);
  expect(res.body.error.code).to.equal(code);
  expect(res.body.error.param).to.equal(param);
  return res;
}

describe('the /v1 WhatsApp operations: request validation', () => {
  describe('accept valid requests', () => {
    for (const example of ['reply']) {
      it(`sendWhatsAppMessage, spec example '${example}' → 202`, async () => {
        const res = await harness.api.post(MESSAGES, requestExample('sendWhatsAppMessage', example));
        expect(res.status, res.text).to.equal(202);
        expect(res.body).to.include({ status: 'queued', type: 'text' });
      });
    }

    for (const example of ['named', 'positional']) {
      it(`sendWhatsAppTemplate, spec example '${example}' → 202`, async () => {
        const res = await harness.api.post(TEMPLATES, requestExample('sendWhatsAppTemplate', example));
        expect(res.status, res.text).to.equal(202);
        expect(res.body).to.include({ status: 'queued', type: 'template' });
      });
    }

    it('getWhatsAppMessageStatus of an unknown id → 404 message_not_found', async () => {
      const res = await harness.api.get(`${MESSAGES}/${MESSAGE_ID}`);
      expect(res.status).to.equal(404);
      expect(res.body.error.code).to.equal('message_not_found');
    });

    it('getWhatsAppMessageStatus with an id too long for the schema still reaches the operation (no 422 documented)', async () => {
      const res = await harness.api.get(`${MESSAGES}/${'a'.repeat(65)}`);
      expect(res.status).to.equal(404);
      expect(res.body.error.code).to.equal('message_not_found');
    });

    it('accepts an Idempotency-Key of exactly 255 characters', async () => {
      const res = await harness.api.post(MESSAGES, message(), { headers: { 'Idempotency-Key': `k${Date.now()}`.padEnd(255, 'k') } });
      expect(res.status).to.equal(202);
    });

    it('accepts the optional template fields at their limits (then looks the template up)', async () => {
      const buttons = Array.from({ length: 10 }, (_, i) => ({ type: 'quick_reply', index: i, value: `v${i}` }));
      const res = await harness.api.post(
        TEMPLATES,
        template({ buttons, header_parameters: { '1': 'x' }, name: 'a'.repeat(512), language: 'pt_BR' }),
      );
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('template_not_found');
    });
  });

  describe('validate sendWhatsAppMessage bodies first (422)', () => {
    it('missing top-level field → missing_required_field', () =>
      expect422(MESSAGES, without(message(), 'text'), 'missing_required_field', 'text'));
    it('missing nested field → missing_required_field with a dotted param', () =>
      expect422(MESSAGES, message({ text: {} }), 'missing_required_field', 'text.body'));
    it('unknown top-level field → unknown_field', () => expect422(MESSAGES, message({ priority: 'high' }), 'unknown_field', 'priority'));
    it('unknown nested field → unknown_field', () =>
      expect422(MESSAGES, message({ text: { body: 'x', preview_url: true } }), 'unknown_field', 'text.preview_url'));
    it('wrong type → invalid_field_value', async () => {
      const res = await expect422(MESSAGES, message({ text: 'hello' }), 'invalid_field_value', 'text');
      expect(res.body.error.message).to.equal("The field 'text' must be an object.");
    });
    it('agent_id not a UUID → invalid_agent_id', () =>
      expect422(MESSAGES, message({ agent_id: 'agent-7' }), 'invalid_agent_id', 'agent_id'));
    it('agent_id in upper case is a UUID: past field validation (an agent that does not exist → agent_not_found)', () =>
      expect422(MESSAGES, message({ agent_id: '12345678-1234-1234-1234-12345678901A' }), 'agent_not_found', 'agent_id'));
    it('agent_id with a letter that is not hexadecimal → invalid_agent_id', () =>
      expect422(MESSAGES, message({ agent_id: '12345678-1234-1234-1234-12345678901G' }), 'invalid_agent_id', 'agent_id'));
    it('agent_id of the wrong type → invalid_agent_id', () =>
      expect422(MESSAGES, message({ agent_id: 42 }), 'invalid_agent_id', 'agent_id'));
    it('to not E.164 → invalid_phone_number', () => expect422(MESSAGES, message({ to: '0015551234567' }), 'invalid_phone_number', 'to'));
    it('from not E.164 → invalid_from_phone', () => expect422(MESSAGES, message({ from: '+1555' }), 'invalid_from_phone', 'from'));
    it('empty text.body → invalid_text_body', () => expect422(MESSAGES, message({ text: { body: '' } }), 'invalid_text_body', 'text.body'));
    it('text.body over 4096 characters → invalid_text_body', () =>
      expect422(MESSAGES, message({ text: { body: 'x'.repeat(4097) } }), 'invalid_text_body', 'text.body'));
    it('text.body of exactly 4096 characters passes validation', async () => {
      const res = await harness.api.post(MESSAGES, message({ text: { body: 'x'.repeat(4096) } }));
      expect(res.status).to.equal(202);
    });
    it('a body that is not an object → invalid_field_value without param', async () => {
      for (const body of [[], 'text', 42, null]) {
        const res = await expect422(MESSAGES, body, 'invalid_field_value', undefined);
        expect(res.body.error).not.to.have.property('param');
      }
    });
  });

  describe('validate sendWhatsAppTemplate bodies first (422)', () => {
    it('template.name invalid → invalid_template_name', () =>
      expect422(TEMPLATES, template({ name: 'Order-Shipped' }), 'invalid_template_name', 'template.name'));
    it('template.name too long → invalid_template_name', () =>
      expect422(TEMPLATES, template({ name: 'a'.repeat(513) }), 'invalid_template_name', 'template.name'));
    it('template.language invalid → invalid_template_language', () =>
      expect422(TEMPLATES, template({ language: 'english' }), 'invalid_template_language', 'template.language'));
    it('missing template.language → missing_required_field', () =>
      expect422(TEMPLATES, template({ language: undefined }), 'missing_required_field', 'template.language'));
    it('unknown template field → unknown_field', () =>
      expect422(TEMPLATES, template({ components: [] }), 'unknown_field', 'template.components'));
    it('parameters key outside the pattern → invalid_field_value naming the key', () =>
      expect422(
        TEMPLATES,
        template({ parameters: { 'Customer-Name': 'Sara' } }),
        'invalid_field_value',
        'template.parameters.Customer-Name',
      ));
    it('positional key 0 is outside the pattern', () =>
      expect422(TEMPLATES, template({ parameters: { '0': 'Sara' } }), 'invalid_field_value', 'template.parameters.0'));
    it('a key that would make the dotted path ambiguous is quoted', () =>
      expect422(TEMPLATES, template({ parameters: { 'a.b': 'x' } }), 'invalid_field_value', 'template.parameters["a.b"]'));
    it('a parameter value that is not a string → invalid_field_value', () =>
      expect422(TEMPLATES, template({ parameters: { customer_name: 7 } }), 'invalid_field_value', 'template.parameters.customer_name'));
    it('an empty parameter value → invalid_field_value', () =>
      expect422(TEMPLATES, template({ header_parameters: { '1': '' } }), 'invalid_field_value', 'template.header_parameters.1'));
    it('a parameter value over 1024 characters → invalid_field_value', () =>
      expect422(
        TEMPLATES,
        template({ parameters: { customer_name: 'x'.repeat(1025) } }),
        'invalid_field_value',
        'template.parameters.customer_name',
      ));
    it('more than 100 parameters → invalid_field_value on the map', () => {
      const parameters = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}`, 'x']));
      return expect422(TEMPLATES, template({ parameters }), 'invalid_field_value', 'template.parameters');
    });
    it('button index out of range → invalid_field_value with an indexed param', async () => {
      const res = await expect422(
        TEMPLATES,
        template({ buttons: [{ type: 'url', index: 10, value: 'x' }] }),
        'invalid_field_value',
        'template.buttons[0].index',
      );
      expect(res.body.error.message).to.equal("The field 'template.buttons[0].index' must be an integer from 0 to 9.");
    });
    it('button of an unknown type → invalid_field_value', () =>
      expect422(
        TEMPLATES,
        template({
          buttons: [
            { type: 'url', index: 0, value: 'a' },
            { type: 'call', index: 1, value: 'b' },
          ],
        }),
        'invalid_field_value',
        'template.buttons[1].type',
      ));
    it('button without value → missing_required_field', () =>
      expect422(TEMPLATES, template({ buttons: [{ type: 'url', index: 0 }] }), 'missing_required_field', 'template.buttons[0].value'));
    it('button with an unknown field → unknown_field', () =>
      expect422(
        TEMPLATES,
        template({ buttons: [{ type: 'url', index: 0, value: 'a', label: 'x' }] }),
        'unknown_field',
        'template.buttons[0].label',
      ));
    it('more than 10 buttons → invalid_field_value on the list', () => {
      const buttons = Array.from({ length: 11 }, (_, i) => ({ type: 'url', index: i % 10, value: 'x' }));
      return expect422(TEMPLATES, template({ buttons }), 'invalid_field_value', 'template.buttons');
    });
    it('header_media_url that is not https → invalid_field_value', () =>
      expect422(TEMPLATES, template({ header_media_url: 'http://cdn.example/a.jpg' }), 'invalid_field_value', 'template.header_media_url'));
    it('shares the field codes of messages (to)', () => expect422(TEMPLATES, template({}, { to: '555' }), 'invalid_phone_number', 'to'));
  });

  describe('report one problem, the first in field order, deterministically', () => {
    it('ignores the order of the request’s keys', async () => {
      const a = { to: 'bad', agent_id: 'bad', from: 'bad', text: { body: '' } };
      const b = { text: { body: '' }, from: 'bad', agent_id: 'bad', to: 'bad' };
      await expect422(MESSAGES, a, 'invalid_agent_id', 'agent_id');
      await expect422(MESSAGES, b, 'invalid_agent_id', 'agent_id');
    });
    it('a missing field earlier in the schema wins over a bad one later', () =>
      expect422(MESSAGES, { from: 'bad', to: '+15551234567', text: { body: 'x' } }, 'missing_required_field', 'agent_id'));
    it('declared fields come before unknown ones', () =>
      expect422(MESSAGES, { zzz: 1, ...message({ text: { body: '' } }) }, 'invalid_text_body', 'text.body'));
    it('unknown fields are reported in request order', async () => {
      await expect422(MESSAGES, { ...message(), b_extra: 1, a_extra: 2 }, 'unknown_field', 'b_extra');
      await expect422(MESSAGES, { ...message(), a_extra: 2, b_extra: 1 }, 'unknown_field', 'a_extra');
    });
    it('array items in index order', () =>
      expect422(
        TEMPLATES,
        template({
          buttons: [
            { type: 'url', index: 0, value: 'a' },
            { type: 'url', index: 99, value: 'b' },
            { type: 'bad', index: 2, value: 'c' },
          ],
        }),
        'invalid_field_value',
        'template.buttons[1].index',
      ));
  });

  describe('Idempotency-Key header', () => {
    it('over 255 characters → 422 invalid_idempotency_key', async () => {
      const res = await expect422(MESSAGES, message(), 'invalid_idempotency_key', 'Idempotency-Key', {
        'Idempotency-Key': 'k'.repeat(256),
      });
      expect(res.body.error.type).to.equal('idempotency_error');
    });
    it('empty → 422 invalid_idempotency_key', () =>
      expect422(TEMPLATES, template(), 'invalid_idempotency_key', 'Idempotency-Key', { 'Idempotency-Key': '' }));
    it('is checked after the body: a body problem is reported first', () =>
      expect422(MESSAGES, message({ to: 'x' }), 'invalid_phone_number', 'to', { 'Idempotency-Key': 'k'.repeat(300) }));
  });
});
