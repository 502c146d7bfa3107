import { expect } from 'chai';
import {
  parseWebhookBody,
  parseWebhookPayload,
  type AccountErrorEvent,
  type InboundMessageEvent,
  type StatusEvent,
} from '../../server/src/whatsapp/webhook-payload.ts';
import { webhookError } from '../support/fake-meta/graph-errors.ts';
import { SAMPLES } from '../support/fake-meta/traffic.ts';
import { fakeMetaValidator } from '../support/fake-meta/validators.ts';
import { envelope, metaJson, type WebhookItem } from '../support/fake-meta/webhooks.ts';

const T = 1_764_000_000;
const number = (phoneNumberId: string, wabaId: string) => ({ phoneNumberId, wabaId, displayPhoneNumber: `1555000${phoneNumberId}` });

function status(n: ReturnType<typeof number>, id: string, value: string, extra: Record<string, unknown> = {}): WebhookItem {
  return { kind: 'status', ...n, status: { id, status: value, timestamp: String(T), recipient_id: '15551234567', ...extra } };
}
function inbound(n: ReturnType<typeof number>, id: string, body: string, extra: Record<string, unknown> = {}): WebhookItem {
  return {
    kind: 'inbound',
    ...n,
    message: { from: '15551234567', id, timestamp: String(T + 5), type: 'text', text: { body }, ...extra },
    contact: { profile: { name: 'Sara' }, wa_id: '15551234567' },
  };
}

/** Every payload built here first passes the fake's webhook validation (our schema, and Meta's document when available). */
function valid(payload: Record<string, unknown>): Record<string, unknown> {
  const result = fakeMetaValidator().validateWebhookPayload(payload);
  expect(result.errors, JSON.stringify(payload)).to.deep.equal([]);
  return payload;
}

describe('Meta webhook payload parsing', function () {
  this.timeout(30_000);
  const a = number('101', 'waba-1');
  const b = number('202', 'waba-2');

  it('one status: typed, timestamp as Date, our id back from biz_opaque_callback_data', () => {
    const payload = valid(
      envelope([
        status(a, 'wamid.A', 'delivered', {
          biz_opaque_callback_data: 'msg-1',
          pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' },
        }),
      ]),
    );
    const { events, problems } = parseWebhookPayload(payload);
    expect(problems).to.deep.equal([]);
    expect(events).to.deep.equal([
      {
        kind: 'status',
        phoneNumberId: '101',
        displayPhoneNumber: '1555000101',
        wabaId: 'waba-1',
        wamid: 'wamid.A',
        status: 'delivered',
        timestamp: new Date(T * 1000),
        recipientId: '15551234567',
        errors: [],
        callbackData: 'msg-1',
        pricing: { billable: true, pricingModel: 'PMP', category: 'utility', type: 'regular' },
      },
    ]);
  });

  it('a failed status carries Meta errors (code, title, details)', () => {
    const payload = valid(
      envelope([
        status(a, 'wamid.F', 'failed', {
          errors: [webhookError({ code: 131026, details: 'Receiver is incapable of receiving this message' })],
        }),
      ]),
    );
    const [event] = parseWebhookPayload(payload).events as StatusEvent[];
    expect(event!.status).to.equal('failed');
    expect(event!.callbackData).to.equal(null);
    expect(event!.errors).to.deep.equal([
      {
        code: 131026,
        title: 'Message undeliverable',
        message: 'Message undeliverable',
        details: 'Receiver is incapable of receiving this message',
        href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
      },
    ]);
  });

  it('batched entries (two WABAs) with inbound messages and statuses mixed: every event, in document order', () => {
    const payload = valid(
      envelope([
        status(a, 'wamid.1', 'sent'),
        inbound(a, 'wamid.in1', 'Hi'),
        status(b, 'wamid.2', 'read'),
        status(a, 'wamid.1', 'delivered'),
        inbound(b, 'wamid.in2', 'مرحبا', { context: { from: '1555000202', id: 'wamid.2' } }),
      ]),
    );
    expect((payload.entry as unknown[]).length).to.equal(2);
    const { events, problems } = parseWebhookPayload(JSON.parse(metaJson(payload)));
    expect(problems).to.deep.equal([]);
    expect(
      events.map((e) => `${e.kind}:${e.phoneNumberId}:${'wamid' in e ? e.wamid : ''}:${e.kind === 'status' ? e.status : ''}`),
    ).to.deep.equal([
      'inbound:101:wamid.in1:',
      'status:101:wamid.1:sent',
      'status:101:wamid.1:delivered',
      'inbound:202:wamid.in2:',
      'status:202:wamid.2:read',
    ]);
    const reply = events[3] as InboundMessageEvent;
    expect(reply).to.deep.include({
      from: '+15551234567',
      waId: '15551234567',
      profileName: 'Sara',
      type: 'text',
      content: { body: 'مرحبا' },
      wabaId: 'waba-2',
    });
    expect(reply.context).to.deep.equal({ wamid: 'wamid.2', from: '1555000202' });
    expect(reply.timestamp.toISOString()).to.equal(new Date((T + 5) * 1000).toISOString());
  });

  it("parses the webhook traffic samples (Meta's own examples: test/unit/whatsapp-meta-document.test.ts)", () => {
    const sample = (name: string) => valid(SAMPLES.find((s) => s.kind === 'validateWebhookPayload' && s.name === name)!.value);
    const reply = parseWebhookPayload(sample('a reply to one of our messages'));
    expect(reply.problems).to.deep.equal([]);
    expect(reply.events).to.have.length(1);
    expect(reply.events[0]).to.deep.include({
      kind: 'inbound',
      phoneNumberId: '106540352242922',
      wabaId: '419561257915477',
      from: '+15551234567',
      type: 'text',
      content: { body: 'Does it come in blue?' },
      profileName: 'Sara',
    });
    expect((reply.events[0] as InboundMessageEvent).context).to.deep.include({ from: '15557654321' });
    const failed = parseWebhookPayload(sample("failed, with Meta's error")).events[0] as StatusEvent;
    expect(failed).to.deep.include({ status: 'failed', recipientId: '15551234567' });
    expect(failed.errors[0]).to.deep.include({ code: 131026, details: 'Message Undeliverable.' });
    const reads = parseWebhookPayload(sample('two reads in one POST'));
    expect(reads.events.map((e) => (e as StatusEvent).status)).to.deep.equal(['read', 'read']);
    const sent = parseWebhookPayload(sample('sent, with conversation and pricing')).events[0] as StatusEvent;
    expect(sent.pricing).to.deep.include({ billable: true, pricingModel: 'CBP', category: 'utility' });
  });

  it('tolerates unknown fields, and statuses and messages in the same value', () => {
    const payload = {
      object: 'whatsapp_business_account',
      future_field: { x: 1 },
      entry: [
        {
          id: 'waba-1',
          unknown: true,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '1555000101', phone_number_id: '101', extra: 'y' },
                contacts: [{ profile: { name: 'Sara' }, wa_id: '15551234567' }],
                messages: [{ from: '15551234567', id: 'wamid.in', timestamp: String(T), type: 'text', text: { body: 'yo' }, new_thing: 1 }],
                statuses: [{ id: 'wamid.out', status: 'read', timestamp: T, recipient_id: '15551234567', new_thing: 2 }],
              },
            },
          ],
        },
      ],
    };
    const { events, problems } = parseWebhookPayload(payload);
    expect(problems).to.deep.equal([]);
    expect(events.map((e) => e.kind)).to.deep.equal(['inbound', 'status']);
    expect((events[1] as StatusEvent).timestamp.getTime()).to.equal(T * 1000);
  });

  it('skips malformed items with a problem note and keeps the rest', () => {
    const payload = envelope([status(a, 'wamid.ok', 'sent'), status(a, 'wamid.x', 'deleted'), status(a, 'wamid.y', 'sent')]) as any;
    const statuses = payload.entry[0].changes[0].value.statuses;
    statuses[2].timestamp = 'yesterday';
    statuses.push({ status: 'sent', timestamp: String(T) }, 'garbage');
    const { events, problems } = parseWebhookPayload(payload);
    expect(events.map((e) => (e as StatusEvent).wamid)).to.deep.equal(['wamid.ok']);
    expect(problems).to.have.length(4);
    expect(problems.join('\n'))
      .to.match(/"deleted"/)
      .and.match(/valid timestamp/)
      .and.match(/not an object/);
  });

  it('account-level errors become an error event; other fields and objects are ignored', () => {
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba-1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '1', phone_number_id: '101' },
                errors: [webhookError({ code: 131042 })],
              },
            },
            { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1 } },
          ],
        },
      ],
    };
    const { events } = parseWebhookPayload(payload);
    expect(events).to.have.length(1);
    expect(events[0]).to.deep.include({ kind: 'error', phoneNumberId: '101' });
    expect((events[0] as AccountErrorEvent).errors[0]!.code).to.equal(131042);
    expect(parseWebhookPayload({ object: 'page', entry: [] }).events).to.deep.equal([]);
    expect(parseWebhookPayload(null).problems).to.have.length(1);
  });

  it('a sender id that is not a phone number (business-scoped user id) gives from: null, waId as sent', () => {
    const payload = envelope([inbound(a, 'wamid.b', 'hello')]) as any;
    payload.entry[0].changes[0].value.messages[0].from = 'US.13491208655302741918';
    const [event] = parseWebhookPayload(payload).events as InboundMessageEvent[];
    expect(event).to.deep.include({ from: null, waId: 'US.13491208655302741918' });
  });

  it('parseWebhookBody reads raw bytes (Meta-escaped JSON) and reports non-JSON instead of throwing', () => {
    const raw = Buffer.from(metaJson(envelope([inbound(a, 'wamid.e', 'é/ü')])));
    expect(raw.toString('utf8')).to.include('\\u00e9\\/\\u00fc');
    expect((parseWebhookBody(raw).events[0] as InboundMessageEvent).content).to.deep.equal({ body: 'é/ü' });
    expect(parseWebhookBody('{not json')).to.deep.equal({ events: [], problems: ['the body is not JSON'] });
  });
});
