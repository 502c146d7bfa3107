// Provoke the errors an integration meets most and handle each one by its class and code
// (see describe-error.ts for the decision table).
//
//   MOJEEB_API_KEY=mk_test_… [MOJEEB_AGENT_ID=… MOJEEB_FROM=+1… MOJEEB_TO=+1…] \
//   [MOJEEB_BASE_URL=http://127.0.0.1:3000] npx tsx examples/handle-errors.ts
//
// Prints one line per case: "<case>: <decision> <ErrorClass> <status> <type>/<code> …".
import { randomUUID } from 'node:crypto';
import { createMojeebClient } from '@mojeeb/sdk';
import { describeError } from './describe-error.ts';

// The agent, number and customer of openapi.yaml's examples, which `npm start`'s demo data has.
const EXAMPLE: Record<string, string> = { MOJEEB_AGENT_ID: '12345678-1234-1234-1234-123456789012', MOJEEB_FROM: '+15557654321', MOJEEB_TO: '+15551234567' };

function env(name: string): string {
  const value = process.env[name] || EXAMPLE[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

const baseUrl = process.env.MOJEEB_BASE_URL;
const mojeeb = createMojeebClient({ apiKey: env('MOJEEB_API_KEY'), baseUrl });
const agent = { agent_id: env('MOJEEB_AGENT_ID'), from: env('MOJEEB_FROM') };
const template = { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://track.example/1' } };
// A customer who never wrote to us: no open 24-hour window.
const stranger = `+1555${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;

const cases: Array<[string, () => Promise<unknown>]> = [
  ['bad key', () => createMojeebClient({ apiKey: 'mk_test_thisIsNotARealKey0000_0000000000', baseUrl }).whatsapp.getMessage(randomUUID())],
  ['unknown template', () => mojeeb.whatsapp.sendTemplate({ ...agent, to: env('MOJEEB_TO'), template: { ...template, name: 'no_such_template' } })],
  ['window closed', () => mojeeb.whatsapp.sendMessage({ ...agent, to: stranger, text: { body: 'Hello!' } })],
  ['unknown message', () => mojeeb.whatsapp.getMessage(randomUUID())],
  // Port 2 of the loopback interface: nothing listens there (binding it needs root).
  ['nobody listening', () => createMojeebClient({ apiKey: env('MOJEEB_API_KEY'), baseUrl: 'http://127.0.0.1:2', maxRetries: 1, initialRetryDelayMs: 50 }).whatsapp.getMessage(randomUUID())],
];

for (const [name, attempt] of cases) {
  try {
    await attempt();
    console.log(`${name}: no error`);
  } catch (error) {
    const { decision, line } = describeError(error);
    console.log(`${name}: ${decision} ${line}`);
  }
}
