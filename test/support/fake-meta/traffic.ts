/**
 * Samples of Cloud API traffic, in the shapes Meta sends and accepts (its developer docs and
 * what Graph answers; ids and numbers made up): what Mojeeb sends, Meta's answers, the template
 * list, status and inbound webhooks. Our own schema must accept every one, and Meta's document
 * too when it is present (test/unit/whatsapp-meta-document.test.ts).
 *
 * Plus what must be refused: `BOTH_REJECT` by our schema and by Meta's document (with the
 * overrides), `OWN_REJECTS` by our schema only (it is closed where Meta's document is open), so
 * no check can pass vacuously.
 */
import type { CloudApiValidator } from './validation.ts';

export type Kind = keyof CloudApiValidator;
export interface Sample {
  readonly kind: Kind;
  readonly name: string;
  readonly value: Record<string, unknown>;
}
export interface Refusal extends Sample {
  /** What our schema's errors must mention. */
  readonly error: RegExp;
}

const base = {
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: '+15551234567',
  biz_opaque_callback_data: '0b7f1a9e-3c1d-4f6e-9a51-2f8e5c7d9a10',
};
const text = { ...base, type: 'text', text: { body: 'Your order shipped: https://track.example/9001', preview_url: false } };
const template = (components?: unknown[]) => ({
  ...base,
  type: 'template',
  template: { name: 'order_update', language: { policy: 'deterministic', code: 'en_US' }, ...(components ? { components } : {}) },
});
const body = (...texts: string[]) => ({ type: 'body', parameters: texts.map((t) => ({ type: 'text', text: t })) });
const urlButton = (index: string) => ({ type: 'button', sub_type: 'url', index, parameters: [{ type: 'text', text: 'ORD-42' }] });
const couponButton = { type: 'button', sub_type: 'copy_code', index: '1', parameters: [{ type: 'coupon_code', coupon_code: 'FALL25' }] };
const header = (type: string) => ({
  type: 'header',
  parameters: [{ type, [type]: { link: `https://cdn.example/file.${type === 'document' ? 'pdf' : type === 'video' ? 'mp4' : 'jpg'}` } }],
});

const WAMID = 'wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';
const metadata = { display_phone_number: '15557654321', phone_number_id: '106540352242922' };
const statusWebhook = (...statuses: Record<string, unknown>[]) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '419561257915477', changes: [{ value: { messaging_product: 'whatsapp', metadata, statuses }, field: 'messages' }] }],
});
const status = (value: string, extra: Record<string, unknown> = {}) => ({
  id: WAMID,
  status: value,
  timestamp: '1750000000',
  recipient_id: '15551234567',
  ...extra,
});
const inboundWebhook = (message: Record<string, unknown>) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '419561257915477',
      changes: [
        {
          value: {
            messaging_product: 'whatsapp',
            metadata,
            contacts: [{ profile: { name: 'Sara' }, wa_id: '15551234567' }],
            messages: [message],
          },
          field: 'messages',
        },
      ],
    },
  ],
});
const inbound = {
  from: '15551234567',
  id: 'wamid.HBgLMTU1NTEyMzQ1NjcVAgASGBQzQUZCMTI4RDQ3QjdCNzM1RkU2RAA=',
  timestamp: '1750000042',
  type: 'text',
  text: { body: 'Does it come in blue?' },
};
const graphError = (error: Record<string, unknown>) => ({ error: { fbtrace_id: 'AZv4bC1dE2fG3hI4jK5lM6n', ...error } });
const templateObject = {
  name: 'order_shipped',
  parameter_format: 'NAMED',
  components: [
    {
      type: 'BODY',
      text: 'Hi {{customer_name}}, your order shipped.',
      example: { body_text_named_params: [{ param_name: 'customer_name', example: 'Sara' }] },
    },
  ],
  language: 'en',
  status: 'APPROVED',
  category: 'UTILITY',
  id: '1192339204654487',
};

export const SAMPLES: readonly Sample[] = [
  { kind: 'validateSendBody', name: 'a text message', value: text },
  { kind: 'validateSendBody', name: 'a template without variables', value: template() },
  {
    kind: 'validateSendBody',
    name: 'a template with named body parameters',
    value: template([{ type: 'body', parameters: [{ type: 'text', parameter_name: 'customer_name', text: 'Sara' }] }]),
  },
  {
    kind: 'validateSendBody',
    name: 'a template with an image header, positional body and url + quick-reply buttons',
    value: template([
      header('image'),
      body('سارة', 'الثلاثاء 10:00'),
      urlButton('0'),
      { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'CANCEL_9001' }] },
    ]),
  },
  { kind: 'validateSendBody', name: 'a template with a video header', value: template([header('video')]) },
  { kind: 'validateSendBody', name: 'a template with a document header', value: template([header('document'), body('INV-7')]) },
  {
    kind: 'validateSendBody',
    name: 'a template with a text header and a copy-code button',
    value: template([{ type: 'header', parameters: [{ type: 'text', text: 'Omar' }] }, body('FALL25'), couponButton]),
  },

  {
    kind: 'validateSendResponse',
    name: 'a text accepted',
    value: {
      messaging_product: 'whatsapp',
      contacts: [{ input: '+15551234567', wa_id: '15551234567' }],
      messages: [{ id: WAMID, message_status: 'accepted' }],
    },
  },
  {
    kind: 'validateSendResponse',
    name: 'an answer without message_status',
    value: { messaging_product: 'whatsapp', contacts: [{ input: '15551234567', wa_id: '15551234567' }], messages: [{ id: WAMID }] },
  },
  {
    kind: 'validateSendResponse',
    name: 'a marketing template held for quality assessment',
    value: {
      messaging_product: 'whatsapp',
      contacts: [{ input: '+15551234567', wa_id: '15551234567' }],
      messages: [{ id: WAMID, message_status: 'held_for_quality_assessment' }],
    },
  },

  {
    kind: 'validateGraphError',
    name: 'the customer-service window closed',
    value: graphError({
      message: '(#131047) Re-engagement message',
      type: 'OAuthException',
      code: 131047,
      error_data: {
        messaging_product: 'whatsapp',
        details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      },
    }),
  },
  {
    kind: 'validateGraphError',
    name: 'an expired token',
    value: graphError({
      message: 'Error validating access token: Session has expired.',
      type: 'OAuthException',
      code: 190,
      error_subcode: 463,
    }),
  },
  {
    kind: 'validateGraphError',
    name: 'a throughput error, transient',
    value: graphError({
      message: '(#130429) Rate limit hit',
      type: 'OAuthException',
      code: 130429,
      is_transient: true,
      error_user_title: 'Rate limit hit',
      error_user_msg: 'Try again later.',
    }),
  },

  {
    kind: 'validateTemplateList',
    name: 'a page with a next page',
    value: {
      data: [
        templateObject,
        {
          name: 'appointment_reminder',
          language: 'ar',
          status: 'PAUSED',
          category: 'UTILITY',
          parameter_format: 'POSITIONAL',
          components: [
            { type: 'HEADER', format: 'IMAGE' },
            { type: 'BODY', text: 'مرحبا {{1}}' },
            {
              type: 'BUTTONS',
              buttons: [
                { type: 'URL', text: 'Manage', url: 'https://clinic.example/{{1}}', example: ['https://clinic.example/9001'] },
                { type: 'QUICK_REPLY', text: 'Cancel' },
              ],
            },
          ],
        },
      ],
      paging: {
        cursors: { before: 'MAZDZD', after: 'MjQZD' },
        next: 'https://graph.facebook.com/v23.0/419561257915477/message_templates?limit=2&after=MjQZD',
      },
    },
  },
  {
    kind: 'validateTemplateList',
    name: 'the last page',
    value: {
      data: [
        { ...templateObject, status: 'REJECTED', rejected_reason: 'INVALID_FORMAT', category: 'MARKETING', previous_category: 'UTILITY' },
      ],
      paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } },
    },
  },

  {
    kind: 'validateWebhookPayload',
    name: 'sent, with conversation and pricing',
    value: statusWebhook(
      status('sent', {
        conversation: { id: 'c0a8b2e1f4d3', expiration_timestamp: '1750086400', origin: { type: 'utility' } },
        pricing: { billable: true, pricing_model: 'CBP', category: 'utility' },
      }),
    ),
  },
  {
    kind: 'validateWebhookPayload',
    name: 'delivered, per-message pricing, our id echoed',
    value: statusWebhook(
      status('delivered', {
        biz_opaque_callback_data: base.biz_opaque_callback_data,
        pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
      }),
    ),
  },
  {
    kind: 'validateWebhookPayload',
    name: 'two reads in one POST',
    value: statusWebhook(status('read'), status('read', { id: 'wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBJBQkNERUYA' })),
  },
  {
    kind: 'validateWebhookPayload',
    name: "failed, with Meta's error",
    value: statusWebhook(
      status('failed', {
        errors: [
          {
            code: 131026,
            title: 'Message undeliverable',
            message: 'Message undeliverable',
            error_data: { details: 'Message Undeliverable.' },
            href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
          },
        ],
      }),
    ),
  },
  { kind: 'validateWebhookPayload', name: 'an inbound text', value: inboundWebhook(inbound) },
  {
    kind: 'validateWebhookPayload',
    name: 'a reply to one of our messages',
    value: inboundWebhook({ ...inbound, context: { from: '15557654321', id: WAMID } }),
  },
];

export const BOTH_REJECT: readonly Refusal[] = [
  { kind: 'validateSendBody', name: 'an unknown top-level field on a text message', value: { ...text, extra: 1 }, error: /extra/ },
  { kind: 'validateSendBody', name: 'an unknown field inside text', value: { ...text, text: { body: 'x', bold: true } }, error: /bold/ },
  {
    kind: 'validateSendBody',
    name: 'a text message without recipient_type',
    value: { messaging_product: 'whatsapp', to: '15551234567', type: 'text', text: { body: 'x' } },
    error: /recipient_type/,
  },
  {
    kind: 'validateSendBody',
    name: 'biz_opaque_callback_data over 512 characters',
    value: { ...text, biz_opaque_callback_data: 'x'.repeat(513) },
    error: /512/,
  },
  {
    kind: 'validateSendBody',
    name: 'a template without language',
    value: { ...base, type: 'template', template: { name: 'x' } },
    error: /language/,
  },
  {
    kind: 'validateSendBody',
    name: 'language without policy',
    value: { ...base, type: 'template', template: { name: 'x', language: { code: 'en' } } },
    error: /policy/,
  },
  { kind: 'validateSendBody', name: 'a button index of two digits', value: template([urlButton('10')]), error: /index/ },
  { kind: 'validateSendBody', name: 'a button index that is a number', value: template([{ ...urlButton('0'), index: 0 }]), error: /index/ },
  {
    kind: 'validateSendBody',
    name: 'an unknown button sub_type',
    value: template([{ ...urlButton('0'), sub_type: 'bogus' }]),
    error: /sub_type/,
  },
  {
    kind: 'validateSendBody',
    name: 'a button without parameters',
    value: template([{ type: 'button', sub_type: 'quick_reply', index: '0' }]),
    error: /parameters/,
  },
  {
    kind: 'validateSendBody',
    name: 'a coupon_code parameter without its code',
    value: template([{ ...couponButton, parameters: [{ type: 'coupon_code' }] }]),
    error: /coupon_code/,
  },
  {
    kind: 'validateSendBody',
    name: 'a text parameter without text',
    value: template([{ type: 'body', parameters: [{ type: 'text' }] }]),
    error: /text/,
  },
  {
    kind: 'validateSendBody',
    name: 'an image parameter without the image',
    value: template([{ type: 'header', parameters: [{ type: 'image' }] }]),
    error: /image/,
  },
  {
    kind: 'validateSendBody',
    name: 'a media link that is not a URI',
    value: template([{ type: 'header', parameters: [{ type: 'image', image: { link: 'not a url' } }] }]),
    error: /link/,
  },
  {
    kind: 'validateSendBody',
    name: 'an unknown component type',
    value: template([{ type: 'footer', parameters: [] }]),
    error: /components\/0\/type/,
  },
  {
    kind: 'validateSendResponse',
    name: 'a message_status Meta never answers',
    value: { messaging_product: 'whatsapp', contacts: [], messages: [{ id: WAMID, message_status: 'delivered' }] },
    error: /message_status/,
  },
  {
    kind: 'validateGraphError',
    name: 'a Graph error whose code is a string',
    value: graphError({ message: 'x', type: 'OAuthException', code: '131047' }),
    error: /code/,
  },
  {
    kind: 'validateGraphError',
    name: 'a Graph error without message',
    value: graphError({ type: 'OAuthException', code: 100 }),
    error: /message/,
  },
  { kind: 'validateTemplateList', name: 'a template list whose data is not a list', value: { data: templateObject }, error: /data/ },
  { kind: 'validateWebhookPayload', name: 'a status Meta does not have', value: statusWebhook(status('deleted')), error: /status/ },
  {
    kind: 'validateWebhookPayload',
    name: 'a status without its wamid',
    value: statusWebhook({ status: 'sent', timestamp: '1750000000', recipient_id: '15551234567' }),
    error: /id/,
  },
  {
    kind: 'validateWebhookPayload',
    name: 'an inbound message without from',
    value: inboundWebhook({ ...inbound, from: undefined }),
    error: /from/,
  },
  { kind: 'validateWebhookPayload', name: 'a webhook without entry', value: { object: 'whatsapp_business_account' }, error: /entry/ },
  {
    kind: 'validateWebhookPayload',
    name: 'a numeric status timestamp',
    value: statusWebhook(status('sent', { timestamp: 1750000000 })),
    error: /timestamp/,
  },
  {
    kind: 'validateWebhookPayload',
    name: 'another subscription field',
    value: {
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] }],
    },
    error: /field/,
  },
];

/** Open in Meta's document, closed in ours. */
export const OWN_REJECTS: readonly Refusal[] = [
  {
    kind: 'validateSendBody',
    name: 'an unknown field on a template',
    value: { ...template(), template: { ...template().template, namespace: 'x' } },
    error: /namespace/,
  },
  {
    kind: 'validateSendBody',
    name: 'an unknown field on a text parameter',
    value: template([{ type: 'body', parameters: [{ type: 'text', text: 'a', bold: true }] }]),
    error: /bold/,
  },
  {
    kind: 'validateSendBody',
    name: 'an unknown field on a button',
    value: template([{ ...urlButton('0'), url: 'https://x.example' }]),
    error: /url/,
  },
  {
    kind: 'validateSendBody',
    name: 'an image parameter carrying a video',
    value: template([
      {
        type: 'header',
        parameters: [{ type: 'image', image: { link: 'https://a.example/i.jpg' }, video: { link: 'https://a.example/v.mp4' } }],
      },
    ]),
    error: /video|oneOf|must/,
  },
  {
    kind: 'validateSendBody',
    name: 'a message type we do not send',
    value: { ...base, type: 'image', image: { link: 'https://a.example/i.jpg' } },
    error: /text or template/,
  },
  { kind: 'validateSendBody', name: 'a recipient that is not a phone number', value: { ...text, to: 'sara' }, error: /to/ },
  {
    kind: 'validateSendResponse',
    name: 'an unknown field in a send answer',
    value: { messaging_product: 'whatsapp', contacts: [{ input: '1', wa_id: '1' }], messages: [{ id: WAMID }], extra: 1 },
    error: /extra/,
  },
  {
    kind: 'validateSendResponse',
    name: 'a message id that is not a wamid',
    value: { messaging_product: 'whatsapp', contacts: [{ input: '1', wa_id: '1' }], messages: [{ id: '42' }] },
    error: /id/,
  },
  {
    kind: 'validateGraphError',
    name: 'an unknown field in a Graph error',
    value: graphError({ message: 'x', type: 'OAuthException', code: 100, extra: 1 }),
    error: /extra/,
  },
  {
    kind: 'validateTemplateList',
    name: 'an unknown template field',
    value: { data: [{ ...templateObject, colour: 'blue' }] },
    error: /colour/,
  },
  {
    kind: 'validateTemplateList',
    name: 'a template without status',
    value: { data: [{ ...templateObject, status: undefined }] },
    error: /status/,
  },
  {
    kind: 'validateWebhookPayload',
    name: 'an unknown field on a status',
    value: statusWebhook(status('sent', { extra: 1 })),
    error: /extra/,
  },
  {
    kind: 'validateWebhookPayload',
    name: 'an unknown field on an inbound message',
    value: inboundWebhook({ ...inbound, extra: 1 }),
    error: /extra/,
  },
  {
    kind: 'validateWebhookPayload',
    name: 'an inbound message type the fake does not emit',
    value: inboundWebhook({ ...inbound, type: 'image', text: undefined, image: { id: '1' } }),
    error: /type|text|image/,
  },
];
