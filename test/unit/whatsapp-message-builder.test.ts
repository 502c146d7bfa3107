import { expect } from 'chai';
import { templateFromMeta, type TemplateDefinition } from '../../server/src/domain/templates.ts';
import {
  buildMetaMessage,
  MessageBuildError,
  type MetaMessageBody,
  type StoredMessageContent,
} from '../../server/src/whatsapp/message-builder.ts';
import { fakeMetaValidator } from '../support/fake-meta/validators.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';

const MESSAGE_ID = '0b7f1a9e-3c1d-4f6e-9a51-2f8e5c7d9a10';
const TO = '+15551234567';

function meta(template: Record<string, unknown>): TemplateDefinition {
  return templateFromMeta({ status: 'APPROVED', category: 'UTILITY', ...template });
}

/** Builds, and checks the result with the validator the fake Meta uses (our schema, and Meta's document when available). */
function build(content: StoredMessageContent, template?: TemplateDefinition): MetaMessageBody {
  const body = buildMetaMessage({ messageId: MESSAGE_ID, to: TO, content, ...(template ? { template } : {}) });
  const result = fakeMetaValidator().validateSendBody(body);
  expect(result.errors, JSON.stringify(body)).to.deep.equal([]);
  expect(result.valid).to.equal(true);
  return body;
}

function components(body: MetaMessageBody): unknown[] {
  if (body.type !== 'template') throw new Error('not a template');
  return [...(body.template.components ?? [])];
}

describe('WhatsApp message builder (our content → Meta send body)', function () {
  this.timeout(30_000);
  before(() => fakeMetaValidator().validateSendBody({})); // compile the schemas once

  it('builds a text message with preview off and our id as biz_opaque_callback_data', () => {
    expect(build({ text: { body: 'Hello, your order shipped.' } })).to.deep.equal({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: TO,
      biz_opaque_callback_data: MESSAGE_ID,
      type: 'text',
      text: { body: 'Hello, your order shipped.', preview_url: false },
    });
  });

  it('EXAMPLE_TEMPLATES order_shipped (NAMED): each body parameter carries parameter_name, in the template order', () => {
    const template = meta(EXAMPLE_TEMPLATES[0] as unknown as Record<string, unknown>);
    const body = build(
      {
        template: {
          name: 'order_shipped',
          language: 'en',
          parameters: { tracking_url: 'https://track.example/9001', customer_name: 'Sara' },
        },
      },
      template,
    );
    expect(body).to.deep.include({ type: 'template', biz_opaque_callback_data: MESSAGE_ID });
    if (body.type !== 'template') throw new Error('unreachable');
    expect(body.template.name).to.equal('order_shipped');
    expect(body.template.language).to.deep.equal({ policy: 'deterministic', code: 'en' });
    expect(components(body)).to.deep.equal([
      {
        type: 'body',
        parameters: [
          { type: 'text', parameter_name: 'customer_name', text: 'Sara' },
          { type: 'text', parameter_name: 'tracking_url', text: 'https://track.example/9001' },
        ],
      },
    ]);
  });

  it('EXAMPLE_TEMPLATES appointment_reminder (POSITIONAL, image header, url + quick-reply buttons)', () => {
    const template = meta(EXAMPLE_TEMPLATES[1] as unknown as Record<string, unknown>);
    const body = build(
      {
        template: {
          name: 'appointment_reminder',
          language: 'ar',
          parameters: { '2': 'الثلاثاء 10:00', '1': 'سارة' },
          header_media_url: 'https://cdn.example/clinic-map.jpg',
          buttons: [
            { type: 'quick_reply', index: 1, value: 'CANCEL_9001' },
            { type: 'url', index: 0, value: 'appointments/9001' },
          ],
        },
      },
      template,
    );
    expect(components(body)).to.deep.equal([
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example/clinic-map.jpg' } }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'سارة' },
          { type: 'text', text: 'الثلاثاء 10:00' },
        ],
      },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'appointments/9001' }] },
      { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'CANCEL_9001' }] },
    ]);
  });

  it('the quick-reply value of appointment_reminder is optional', () => {
    const template = meta(EXAMPLE_TEMPLATES[1] as unknown as Record<string, unknown>);
    const body = build(
      {
        template: {
          name: 'appointment_reminder',
          language: 'ar',
          parameters: { '1': 'a', '2': 'b' },
          header_media_url: 'https://cdn.example/m.jpg',
          buttons: [{ type: 'url', index: 0, value: 'x' }],
        },
      },
      template,
    );
    expect(components(body).map((c) => (c as { type: string }).type)).to.deep.equal(['header', 'body', 'button']);
  });

  it('positional values go in placeholder number order, not order of appearance', () => {
    const template = meta({ name: 'otp', language: 'en', components: [{ type: 'BODY', text: 'Use {{2}} to sign in to {{1}}.' }] });
    expect(template.bodyParameters).to.deep.equal(['2', '1']);
    const body = build({ template: { name: 'otp', language: 'en', parameters: { '1': 'Mojeeb', '2': '482913' } } }, template);
    expect(components(body)).to.deep.equal([
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Mojeeb' },
          { type: 'text', text: '482913' },
        ],
      },
    ]);
  });

  it('text headers: named and positional', () => {
    const named = meta({
      name: 'welcome',
      language: 'en_US',
      parameter_format: 'NAMED',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Hi {{first_name}}' },
        { type: 'BODY', text: 'Your plan {{plan}} is active.' },
      ],
    });
    expect(
      components(
        build(
          { template: { name: 'welcome', language: 'en_US', header_parameters: { first_name: 'Omar' }, parameters: { plan: 'Pro' } } },
          named,
        ),
      ),
    ).to.deep.equal([
      { type: 'header', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Omar' }] },
      { type: 'body', parameters: [{ type: 'text', parameter_name: 'plan', text: 'Pro' }] },
    ]);

    const positional = meta({
      name: 'welcome_pos',
      language: 'en',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Hi {{1}}' },
        { type: 'BODY', text: 'Plan {{1}}.' },
      ],
    });
    expect(
      components(
        build(
          { template: { name: 'welcome_pos', language: 'en', header_parameters: { '1': 'Omar' }, parameters: { '1': 'Pro' } } },
          positional,
        ),
      ),
    ).to.deep.equal([
      { type: 'header', parameters: [{ type: 'text', text: 'Omar' }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Pro' }] },
    ]);
  });

  for (const [format, type] of [
    ['VIDEO', 'video'],
    ['DOCUMENT', 'document'],
    ['IMAGE', 'image'],
  ] as const) {
    it(`a ${type} header becomes a ${type} parameter with the link`, () => {
      const template = meta({
        name: `with_${type}`,
        language: 'en',
        components: [
          { type: 'HEADER', format },
          { type: 'BODY', text: 'See attached.' },
        ],
      });
      const link = `https://cdn.example/file.${type === 'document' ? 'pdf' : type === 'video' ? 'mp4' : 'jpg'}`;
      expect(components(build({ template: { name: `with_${type}`, language: 'en', header_media_url: link } }, template))).to.deep.equal([
        { type: 'header', parameters: [{ type, [type]: { link } }] },
      ]);
    });
  }

  it('copy-code buttons carry coupon_code; a template without variables has no components', () => {
    const coupon = meta({
      name: 'fall_sale',
      language: 'en',
      category: 'MARKETING',
      components: [
        { type: 'BODY', text: 'Use {{1}} for 25% off.' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'QUICK_REPLY', text: 'Stop' },
            { type: 'COPY_CODE', example: 'FALL25' },
          ],
        },
      ],
    });
    expect(
      components(
        build(
          {
            template: {
              name: 'fall_sale',
              language: 'en',
              parameters: { '1': 'FALL25' },
              buttons: [{ type: 'copy_code', index: 1, value: 'FALL25' }],
            },
          },
          coupon,
        ),
      ),
    ).to.deep.equal([
      { type: 'body', parameters: [{ type: 'text', text: 'FALL25' }] },
      { type: 'button', sub_type: 'copy_code', index: '1', parameters: [{ type: 'coupon_code', coupon_code: 'FALL25' }] },
    ]);

    const plain = meta({ name: 'hello_world', language: 'en_US', components: [{ type: 'BODY', text: 'Hello!' }] });
    const body = build({ template: { name: 'hello_world', language: 'en_US' } }, plain);
    if (body.type !== 'template') throw new Error('unreachable');
    expect(body.template).to.deep.equal({ name: 'hello_world', language: { policy: 'deterministic', code: 'en_US' } });
  });

  it('without a definition: positional or named inferred from the keys (text parameters only)', () => {
    expect(components(build({ template: { name: 'x', language: 'en', parameters: { '2': 'b', '1': 'a' } } }))).to.deep.equal([
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    ]);
    expect(components(build({ template: { name: 'x', language: 'en', parameters: { name: 'Sara' } } }))).to.deep.equal([
      { type: 'body', parameters: [{ type: 'text', parameter_name: 'name', text: 'Sara' }] },
    ]);
    expect(() =>
      buildMetaMessage({
        messageId: MESSAGE_ID,
        to: TO,
        content: { template: { name: 'x', language: 'en', header_media_url: 'https://a.example/i.jpg' } },
      }),
    ).to.throw(MessageBuildError, /definition/);
  });

  describe('refuses content that does not fit the approved template (the template changed since the 202)', () => {
    const reminder = meta(EXAMPLE_TEMPLATES[1] as unknown as Record<string, unknown>);
    const shipped = meta(EXAMPLE_TEMPLATES[0] as unknown as Record<string, unknown>);
    const cases: Array<[string, StoredMessageContent, TemplateDefinition, RegExp]> = [
      [
        'a missing parameter',
        { template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara' } } },
        shipped,
        /tracking_url/,
      ],
      [
        'an unknown parameter',
        { template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'a', tracking_url: 'b', extra: 'c' } } },
        shipped,
        /extra/,
      ],
      [
        'a media header without its URL',
        {
          template: {
            name: 'appointment_reminder',
            language: 'ar',
            parameters: { '1': 'a', '2': 'b' },
            buttons: [{ type: 'url', index: 0, value: 'x' }],
          },
        },
        reminder,
        /header_media_url/,
      ],
      [
        'the url button without its value',
        {
          template: {
            name: 'appointment_reminder',
            language: 'ar',
            parameters: { '1': 'a', '2': 'b' },
            header_media_url: 'https://a.example/i.jpg',
          },
        },
        reminder,
        /url button/,
      ],
      [
        'a button of the wrong type',
        {
          template: {
            name: 'appointment_reminder',
            language: 'ar',
            parameters: { '1': 'a', '2': 'b' },
            header_media_url: 'https://a.example/i.jpg',
            buttons: [
              { type: 'url', index: 0, value: 'x' },
              { type: 'copy_code', index: 1, value: 'y' },
            ],
          },
        },
        reminder,
        /quick_reply/,
      ],
      ['another template', { template: { name: 'order_shipped', language: 'ar' } }, shipped, /order_shipped \(en\)/],
      [
        'a media URL for a template without media header',
        {
          template: {
            name: 'order_shipped',
            language: 'en',
            parameters: { customer_name: 'a', tracking_url: 'b' },
            header_media_url: 'https://a.example/i.jpg',
          },
        },
        shipped,
        /no media header/,
      ],
    ];
    for (const [what, content, template, message] of cases) {
      it(what, () => {
        expect(() => buildMetaMessage({ messageId: MESSAGE_ID, to: TO, content, template })).to.throw(MessageBuildError, message);
      });
    }

    it('a location header (no input for it in our API)', () => {
      const location = meta({
        name: 'where',
        language: 'en',
        components: [
          { type: 'HEADER', format: 'LOCATION' },
          { type: 'BODY', text: 'Here.' },
        ],
      });
      expect(() =>
        buildMetaMessage({ messageId: MESSAGE_ID, to: TO, content: { template: { name: 'where', language: 'en' } }, template: location }),
      ).to.throw(MessageBuildError, /location/);
    });

    it('an empty text body', () => {
      expect(() => buildMetaMessage({ messageId: MESSAGE_ID, to: TO, content: { text: { body: '' } } })).to.throw(MessageBuildError);
    });
  });
});
