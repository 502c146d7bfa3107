// Send an approved template (allowed at any time, also outside the 24-hour window), idempotently.
//
//   MOJEEB_API_KEY=mk_test_… [MOJEEB_AGENT_ID=… MOJEEB_FROM=+1… MOJEEB_TO=+1…] \
//   [MOJEEB_BASE_URL=http://127.0.0.1:3000] [ORDER_ID=12345] npx tsx examples/send-template.ts
//
// The Idempotency-Key is tied to the business operation ("order 12345 shipped"), so running this
// twice, or retrying after a crash, never sends the customer two messages: the second call gets
// the first call's answer back (`lastResponse.idempotentReplayed`).
import { createMojeebClient } from '@mojeeb/sdk';

// The agent, number and customer of openapi.yaml's examples, which `npm start`'s demo data has.
const EXAMPLE: Record<string, string> = { MOJEEB_AGENT_ID: '12345678-1234-1234-1234-123456789012', MOJEEB_FROM: '+15557654321', MOJEEB_TO: '+15551234567' };

function env(name: string): string {
  const value = process.env[name] || EXAMPLE[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

const mojeeb = createMojeebClient({ apiKey: env('MOJEEB_API_KEY'), baseUrl: process.env.MOJEEB_BASE_URL });
const orderId = process.env.ORDER_ID ?? '12345';

const message = await mojeeb.whatsapp.sendTemplate(
  {
    agent_id: env('MOJEEB_AGENT_ID'),
    from: env('MOJEEB_FROM'),
    to: env('MOJEEB_TO'),
    template: {
      name: 'order_shipped',
      language: 'en',
      parameters: { customer_name: 'Sara', tracking_url: `https://track.example/${orderId}` },
    },
  },
  { idempotencyKey: `order-${orderId}-shipped` },
);

const { correlationId, idempotentReplayed, attempts } = message.lastResponse;
console.log(`template message ${message.id}: ${message.status}`);
console.log(`correlation id ${correlationId}, replayed ${idempotentReplayed}, attempts ${attempts}`);
