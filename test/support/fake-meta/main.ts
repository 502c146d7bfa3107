/**
 * `npm run fake-meta`: the fake Meta as its own process, for manual use and benchmarks.
 * Prints one JSON line with its URL, then serves until SIGINT/SIGTERM.
 *
 * Environment (all optional):
 *   FAKE_META_PORT                   port on 127.0.0.1 (default 0: a free one)
 *   FAKE_META_CALLBACK_URL           where to post webhooks (e.g. http://127.0.0.1:3000/webhooks/whatsapp)
 *   FAKE_META_APP_SECRET             app secret for X-Hub-Signature-256 (required with a callback URL)
 *   FAKE_META_PHONE_NUMBERS          id:token[:display[:waba]] entries, comma-separated
 *   FAKE_META_OPEN_NUMBERS=1         accept any phone-number id (its first token sticks)
 *   FAKE_META_ORDER                  in-order | shuffle | reverse
 *   FAKE_META_DUPLICATE              0 … 1, probability of a duplicated webhook POST
 *   FAKE_META_BATCH_SIZE             statuses per webhook POST
 *   FAKE_META_STATUS_DELAY_MS        delay between a message's statuses
 *   FAKE_META_LATENCY_MS             added to every answer
 *   FAKE_META_THROUGHPUT_PER_NUMBER  messages/second per number before 130429
 *   FAKE_META_MAX_WEBHOOKS           bound on webhook POSTs (default 1,000,000 here)
 *   FAKE_META_WEBHOOK_CONCURRENCY    parallel webhook POSTs (default 1)
 *   META_OPENAPI_DOCUMENT            Meta's OpenAPI document (default ../shared/reference/…; without
 *                                    it, requests are validated against our own schema only)
 * Control: GET /_fake/stats, /_fake/requests, /_fake/webhooks, /_fake/accepted, /_fake/accepted-times;
 *          POST /_fake/phone-numbers, /_fake/templates, /_fake/fail-next, /_fake/drop-next,
 *          /_fake/fail-recipient, /_fake/fail-recipient-async, /_fake/inbound, /_fake/reset.
 */
import { startFakeMeta, type FakePhoneNumber, type WebhookOrder } from './server.ts';

const env = process.env;
const num = (name: string): number | undefined => (env[name] !== undefined && env[name] !== '' ? Number(env[name]) : undefined);

function phoneNumbers(spec: string | undefined): FakePhoneNumber[] {
  return (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [phoneNumberId, accessToken, displayPhoneNumber, wabaId] = entry.split(':');
      if (!phoneNumberId || !accessToken) throw new Error(`FAKE_META_PHONE_NUMBERS: '${entry}' is not id:token[:display[:waba]]`);
      return { phoneNumberId, accessToken, ...(displayPhoneNumber ? { displayPhoneNumber } : {}), ...(wabaId ? { wabaId } : {}) };
    });
}

const callbackUrl = env.FAKE_META_CALLBACK_URL;
const appSecret = env.FAKE_META_APP_SECRET;
if (callbackUrl && !appSecret) {
  console.error('FAKE_META_APP_SECRET is required with FAKE_META_CALLBACK_URL');
  process.exit(2);
}
const order = (env.FAKE_META_ORDER ?? 'in-order') as WebhookOrder;
if (!['in-order', 'shuffle', 'reverse'].includes(order)) {
  console.error('FAKE_META_ORDER: in-order, shuffle or reverse');
  process.exit(2);
}

const fake = await startFakeMeta({
  port: num('FAKE_META_PORT') ?? 0,
  phoneNumbers: phoneNumbers(env.FAKE_META_PHONE_NUMBERS),
  openNumbers: env.FAKE_META_OPEN_NUMBERS === '1',
  ...(callbackUrl && appSecret ? { webhook: { callbackUrl, appSecret } } : {}),
  order,
  duplicate: num('FAKE_META_DUPLICATE') ?? 0,
  batchSize: num('FAKE_META_BATCH_SIZE') ?? 1,
  statusDelayMs: num('FAKE_META_STATUS_DELAY_MS') ?? 0,
  latencyMs: num('FAKE_META_LATENCY_MS') ?? 0,
  maxWebhooks: num('FAKE_META_MAX_WEBHOOKS') ?? 1_000_000,
  webhookConcurrency: num('FAKE_META_WEBHOOK_CONCURRENCY') ?? 1,
  maxRecorded: 100_000,
  ...(num('FAKE_META_THROUGHPUT_PER_NUMBER') !== undefined ? { throughputPerNumber: num('FAKE_META_THROUGHPUT_PER_NUMBER')! } : {}),
});
console.log(
  JSON.stringify({
    fakeMeta: fake.url,
    webhooks: callbackUrl ?? null,
    control: `${fake.url}/_fake/stats`,
    validates: fake.validator.sources,
  }),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void fake.stop().then(() => {
      console.log(JSON.stringify({ stopped: true, stats: fake.stats() }));
      process.exit(0);
    });
  });
}
