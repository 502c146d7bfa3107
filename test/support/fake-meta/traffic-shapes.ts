/**
 * The shapes the traffic samples (traffic.ts) and refusals (traffic-refusals.ts) are built from:
 * a text and a template send, their components, status and inbound webhooks, a Graph error and a
 * template of the template list, as Meta sends and accepts them (ids and numbers made up).
 */

export const base = {
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: '+15551234567',
  biz_opaque_callback_data: '0b7f1a9e-3c1d-4f6e-9a51-2f8e5c7d9a10',
};
export const text = { ...base, type: 'text', text: { body: 'Your order shipped: https://track.example/9001', preview_url: false } };
export const template = (components?: unknown[]) => ({
  ...base,
  type: 'template',
  template: { name: 'order_update', language: { policy: 'deterministic', code: 'en_US' }, ...(components ? { components } : {}) },
});
export const body = (...texts: string[]) => ({ type: 'body', parameters: texts.map((t) => ({ type: 'text', text: t })) });
export const urlButton = (index: string) => ({ type: 'button', sub_type: 'url', index, parameters: [{ type: 'text', text: 'ORD-42' }] });
export const couponButton = {
  type: 'button',
  sub_type: 'copy_code',
  index: '1',
  parameters: [{ type: 'coupon_code', coupon_code: 'FALL25' }],
};
export const header = (type: string) => ({
  type: 'header',
  parameters: [{ type, [type]: { link: `https://cdn.example/file.${type === 'document' ? 'pdf' : type === 'video' ? 'mp4' : 'jpg'}` } }],
});

export const WAMID = 'wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';
const metadata = { display_phone_number: '15557654321', phone_number_id: '106540352242922' };
export const statusWebhook = (...statuses: Record<string, unknown>[]) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '419561257915477', changes: [{ value: { messaging_product: 'whatsapp', metadata, statuses }, field: 'messages' }] }],
});
export const status = (value: string, extra: Record<string, unknown> = {}) => ({
  id: WAMID,
  status: value,
  timestamp: '1750000000',
  recipient_id: '15551234567',
  ...extra,
});
export const inboundWebhook = (message: Record<string, unknown>) => ({
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
export const inbound = {
  from: '15551234567',
  id: 'wamid.HBgLMTU1NTEyMzQ1NjcVAgASGBQzQUZCMTI4RDQ3QjdCNzM1RkU2RAA=',
  timestamp: '1750000042',
  type: 'text',
  text: { body: 'Does it come in blue?' },
};
export const graphError = (error: Record<string, unknown>) => ({ error: { fbtrace_id: 'AZv4bC1dE2fG3hI4jK5lM6n', ...error } });
export const templateObject = {
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
