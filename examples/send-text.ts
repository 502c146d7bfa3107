// Send a free-form text message. WhatsApp allows free-form text only within 24 hours of the
// customer's last message to this number; outside that window the API refuses it with
// 422 customer_service_window_closed (the error's extras.window says when it closed) and you
// send a template instead.
//
//   MOJEEB_API_KEY=mk_test_… MOJEEB_AGENT_ID=… MOJEEB_FROM=+1… MOJEEB_TO=+1… \
//   [MOJEEB_BASE_URL=http://127.0.0.1:3000] npx tsx examples/send-text.ts "Your order has shipped."
import { createMojeebClient, isApiErrorWithCode } from '@mojeeb/sdk';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

const mojeeb = createMojeebClient({ apiKey: env('MOJEEB_API_KEY'), baseUrl: process.env.MOJEEB_BASE_URL });
const body = process.argv[2] ?? 'Your order has shipped. Reply here if you have any question.';

try {
  const message = await mojeeb.whatsapp.sendMessage({
    agent_id: env('MOJEEB_AGENT_ID'),
    from: env('MOJEEB_FROM'),
    to: env('MOJEEB_TO'),
    text: { body },
  });
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
