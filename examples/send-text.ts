// Send a free-form text message. WhatsApp allows free-form text only within 24 hours of the
// customer's last message to this number; outside that window the API refuses it with
// 422 customer_service_window_closed (the error's extras.window says when it closed) and you
// send a template instead.
//
// In test mode (an mk_test_ key, e.g. the one `npm start` prints) nobody ever writes to a sandbox
// number, so the example first plays the customer: POST /v1/whatsapp/sandbox/inbound records a
// message from `to`, which opens the window for 24 hours, as a real customer's message does.
// MOJEEB_SIMULATE_INBOUND=false skips that (then a customer who never wrote gets the closed window).
//
//   MOJEEB_API_KEY=mk_test_… [MOJEEB_AGENT_ID=… MOJEEB_FROM=+1… MOJEEB_TO=+1…] \
//   [MOJEEB_BASE_URL=http://127.0.0.1:3000] [MOJEEB_SIMULATE_INBOUND=false] \
//   npx tsx examples/send-text.ts "Your order has shipped."
import { createMojeebClient, isApiErrorWithCode, toMojeebApiError } from '@mojeeb/sdk';

// The agent, number and customer of openapi.yaml's examples, which `npm start`'s demo data has.
const EXAMPLE: Record<string, string> = { MOJEEB_AGENT_ID: '12345678-1234-1234-1234-123456789012', MOJEEB_FROM: '+15557654321', MOJEEB_TO: '+15551234567' };

function env(name: string): string {
  const value = process.env[name] || EXAMPLE[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

const apiKey = env('MOJEEB_API_KEY');
const mojeeb = createMojeebClient({ apiKey, baseUrl: process.env.MOJEEB_BASE_URL });
const body = process.argv[2] ?? 'Your order has shipped. Reply here if you have any question.';
const conversation = { agent_id: env('MOJEEB_AGENT_ID'), from: env('MOJEEB_FROM'), to: env('MOJEEB_TO') };

if (apiKey.startsWith('mk_test_') && process.env.MOJEEB_SIMULATE_INBOUND !== 'false') {
  // The sandbox's customer writes first (test keys only; a live key would get 403 test_key_required).
  const result = await mojeeb.raw.POST('/v1/whatsapp/sandbox/inbound', { body: { ...conversation, text: { body: 'Hi, where is my order?' } } });
  const error = toMojeebApiError(result);
  if (error) throw error;
  console.log(`sandbox: ${conversation.to} wrote to ${conversation.from}; the window is open until ${result.data?.window.expires_at}`);
}

try {
  const message = await mojeeb.whatsapp.sendMessage({ ...conversation, text: { body } });
  console.log(`text message ${message.id}: ${message.status} (idempotency key ${message.lastResponse.idempotencyKey})`);
} catch (error) {
  if (isApiErrorWithCode(error, 'customer_service_window_closed')) {
    const window = error.extras.window;
    console.log(`window closed (last customer message ${window?.last_inbound_at ?? 'never'}): send a template instead`);
    process.exitCode = 3;
  } else {
    throw error;
  }
}
