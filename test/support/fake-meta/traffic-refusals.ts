/**
 * Cloud API traffic that must be refused, so that no schema check can pass vacuously:
 * `BOTH_REJECT` by our schema and by Meta's document (with the overrides), `OWN_REJECTS` by our
 * schema only (it is closed where Meta's document is open).
 */
import type { Refusal } from './traffic.ts';
import {
  base,
  couponButton,
  graphError,
  inbound,
  inboundWebhook,
  status,
  statusWebhook,
  template,
  templateObject,
  text,
  urlButton,
  WAMID,
} from './traffic-shapes.ts';

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
