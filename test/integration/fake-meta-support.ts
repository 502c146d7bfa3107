/**
 * What the fake Meta tests share: one number, a loopback receiver standing in for our webhook
 * route, and a fake Meta (with the example templates and five more, for paging) started before
 * the tests, reset before each and stopped after them, with the Cloud API client pointed at it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCloudApiClient, type CloudApiClient } from '../../server/src/whatsapp/cloud-api.ts';
import { verifyWebhookSignature } from '../../server/src/whatsapp/signature.ts';
import { parseWebhookBody, type StatusEvent, type WebhookEvent } from '../../server/src/whatsapp/webhook-payload.ts';
import { startFakeMeta, type FakeMeta, type FakeMetaOptions } from '../support/fake-meta/index.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';

export const APP_SECRET = 'fake-meta-app-secret';
export const NUMBER = {
  phoneNumberId: '106540352242922',
  accessToken: 'EAAG-token-for-106540352242922',
  displayPhoneNumber: '15557654321',
  wabaId: '419561257915477',
};
export const TO = '+15551234567';

export interface Received {
  readonly raw: Buffer;
  readonly signatureValid: boolean;
  readonly events: WebhookEvent[];
}

/** A loopback receiver standing in for our webhook route: verifies the signature over the raw bytes, 401 when wrong. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const signatureValid = verifyWebhookSignature(raw, req.headers['x-hub-signature-256'], APP_SECRET);
      received.push({ raw, signatureValid, events: signatureValid ? parseWebhookBody(raw).events : [] });
      res.writeHead(signatureValid ? 200 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/whatsapp`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const statuses = (received: Received[]) => received.flatMap((r) => r.events).filter((e): e is StatusEvent => e.kind === 'status');

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

export interface FakeMetaSuite {
  readonly receiver: Receiver;
  readonly fake: FakeMeta;
  readonly api: CloudApiClient;
  /** One more fake Meta for the number, posting to the same receiver; stopped after the tests. */
  anotherFake(options: FakeMetaOptions): Promise<FakeMeta>;
}

/** Registers the hooks (inside a `describe`); the fields are filled in once `before` ran. */
export function fakeMetaSuite(): FakeMetaSuite {
  const extraFakes: FakeMeta[] = [];
  const suite = {
    async anotherFake(options: FakeMetaOptions): Promise<FakeMeta> {
      const f = await startFakeMeta({
        phoneNumbers: [NUMBER],
        webhook: { callbackUrl: suite.receiver.url, appSecret: APP_SECRET },
        ...options,
      });
      extraFakes.push(f);
      return f;
    },
  } as { -readonly [K in keyof FakeMetaSuite]: FakeMetaSuite[K] };

  before(async () => {
    suite.receiver = await startReceiver();
    suite.fake = await startFakeMeta({
      phoneNumbers: [NUMBER],
      templates: {
        [NUMBER.wabaId]: [
          ...EXAMPLE_TEMPLATES,
          ...Array.from({ length: 5 }, (_, i) => ({
            name: `promo_${i}`,
            language: 'en',
            status: 'APPROVED',
            category: 'MARKETING',
            components: [{ type: 'BODY', text: 'Hello {{1}}' }],
          })),
        ],
      },
      webhook: { callbackUrl: suite.receiver.url, appSecret: APP_SECRET },
    });
    suite.api = createCloudApiClient({ baseUrl: suite.fake.url, graphVersion: 'v23.0', timeoutMs: 5_000 });
  });

  beforeEach(async () => {
    await suite.fake.webhooksIdle();
    suite.fake.reset();
    suite.receiver.received.length = 0;
  });

  after(async () => {
    for (const f of extraFakes) await f.stop();
    await suite.fake?.stop();
    await suite.receiver?.close();
  });
  return suite;
}
