// Send a template, then poll its status until WhatsApp reports it delivered (or read), it fails,
// or we stop waiting. Statuses only move forward: queued → sent → delivered → read, or failed.
//
//   MOJEEB_API_KEY=mk_test_… [MOJEEB_AGENT_ID=… MOJEEB_FROM=+1… MOJEEB_TO=+1…] \
//   [MOJEEB_BASE_URL=…] [MOJEEB_MESSAGE_ID=<poll this one instead of sending>] \
//   [POLL_TIMEOUT_MS=60000] [POLL_INTERVAL_MS=1000] npx tsx examples/poll-status.ts
//
// The last line says how it ended: "delivered", "read", "failed <code>: <message>", or
// "gave up after <ms> ms, status <status>". Exit code 0 for delivered/read, 1 for failed, 2 for
// giving up.
import { createMojeebClient, type Message, type MessageStatus } from '@mojeeb/sdk';

// The agent, number and customer of openapi.yaml's examples, which `npm start`'s demo data has.
const EXAMPLE: Record<string, string> = { MOJEEB_AGENT_ID: '12345678-1234-1234-1234-123456789012', MOJEEB_FROM: '+15557654321', MOJEEB_TO: '+15551234567' };

function env(name: string): string {
  const value = process.env[name] || EXAMPLE[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

const mojeeb = createMojeebClient({ apiKey: env('MOJEEB_API_KEY'), baseUrl: process.env.MOJEEB_BASE_URL });
const timeoutMs = Number(process.env.POLL_TIMEOUT_MS ?? 60_000);
const intervalMs = Number(process.env.POLL_INTERVAL_MS ?? 1_000);

let id = process.env.MOJEEB_MESSAGE_ID;
if (!id) {
  const sent = await mojeeb.whatsapp.sendTemplate({
    agent_id: env('MOJEEB_AGENT_ID'),
    from: env('MOJEEB_FROM'),
    to: env('MOJEEB_TO'),
    template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://track.example/9001' } },
  });
  id = sent.id;
  console.log(`sent ${id}: ${sent.status}`);
}

const FINAL: ReadonlySet<MessageStatus> = new Set(['delivered', 'read', 'failed']);
const started = Date.now();
let message: Message = await mojeeb.whatsapp.getMessage(id);
let seen = message.status;
console.log(`status ${seen}`);
while (!FINAL.has(message.status) && Date.now() - started < timeoutMs) {
  await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, timeoutMs - (Date.now() - started)))));
  message = await mojeeb.whatsapp.getMessage(id);
  if (message.status !== seen) {
    seen = message.status;
    console.log(`status ${seen}`);
  }
}

switch (message.status) {
  case 'delivered':
  case 'read':
    console.log(`${message.status} at ${message.delivered_at ?? message.read_at}`);
    console.log(message.status);
    break;
  case 'failed':
    console.log(`failed ${message.error?.code ?? 'unknown'}: ${message.error?.message ?? ''}`);
    process.exitCode = 1;
    break;
  default:
    console.log(`gave up after ${Date.now() - started} ms, status ${message.status}`);
    process.exitCode = 2;
}
