/**
 * Fake Meta: a small stand-in for the Graph API's WhatsApp Cloud API, on 127.0.0.1, for tests
 * and benchmarks. See README.md in this folder for the whole picture. In short:
 *
 * - `POST /{version}/{phone-number-id}/messages`: bearer token checked per phone-number id, the
 *   body validated against our own schema of the Cloud API (cloud-api.schema.yaml) and, when it
 *   is available, Meta's own OpenAPI document (with the documented overrides of
 *   meta-document.ts); answers like Meta (`contacts`, `messages[].id` =
 *   `wamid.…`, `message_status: accepted`) or with Meta's error envelope — for an invalid body
 *   (code 100), on demand (`failNext`, `failRecipient`), or when a number's throughput is over
 *   its limit (130429). Connection drops and hangs on demand, with or without the message having
 *   been accepted (to exercise reconciliation).
 * - `GET /{version}/{waba-id}/message_templates`: the WABA's templates, paginated like Graph
 *   (`paging.cursors`, and a `paging.next` URL that — like Graph's — carries the access token).
 * - every request is recorded (body, headers with the token redacted, validation result,
 *   outcome); every accepted message gets signed status webhooks (sent → delivered → read, or
 *   sent → failed) posted to the callback URL, optionally shuffled, reversed, duplicated, batched.
 * - `/_fake/*`: a small control API for the standalone process (`npm run fake-meta`).
 *
 * This file puts the parts together behind the `FakeMeta` handle: types.ts (options, records,
 * the handle), http.ts (the Graph endpoints), faults.ts (what a test programs to go wrong),
 * recording.ts (what was seen, and the counters of `stats()`), control.ts (`/_fake/*`) and
 * webhooks.ts (the signed status and inbound webhooks).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control.ts';
import { Faults } from './faults.ts';
import type { MetaErrorSpec } from './graph-errors.ts';
import { GraphApi, readBody, writeJson } from './http.ts';
import { digitsOf, makeWamid } from './ids.ts';
import { Recording } from './recording.ts';
import type {
  AcceptedMessage,
  FakeMeta,
  FakeMetaOptions,
  FakeMetaStats,
  FakePhoneNumber,
  InboundSpec,
  RecordedRequest,
  StatusName,
} from './types.ts';
import { fakeMetaValidator } from './validators.ts';
import { seededRandom, WebhookDispatcher, type WebhookRecord, type WebhookTarget } from './webhooks.ts';

export { makeWamid } from './ids.ts';
export type {
  AcceptedMessage,
  FakeMeta,
  FakeMetaOptions,
  FakeMetaStats,
  FakePhoneNumber,
  InboundSpec,
  MetaErrorSpec,
  RecordedRequest,
  RequestOutcome,
  StatusName,
  WebhookOrder,
  WebhookRecord,
} from './types.ts';

export async function startFakeMeta(options: FakeMetaOptions = {}): Promise<FakeMeta> {
  const fake = new FakeMetaServer(options);
  // Compile the send validator now (once per process), so the first request does not pay for it.
  fake.validator.validateSendBody({});
  await fake.listen(options.port ?? 0);
  return fake;
}

class FakeMetaServer implements FakeMeta {
  url = '';
  port = 0;
  readonly validator = fakeMetaValidator();
  private readonly server: Server;
  private readonly numbers = new Map<string, Required<FakePhoneNumber>>();
  private readonly templates = new Map<string, readonly Record<string, unknown>[]>();
  private readonly dispatcher: WebhookDispatcher;
  private readonly recording: Recording;
  private readonly faults: Faults;
  private readonly graph: GraphApi;
  private readonly stopController = new AbortController();
  private stopped = false;

  constructor(private readonly options: FakeMetaOptions) {
    this.recording = new Recording(options.maxRecorded ?? 100_000);
    this.faults = new Faults(options.latencyMs ?? 0);
    for (const n of options.phoneNumbers ?? []) this.addPhoneNumber(n);
    for (const [waba, list] of Object.entries(options.templates ?? {})) this.setTemplates(waba, list);
    const validator = this.validator;
    this.dispatcher = new WebhookDispatcher({
      order: options.order ?? 'in-order',
      duplicate: options.duplicate ?? 0,
      batchSize: Math.max(1, options.batchSize ?? 1),
      flushIntervalMs: options.flushIntervalMs ?? 10,
      concurrency: Math.max(1, options.webhookConcurrency ?? 1),
      timeoutMs: options.webhookTimeoutMs ?? 2_000,
      retries: Math.max(0, Math.min(options.webhookRetries ?? 0, 10)),
      retryDelayMs: Math.max(0, options.webhookRetryDelayMs ?? 50),
      maxWebhooks: options.maxWebhooks ?? 10_000,
      maxRecords: options.maxRecorded ?? 100_000,
      random: seededRandom(options.seed ?? 1),
      validate: (payload) => validator.validateWebhookPayload(payload),
    });
    this.dispatcher.target = options.webhook ?? null;
    this.graph = new GraphApi({
      options,
      numbers: this.numbers,
      templates: this.templates,
      validator,
      recording: this.recording,
      faults: this.faults,
      dispatcher: this.dispatcher,
      signal: this.stopController.signal,
      url: () => this.url,
      addPhoneNumber: (n) => this.addPhoneNumber(n),
    });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) writeJson(res, 500, { error: { message: String(error), type: 'FakeMetaError', code: 1 } });
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-meta.invalid');
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const raw = await readBody(req);
    if (segments[0] === '_fake' && this.options.control !== false)
      return handleControl(this, req.method ?? 'GET', segments.slice(1), raw, res);
    return this.graph.handle(req, res, url, segments, raw);
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  get webhooks(): readonly WebhookRecord[] {
    return this.dispatcher.records;
  }

  addPhoneNumber(n: FakePhoneNumber): void {
    const digits = n.phoneNumberId.replace(/\D/g, '').slice(-7).padStart(7, '0');
    this.numbers.set(n.phoneNumberId, {
      phoneNumberId: n.phoneNumberId,
      accessToken: n.accessToken,
      displayPhoneNumber: n.displayPhoneNumber?.replace(/^\+/, '') ?? `1555${digits}`,
      wabaId: n.wabaId ?? `waba-${n.phoneNumberId}`,
    });
  }

  setTemplates(wabaId: string, templates: readonly Record<string, unknown>[]): void {
    this.templates.set(wabaId, templates);
  }

  setWebhookTarget(target: WebhookTarget | null): void {
    this.dispatcher.target = target;
  }

  failNext(error: MetaErrorSpec, count = 1): void {
    this.faults.push({ kind: 'error', error }, count);
  }

  dropNext(options: { count?: number; accepted?: boolean } = {}): void {
    this.faults.push({ kind: 'drop', accepted: options.accepted ?? false }, options.count ?? 1);
  }

  hangNext(options: { count?: number; accepted?: boolean } = {}): void {
    this.faults.push({ kind: 'hang', accepted: options.accepted ?? false }, options.count ?? 1);
  }

  failRecipient(to: string, error: MetaErrorSpec, options: { count?: number } = {}): void {
    this.faults.failRecipient(to, error, options.count);
  }

  failRecipientAsync(to: string, error: MetaErrorSpec, options: { count?: number } = {}): void {
    this.faults.failRecipientAsync(to, error, options.count);
  }

  setStatusFlow(to: string, flow: readonly StatusName[]): void {
    this.faults.setStatusFlow(to, flow);
  }

  setLatency(ms: number): void {
    this.faults.latencyMs = Math.max(0, ms);
  }

  sendInbound(spec: InboundSpec): string {
    const number = this.numbers.get(spec.phoneNumberId);
    if (!number) throw new Error(`fake Meta: unknown phone number id ${spec.phoneNumberId}`);
    const wamid = spec.wamid ?? makeWamid(digitsOf(spec.from));
    const from = digitsOf(spec.from);
    this.dispatcher.schedule(
      {
        kind: 'inbound',
        wabaId: number.wabaId,
        phoneNumberId: number.phoneNumberId,
        displayPhoneNumber: number.displayPhoneNumber,
        message: {
          ...(spec.replyTo ? { context: { from: number.displayPhoneNumber, id: spec.replyTo } } : {}),
          from,
          id: wamid,
          timestamp: String(Math.floor(Date.now() / 1000)),
          type: 'text',
          text: { body: spec.text },
        },
        contact: { profile: { name: spec.profileName ?? 'Test Customer' }, wa_id: from },
      },
      spec.delayMs ?? 0,
    );
    return wamid;
  }

  deliverWebhook(payload: Record<string, unknown>, options: { signature?: 'valid' | 'invalid' | 'missing' } = {}): Promise<WebhookRecord> {
    return this.dispatcher.deliverNow(payload, options.signature ?? 'valid');
  }

  webhooksIdle(timeoutMs = 5_000): Promise<void> {
    return this.dispatcher.idle(timeoutMs);
  }

  get requests(): readonly RecordedRequest[] {
    return this.recording.requests;
  }

  get accepted(): readonly AcceptedMessage[] {
    return this.recording.accepted;
  }

  invalidRequests(): RecordedRequest[] {
    return this.recording.invalidRequests();
  }

  duplicateSends(): Array<{ callbackData: string; count: number }> {
    return this.recording.duplicateSends();
  }

  stats(): FakeMetaStats {
    return this.recording.stats(this.dispatcher);
  }

  reset(): void {
    this.recording.reset();
    this.dispatcher.records.length = 0;
    for (const key of Object.keys(this.dispatcher.counters)) this.dispatcher.counters[key as keyof typeof this.dispatcher.counters] = 0;
    this.dispatcher.dropped = 0;
    this.faults.reset();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopController.abort();
    this.dispatcher.stop();
    this.faults.releaseHung();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
