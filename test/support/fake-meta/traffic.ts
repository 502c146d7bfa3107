/**
 * Samples of Cloud API traffic, in the shapes Meta sends and accepts (its developer docs and
 * what Graph answers; ids and numbers made up): what Mojeeb sends, Meta's answers, the template
 * list, status and inbound webhooks. Our own schema must accept every one, and Meta's document
 * too when it is present (test/unit/whatsapp-meta-document.test.ts).
 *
 * What must be refused is in traffic-refusals.ts.
 */
import {
  base,
  body,
  couponButton,
  graphError,
  header,
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
