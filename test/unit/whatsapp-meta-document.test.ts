/**
 * Meta's OpenAPI document (v23.0) as the oracle, whenever it is available (beside the clone at
 * ../shared/reference/, or named by META_OPENAPI_DOCUMENT; pending otherwise):
 * - the fake Meta's override list: each override is needed (the document without it rejects a
 *   real request, or Meta's own example, or accepts what Meta refuses), and validation stays
 *   strict with all of them;
 * - our own schema (cloud-api.schema.yaml) agrees with it: what ours accepts, Meta's accepts;
 *   what both must refuse, both refuse; Meta's own examples in our scope are accepted by ours.
 */
import { expect } from 'chai';
import { parseWebhookPayload, type InboundMessageEvent } from '../../server/src/whatsapp/webhook-payload.ts';
import {
  META_DOCUMENT_ABSENT,
  metaDocument,
  metaDocumentAvailable,
  metaValidator,
  type MetaValidator,
} from '../support/fake-meta/meta-document.ts';
import { META_SCHEMA_OVERRIDES } from '../support/fake-meta/meta-overrides.ts';
import { ownValidator } from '../support/fake-meta/own-schema.ts';
import { BOTH_REJECT } from '../support/fake-meta/traffic-refusals.ts';
import { SAMPLES } from '../support/fake-meta/traffic.ts';

const ALL = META_SCHEMA_OVERRIDES.map((o) => o.id);
const without = (id: string): MetaValidator => metaValidator({ overrides: ALL.filter((o) => o !== id) });

const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '+15551234567' };
const text = { ...base, type: 'text', text: { body: 'hi', preview_url: false } };
const template = (components: unknown[]) => ({
  ...base,
  type: 'template',
  template: { name: 'order_update', language: { policy: 'deterministic', code: 'en' }, components },
});
const urlButton = (index: string) => ({ type: 'button', sub_type: 'url', index, parameters: [{ type: 'text', text: 'ORD-42' }] });
const couponButton = { type: 'button', sub_type: 'copy_code', index: '1', parameters: [{ type: 'coupon_code', coupon_code: 'FALL25' }] };

type Examples = Record<string, { value: Record<string, unknown> }>;
const paths = () => metaDocument().paths as Record<string, any>;
const sendExamples = (): Examples => paths()['/{Version}/{Phone-Number-ID}/messages'].post.requestBody.content['application/json'].examples;
const webhookExamples = (): Examples => paths()['/whatsapp/webhooks'].post.requestBody.content['application/json'].examples;
const MESSAGE_WEBHOOK_EXAMPLES = [
  'Text Message',
  'Text Message with Context (Product Inquiry)',
  'Text Message from Click to WhatsApp Ad',
  'Reaction Message',
  'Image Message',
  'Location Message',
  'Contact Sharing Message',
  'Unsupported Message',
  'Button Message',
  'Interactive List Reply Message',
  'Interactive Button Reply Message',
  'Order Message',
  'System Message',
];

function inboundWithContext(): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: 'Sara' }, wa_id: '15551234567' }],
              messages: [
                {
                  context: { from: '15550783881', id: 'wamid.ours' },
                  from: '15551234567',
                  id: 'wamid.in',
                  timestamp: '1750000000',
                  type: 'text',
                  text: { body: 'Yes please' },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

describe("Meta's OpenAPI document and the fake Meta's overrides", function () {
  this.timeout(120_000);
  before(function () {
    if (!metaDocumentAvailable()) {
      console.log(`      pending: ${META_DOCUMENT_ABSENT}`);
      this.skip();
    }
    metaValidator().validateSendBody({});
    metaValidator({ overrides: false }).validateSendBody({});
  });

  it('every override is documented (problem, evidence, change) and has a unique id', () => {
    expect(new Set(ALL).size).to.equal(ALL.length);
    for (const o of META_SCHEMA_OVERRIDES) {
      expect(o.problem.length, o.id).to.be.greaterThan(20);
      expect(o.evidence.length, o.id).to.be.greaterThan(20);
      expect(o.change.length, o.id).to.be.greaterThan(10);
    }
  });

  describe('each override is needed', () => {
    const send: Array<[string, unknown]> = [
      ['closed-message-variants', text],
      ['biz-opaque-callback-data', { ...text, biz_opaque_callback_data: '0b7f1a9e-3c1d-4f6e-9a51-2f8e5c7d9a10' }],
      ['button-index-pattern', template([urlButton('0')])],
      ['button-sub-types', template([couponButton])],
      ['coupon-code-parameter', template([couponButton])],
    ];
    for (const [id, body] of send) {
      it(`${id}: a real send body is rejected without it, accepted with all overrides`, () => {
        expect(without(id).validateSendBody(body).valid).to.equal(false);
        expect(metaValidator().validateSendBody(body)).to.deep.equal({ valid: true, errors: [] });
      });
    }

    it('enforce-discriminators: without it, a text parameter without text and an image without a link pass', () => {
      for (const component of [
        { type: 'body', parameters: [{ type: 'text' }] },
        { type: 'header', parameters: [{ type: 'image' }] },
        { ...urlButton('0'), parameters: [{ type: 'payload' }] },
      ]) {
        const body = template([component]);
        expect(without('enforce-discriminators').validateSendBody(body).valid, JSON.stringify(component)).to.equal(true);
        expect(metaValidator().validateSendBody(body).valid, JSON.stringify(component)).to.equal(false);
      }
    });

    it("inbound-webhook-refs: Meta's own 13 inbound-message webhook examples fail without it and pass with it", () => {
      const examples = webhookExamples();
      for (const name of MESSAGE_WEBHOOK_EXAMPLES) {
        const value = examples[name]!.value;
        expect(metaValidator({ overrides: false }).validateWebhookPayload(value).valid, name).to.equal(false);
        expect(without('inbound-webhook-refs').validateWebhookPayload(value).valid, name).to.equal(false);
        expect(metaValidator().validateWebhookPayload(value), name).to.deep.equal({ valid: true, errors: [] });
      }
    });

    it('reply-context: a customer reply (context with from and id) is rejected without it', () => {
      expect(without('reply-context').validateWebhookPayload(inboundWithContext()).valid).to.equal(false);
      expect(metaValidator().validateWebhookPayload(inboundWithContext()).valid).to.equal(true);
    });
  });

  it("the document's own 'Send Text Message' and 'Send Reply to Text Message' examples fail as published and pass with the overrides", () => {
    for (const name of ['Send Text Message', 'Send Reply to Text Message']) {
      const value = sendExamples()[name]!.value;
      expect(metaValidator({ overrides: false }).validateSendBody(value).valid, name).to.equal(false);
      expect(metaValidator().validateSendBody(value).valid, name).to.equal(true);
    }
  });

  describe('validation stays strict with every override', () => {
    const rejected: Array<[string, unknown, RegExp]> = [
      ['an unknown top-level field on a text message', { ...text, extra: 1 }, /extra/],
      [
        'a text message without recipient_type',
        { messaging_product: 'whatsapp', to: '1', type: 'text', text: { body: 'x' } },
        /recipient_type/,
      ],
      ['biz_opaque_callback_data over 512 characters', { ...text, biz_opaque_callback_data: 'x'.repeat(513) }, /512/],
      ['an unknown field inside text', { ...text, text: { body: 'x', bold: true } }, /bold/],
      ['a button index of two digits', template([urlButton('10')]), /index/],
      ['a button index that is a number, not a string', template([{ ...urlButton('0'), index: 0 }]), /index/],
      ['an unknown button sub_type', template([{ ...urlButton('0'), sub_type: 'bogus' }]), /sub_type/],
      ['a coupon_code parameter without its code', template([{ ...couponButton, parameters: [{ type: 'coupon_code' }] }]), /coupon_code/],
      ['a button without parameters', template([{ type: 'button', sub_type: 'quick_reply', index: '0' }]), /parameters/],
      [
        'a media link that is not a URI',
        template([{ type: 'header', parameters: [{ type: 'image', image: { link: 'not a url' } }] }]),
        /image/,
      ],
      ['language without policy', { ...base, type: 'template', template: { name: 'x', language: { code: 'en' } } }, /policy/],
      ['an unknown component type', template([{ type: 'footer', parameters: [] }]), /components\/0\/type/],
    ];
    for (const [what, body, message] of rejected) {
      it(`rejects ${what}`, () => {
        const result = metaValidator().validateSendBody(body);
        expect(result.valid).to.equal(false);
        expect(result.errors.join('\n')).to.match(message);
        expect(result.errors.length).to.be.at.most(20);
      });
    }
  });

  it('validates Graph errors, send responses and template lists with the same document', () => {
    const v = metaValidator();
    expect(
      v.validateGraphError({ error: { message: '(#131047) Re-engagement message', type: 'OAuthException', code: 131047, fbtrace_id: 'x' } })
        .valid,
    ).to.equal(true);
    expect(v.validateGraphError({ error: { message: 'x', type: 'OAuthException', code: '131047' } }).valid).to.equal(false);
    expect(
      v.validateSendResponse({
        messaging_product: 'whatsapp',
        contacts: [{ input: '+1', wa_id: '1' }],
        messages: [{ id: 'wamid.x', message_status: 'accepted' }],
      }).valid,
    ).to.equal(true);
    expect(v.validateSendResponse({ messages: [{ id: 'wamid.x', message_status: 'delivered' }] }).valid).to.equal(false);
    expect(
      v.validateTemplateList({
        data: [{ name: 'x', language: 'en', status: 'APPROVED', components: [] }],
        paging: { cursors: { before: 'a', after: 'b' } },
      }).valid,
    ).to.equal(true);
  });
  describe('our own schema agrees with it', () => {
    const own = ownValidator();

    it("every traffic sample our schema accepts, Meta's document (with the overrides) accepts", () => {
      for (const sample of SAMPLES) {
        expect(own[sample.kind](sample.value).valid, `ours: ${sample.name}`).to.equal(true);
        expect(metaValidator()[sample.kind](sample.value), `Meta's: ${sample.name}`).to.deep.equal({ valid: true, errors: [] });
      }
    });

    it('what both must refuse, both refuse', () => {
      for (const refusal of BOTH_REJECT) {
        expect(own[refusal.kind](refusal.value).valid, `ours: ${refusal.name}`).to.equal(false);
        expect(metaValidator()[refusal.kind](refusal.value).valid, `Meta's: ${refusal.name}`).to.equal(false);
      }
    });

    it("Meta's own examples in our scope are accepted by ours (and by Meta's, with the overrides)", () => {
      const accepted = (examples: Examples, check: (v: unknown) => { valid: boolean }) =>
        Object.keys(examples).filter((name) => check(examples[name]!.value).valid);
      // 'Send Text Message' with its recipient placeholder filled in. Its template examples are out of our scope:
      // currency and date_time parameters, no language.policy, placeholder links and language codes.
      const textSend: Record<string, unknown> = { ...sendExamples()['Send Text Message']!.value, to: '+16505551234' };
      expect(own.validateSendBody(textSend)).to.deep.equal({ valid: true, errors: [] });
      expect(metaValidator().validateSendBody(textSend).valid).to.equal(true);
      expect(own.validateSendBody({ ...textSend, text: { ...(textSend.text as object), bold: true } }).valid).to.equal(false);
      const hooks = accepted(webhookExamples(), (v) => own.validateWebhookPayload(v));
      expect(hooks).to.deep.equal(['Text Message']);
      for (const name of hooks) expect(metaValidator().validateWebhookPayload(webhookExamples()[name]!.value).valid, name).to.equal(true);
      const templates = paths()['/{Version}/{WABA-ID}/message_templates'].get.responses['200'].content['application/json']
        .examples as Examples;
      expect(Object.keys(templates).length).to.be.greaterThan(0);
      for (const [name, example] of Object.entries(templates)) {
        expect(own.validateTemplateList(example.value), name).to.deep.equal({ valid: true, errors: [] });
        expect(metaValidator().validateTemplateList(example.value).valid, name).to.equal(true);
      }
    });

    it("our webhook parser reads Meta's own webhook examples", () => {
      const examples = webhookExamples();
      const text = parseWebhookPayload(examples['Text Message']!.value);
      expect(text.problems).to.deep.equal([]);
      expect(text.events).to.have.length(1);
      expect(text.events[0]).to.deep.include({
        kind: 'inbound',
        phoneNumberId: '106540352242922',
        from: '+16505551234',
        type: 'text',
        content: { body: 'Does it come in another color?' },
        profileName: 'Sheena Nelson',
      });
      const image = parseWebhookPayload(examples['Image Message']!.value).events[0] as InboundMessageEvent;
      expect(image.type).to.equal('image');
      expect(image.content).to.deep.include({ id: '1003383421387256', mime_type: 'image/jpeg' });
      // group events are another subscription field: skipped without a problem
      expect(parseWebhookPayload(examples['Group Create Message']!.value)).to.deep.equal({ events: [], problems: [] });
    });
  });
});
