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
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { graphError, webhookError, fbtraceId, type MetaErrorSpec } from './graph-errors.ts';
import type { MetaValidationResult } from './validation.ts';
import { fakeMetaValidator, type FakeMetaValidator } from './validators.ts';
import { seededRandom, sleep, WebhookDispatcher, type WebhookOrder, type WebhookRecord, type WebhookTarget } from './webhooks.ts';

export type { MetaErrorSpec } from './graph-errors.ts';
export type { WebhookRecord, WebhookOrder } from './webhooks.ts';

export type StatusName = 'sent' | 'delivered' | 'read';

export interface FakePhoneNumber {
  readonly phoneNumberId: string;
  readonly accessToken: string;
  /** Digits, as Meta puts it in webhook metadata; default derived from the id. */
  readonly displayPhoneNumber?: string;
  /** Default `waba-<phoneNumberId>`. */
  readonly wabaId?: string;
}

export interface FakeMetaOptions {
  /** Default 0 (a free port). Always 127.0.0.1. */
  readonly port?: number;
  readonly phoneNumbers?: readonly FakePhoneNumber[];
  /** Accept any phone-number id; its token is the first one seen (for benchmarks across many numbers). */
  readonly openNumbers?: boolean;
  /** Templates per WABA id, as Meta's `message_templates` returns them. */
  readonly templates?: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  /** Where status and inbound webhooks go. Without it nothing is posted (still recorded as undelivered). */
  readonly webhook?: WebhookTarget;
  /** Statuses each accepted message goes through (default sent, delivered, read). */
  readonly statusFlow?: readonly StatusName[];
  /** Delay before the first status of a message, and between its statuses (default 0 and 0). */
  readonly firstStatusDelayMs?: number;
  readonly statusDelayMs?: number;
  readonly order?: WebhookOrder;
  /** Probability 0 … 1 that a webhook POST is delivered twice (default 0). */
  readonly duplicate?: number;
  /** Statuses/messages per webhook POST (default 1). */
  readonly batchSize?: number;
  /** Window in which due webhooks gather before they are ordered and posted (default 10 ms). */
  readonly flushIntervalMs?: number;
  readonly webhookConcurrency?: number;
  readonly webhookTimeoutMs?: number;
  readonly webhookRetries?: number;
  /** Wait before retry n of a webhook: n × this (default 50 ms); Meta itself retries for days. */
  readonly webhookRetryDelayMs?: number;
  /** Bound on webhook POSTs over the fake's life (default 10,000). */
  readonly maxWebhooks?: number;
  /** Added to every answer (default 0). */
  readonly latencyMs?: number;
  /** Messages per second per phone number over a sliding second; above it Meta's 130429. Default: no limit. */
  readonly throughputPerNumber?: number;
  /** Requests, accepted messages and webhooks kept in `requests`/`accepted`/`webhooks` (oldest dropped beyond it; counters keep counting). Default 100,000. */
  readonly maxRecorded?: number;
  /** Seed of the shuffle/duplicate randomness (default 1). */
  readonly seed?: number;
  /** Serve `/_fake/*` (default true). */
  readonly control?: boolean;
}

export type RequestOutcome = 'accepted' | 'error' | 'invalid' | 'unauthorized' | 'rate_limited' | 'dropped' | 'hung' | 'listed';

export interface RecordedRequest {
  readonly seq: number;
  readonly at: Date;
  readonly method: string;
  /** Path and query; a token in the query is redacted. */
  readonly url: string;
  readonly graphVersion: string | null;
  /** Phone-number id (sends) or WABA id (template listing). */
  readonly objectId: string | null;
  /** Request headers; `authorization` redacted to `Bearer <redacted>`. */
  readonly headers: Record<string, string>;
  tokenValid: boolean;
  /** True when the query string carried `access_token`. */
  readonly tokenInQuery: boolean;
  readonly body: unknown;
  /** Against our schema and Meta's document when available (sends only; null for other requests). */
  validation: MetaValidationResult | null;
  outcome: RequestOutcome;
  response: { status: number; body: unknown } | null;
  wamid: string | null;
}

export interface AcceptedMessage {
  readonly wamid: string;
  readonly phoneNumberId: string;
  readonly to: string;
  readonly callbackData: string | null;
  readonly body: Record<string, unknown>;
  readonly requestSeq: number;
}

export interface FakeMetaStats {
  readonly requests: number;
  readonly sends: Record<RequestOutcome, number>;
  /** Sends whose body failed validation (all time). */
  readonly invalidRequests: number;
  /** Messages accepted (all time). */
  readonly accepted: number;
  /** Distinct `biz_opaque_callback_data` values accepted more than once (should be 0: a message sent twice). */
  readonly duplicateSends: number;
  readonly webhooks: { readonly posted: number; readonly delivered: number; readonly failed: number; readonly noTarget: number; readonly duplicates: number; readonly dropped: number; readonly pending: number; readonly invalid: number };
  /** Highest number of send requests seen for a phone number within any sliding second. */
  readonly maxPerSecondByNumber: Record<string, number>;
}

export interface FakeMeta {
  readonly url: string;
  readonly port: number;
  readonly requests: readonly RecordedRequest[];
  readonly accepted: readonly AcceptedMessage[];
  readonly webhooks: readonly WebhookRecord[];
  /** Our own schema, plus Meta's document when available (validators.ts). */
  readonly validator: FakeMetaValidator;
  addPhoneNumber(number: FakePhoneNumber): void;
  setTemplates(wabaId: string, templates: readonly Record<string, unknown>[]): void;
  setWebhookTarget(target: WebhookTarget | null): void;
  /** The next `count` valid sends (any number) answer this Graph error. */
  failNext(error: MetaErrorSpec, count?: number): void;
  /** The next `count` valid sends lose their connection after the request was read; `accepted`: the message was sent anyway (its webhooks follow). */
  dropNext(options?: { count?: number; accepted?: boolean }): void;
  /** The next `count` valid sends never get an answer (until `stop()`); `accepted` as for dropNext. */
  hangNext(options?: { count?: number; accepted?: boolean }): void;
  /** Sends to this recipient answer this Graph error (`count` times, default always). */
  failRecipient(to: string, error: MetaErrorSpec, options?: { count?: number }): void;
  /** Sends to this recipient are accepted, then fail by webhook (`sent` → `failed` with this error). */
  failRecipientAsync(to: string, error: MetaErrorSpec, options?: { count?: number }): void;
  /** Status flow for one recipient (e.g. `['sent', 'read']`: Meta may skip `delivered`). */
  setStatusFlow(to: string, flow: readonly StatusName[]): void;
  setLatency(ms: number): void;
  /** An inbound customer message, posted as Meta's webhook. Returns its wamid. */
  sendInbound(message: InboundSpec): string;
  /** Posts any payload now; `signature: 'invalid' | 'missing'` for negative tests. */
  deliverWebhook(payload: Record<string, unknown>, options?: { signature?: 'valid' | 'invalid' | 'missing' }): Promise<WebhookRecord>;
  /** Resolves when every scheduled webhook has been posted; rejects after `timeoutMs`. */
  webhooksIdle(timeoutMs?: number): Promise<void>;
  /** Recorded sends whose body failed validation. */
  invalidRequests(): RecordedRequest[];
  /** Our message ids (`biz_opaque_callback_data`) that Meta accepted more than once, over the fake's life. */
  duplicateSends(): Array<{ callbackData: string; count: number }>;
  stats(): FakeMetaStats;
  /** Forgets recorded requests, webhooks, programmed faults (not numbers, templates or options). */
  reset(): void;
  stop(): Promise<void>;
}

export interface InboundSpec {
  readonly phoneNumberId: string;
  /** The customer, E.164 or digits. */
  readonly from: string;
  readonly text: string;
  readonly profileName?: string;
  /** wamid of the message replied to. */
  readonly replyTo?: string;
  readonly wamid?: string;
  readonly delayMs?: number;
}

type Fault = { kind: 'error'; error: MetaErrorSpec } | { kind: 'drop' | 'hang'; accepted: boolean };
interface Counted<T> {
  value: T;
  remaining: number;
}

const MAX_BODY = 1024 * 1024;
const MAX_FAULTS = 100_000;

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
  readonly requests: RecordedRequest[] = [];
  readonly accepted: AcceptedMessage[] = [];
  readonly validator = fakeMetaValidator();
  private readonly server: Server;
  private readonly numbers = new Map<string, Required<FakePhoneNumber>>();
  private readonly templates = new Map<string, readonly Record<string, unknown>[]>();
  private readonly dispatcher: WebhookDispatcher;
  private faults: Fault[] = [];
  private readonly recipientErrors = new Map<string, Counted<MetaErrorSpec>>();
  private readonly recipientAsync = new Map<string, Counted<MetaErrorSpec>>();
  private readonly recipientFlows = new Map<string, readonly StatusName[]>();
  private readonly hung = new Set<ServerResponse>();
  private readonly windows = new Map<string, number[]>();
  private readonly maxPerSecond: Record<string, number> = {};
  private readonly outcomes = {} as Record<RequestOutcome, number>;
  private requestCount = 0;
  private invalidCount = 0;
  private acceptedCount = 0;
  private readonly acceptedByCallback = new Map<string, number>();
  private seq = 0;
  private latencyMs: number;
  private readonly stopController = new AbortController();
  private stopped = false;

  constructor(private readonly options: FakeMetaOptions) {
    this.latencyMs = options.latencyMs ?? 0;
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
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) this.reply(res, 500, { error: { message: String(error), type: 'FakeMetaError', code: 1 } });
      });
    });
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
    this.pushFaults({ kind: 'error', error }, count);
  }

  dropNext(options: { count?: number; accepted?: boolean } = {}): void {
    this.pushFaults({ kind: 'drop', accepted: options.accepted ?? false }, options.count ?? 1);
  }

  hangNext(options: { count?: number; accepted?: boolean } = {}): void {
    this.pushFaults({ kind: 'hang', accepted: options.accepted ?? false }, options.count ?? 1);
  }

  failRecipient(to: string, error: MetaErrorSpec, options: { count?: number } = {}): void {
    this.recipientErrors.set(digitsOf(to), { value: error, remaining: options.count ?? Infinity });
  }

  failRecipientAsync(to: string, error: MetaErrorSpec, options: { count?: number } = {}): void {
    this.recipientAsync.set(digitsOf(to), { value: error, remaining: options.count ?? Infinity });
  }

  setStatusFlow(to: string, flow: readonly StatusName[]): void {
    this.recipientFlows.set(digitsOf(to), flow);
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
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

  invalidRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.validation !== null && !r.validation.valid);
  }

  duplicateSends(): Array<{ callbackData: string; count: number }> {
    return [...this.acceptedByCallback].filter(([, count]) => count > 1).map(([callbackData, count]) => ({ callbackData, count }));
  }

  stats(): FakeMetaStats {
    const counters = this.dispatcher.counters;
    const sends: Record<RequestOutcome, number> = { accepted: 0, error: 0, invalid: 0, unauthorized: 0, rate_limited: 0, dropped: 0, hung: 0, listed: 0 };
    Object.assign(sends, this.outcomes);
    return {
      requests: this.requestCount,
      sends,
      invalidRequests: this.invalidCount,
      accepted: this.acceptedCount,
      duplicateSends: this.duplicateSends().length,
      webhooks: { ...counters, dropped: this.dispatcher.dropped, pending: this.dispatcher.pending() },
      maxPerSecondByNumber: { ...this.maxPerSecond },
    };
  }

  reset(): void {
    this.requests.length = 0;
    this.accepted.length = 0;
    this.acceptedByCallback.clear();
    this.invalidCount = 0;
    this.acceptedCount = 0;
    this.dispatcher.records.length = 0;
    for (const key of Object.keys(this.dispatcher.counters)) this.dispatcher.counters[key as keyof typeof this.dispatcher.counters] = 0;
    this.dispatcher.dropped = 0;
    this.faults = [];
    this.recipientErrors.clear();
    this.recipientAsync.clear();
    this.recipientFlows.clear();
    for (const key of Object.keys(this.outcomes)) delete this.outcomes[key as RequestOutcome];
    for (const key of Object.keys(this.maxPerSecond)) delete this.maxPerSecond[key];
    this.windows.clear();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopController.abort();
    this.dispatcher.stop();
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- HTTP -------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-meta.invalid');
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const raw = await readBody(req);
    if (segments[0] === '_fake' && this.options.control !== false) return this.control(req.method ?? 'GET', segments.slice(1), raw, res);

    this.requestCount++;
    const tokenInQuery = url.searchParams.has('access_token');
    const token = bearer(req.headers.authorization) ?? url.searchParams.get('access_token');
    if (tokenInQuery) url.searchParams.set('access_token', 'redacted');
    const [version, objectId, edge] = segments;
    const record: RecordedRequest = {
      seq: ++this.seq,
      at: new Date(),
      method: req.method ?? 'GET',
      url: `${url.pathname}${url.search}`,
      graphVersion: version ?? null,
      objectId: objectId ?? null,
      headers: redactHeaders(req.headers),
      tokenValid: false,
      tokenInQuery,
      body: parseJson(raw),
      validation: null,
      outcome: 'error',
      response: null,
      wamid: null,
    };
    this.keep(record);
    if (this.latencyMs > 0) await sleep(this.latencyMs, this.stopController.signal);

    if (segments.length === 3 && req.method === 'POST' && edge === 'messages') return this.send(record, token, raw, req, res);
    if (segments.length === 3 && req.method === 'GET' && edge === 'message_templates') return this.listTemplates(record, token, url, res);
    return this.answerError(record, res, {
      code: 100,
      subcode: 33,
      type: 'GraphMethodException',
      title: `Unsupported ${req.method ?? ''} request. Object with ID '${objectId ?? ''}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
    });
  }

  private async send(record: RecordedRequest, token: string | null, raw: Buffer, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const phoneNumberId = record.objectId!;
    if (!/^v[0-9]+\.[0-9]+$/.test(record.graphVersion ?? '')) return this.answerError(record, res, { code: 100, title: `Unknown path components: /${record.graphVersion ?? ''}` });
    let number = this.numbers.get(phoneNumberId);
    if (!number && this.options.openNumbers && token) {
      this.addPhoneNumber({ phoneNumberId, accessToken: token });
      number = this.numbers.get(phoneNumberId);
    }
    if (!token) return this.answerError(record, res, { code: 104 }, 'unauthorized');
    if (!number) {
      return this.answerError(record, res, {
        code: 100,
        subcode: 33,
        type: 'GraphMethodException',
        title: `Unsupported post request. Object with ID '${phoneNumberId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
      });
    }
    if (token !== number.accessToken) return this.answerError(record, res, { code: 190, details: 'Invalid OAuth access token' }, 'unauthorized');
    record.tokenValid = true;
    this.countArrival(phoneNumberId);

    if (record.body === undefined) return this.answerError(record, res, { code: 100, details: 'The request body is not valid JSON' }, 'invalid');
    const validation = this.validator.validateSendBody(record.body);
    record.validation = validation;
    if (!validation.valid) this.invalidCount++;
    if (!validation.valid) return this.answerError(record, res, { code: 100, details: validation.errors.join('; ') }, 'invalid');

    const body = record.body as Record<string, unknown>;
    const to = String(body.to);
    if (this.options.throughputPerNumber !== undefined && this.windowCount(phoneNumberId) > this.options.throughputPerNumber) {
      return this.answerError(record, res, { code: 130429 }, 'rate_limited');
    }
    const fault = this.faults.shift();
    if (fault?.kind === 'error') return this.answerError(record, res, fault.error);
    const recipientError = take(this.recipientErrors, digitsOf(to));
    if (recipientError) return this.answerError(record, res, recipientError);

    if (fault && !fault.accepted) return this.interrupt(record, fault.kind, req, res);
    const wamid = this.accept(record, number, body);
    if (fault) return this.interrupt(record, fault.kind, req, res);

    const type = body.type;
    this.reply(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: digitsOf(to) }],
      messages: [{ id: wamid, ...(type === 'template' || type === 'text' ? { message_status: 'accepted' } : {}) }],
    }, record, 'accepted', number);
  }

  private accept(record: RecordedRequest, number: Required<FakePhoneNumber>, body: Record<string, unknown>): string {
    const to = digitsOf(String(body.to));
    const wamid = makeWamid(to);
    record.wamid = wamid;
    const callbackData = typeof body.biz_opaque_callback_data === 'string' ? body.biz_opaque_callback_data : null;
    this.accepted.push({ wamid, phoneNumberId: number.phoneNumberId, to: String(body.to), callbackData, body, requestSeq: record.seq });
    if (this.accepted.length > (this.options.maxRecorded ?? 100_000)) this.accepted.shift();
    this.acceptedCount++;
    if (callbackData !== null) this.acceptedByCallback.set(callbackData, (this.acceptedByCallback.get(callbackData) ?? 0) + 1);

    const asyncError = take(this.recipientAsync, to);
    const flow: Array<StatusName | 'failed'> = asyncError ? ['sent', 'failed'] : [...(this.recipientFlows.get(to) ?? this.options.statusFlow ?? ['sent', 'delivered', 'read'])];
    const now = Math.floor(Date.now() / 1000);
    const first = this.options.firstStatusDelayMs ?? 0;
    const step = this.options.statusDelayMs ?? 0;
    const category = body.type === 'template' ? 'utility' : 'service';
    flow.forEach((status, i) => {
      this.dispatcher.schedule(
        {
          kind: 'status',
          wabaId: number.wabaId,
          phoneNumberId: number.phoneNumberId,
          displayPhoneNumber: number.displayPhoneNumber,
          status: {
            id: wamid,
            status,
            // Distinct, ordered, never in the future: sent ≤ delivered ≤ read.
            timestamp: String(now - (flow.length - 1 - i)),
            recipient_id: to,
            ...(callbackData !== null ? { biz_opaque_callback_data: callbackData } : {}),
            ...(status === 'sent' || status === 'delivered'
              ? { pricing: { billable: category !== 'service', pricing_model: 'PMP', category, type: category === 'service' ? 'free_customer_service' : 'regular' } }
              : {}),
            ...(status === 'failed' && asyncError ? { errors: [webhookError(asyncError)] } : {}),
          },
        },
        first + i * step,
      );
    });
    return wamid;
  }

  private interrupt(record: RecordedRequest, kind: 'drop' | 'hang', req: IncomingMessage, res: ServerResponse): void {
    this.setOutcome(record, kind === 'drop' ? 'dropped' : 'hung');
    if (kind === 'drop') {
      req.socket.destroy();
    } else {
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
    }
  }

  private listTemplates(record: RecordedRequest, token: string | null, url: URL, res: ServerResponse): void {
    const wabaId = record.objectId!;
    const list = this.templates.get(wabaId);
    const tokens = new Set([...this.numbers.values()].filter((n) => n.wabaId === wabaId).map((n) => n.accessToken));
    if (!token) return this.answerError(record, res, { code: 104 }, 'unauthorized');
    if (!list && tokens.size === 0) {
      return this.answerError(record, res, { code: 100, subcode: 33, type: 'GraphMethodException', title: `Unsupported get request. Object with ID '${wabaId}' does not exist` });
    }
    if (!tokens.has(token)) return this.answerError(record, res, { code: 190 }, 'unauthorized');
    record.tokenValid = true;
    const all = list ?? [];
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit')) || 25, 1), 1000);
    const after = url.searchParams.get('after');
    const offset = after ? Number(Buffer.from(after, 'base64url').toString()) || 0 : 0;
    const page = all.slice(offset, offset + limit);
    const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
    const next = new URL(`${this.url}/${record.graphVersion ?? ''}/${wabaId}/message_templates`);
    for (const [k, v] of url.searchParams) if (k !== 'after' && k !== 'access_token') next.searchParams.set(k, v);
    next.searchParams.set('limit', String(limit));
    next.searchParams.set('after', cursor(offset + page.length));
    next.searchParams.set('access_token', token); // as Graph does: the next URL carries the token
    const body = {
      data: page,
      paging: { cursors: { before: cursor(offset), after: cursor(offset + page.length) }, ...(offset + page.length < all.length ? { next: next.toString() } : {}) },
    };
    this.reply(res, 200, body, record, 'listed');
  }

  private answerError(record: RecordedRequest, res: ServerResponse, spec: MetaErrorSpec, outcome: RequestOutcome = 'error'): void {
    const { status, body } = graphError(spec);
    this.reply(res, status, body, record, outcome);
  }

  private reply(res: ServerResponse, status: number, body: unknown, record?: RecordedRequest, outcome?: RequestOutcome, number?: Required<FakePhoneNumber>): void {
    if (record && outcome) {
      record.response = { status, body };
      this.setOutcome(record, outcome);
    }
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(text),
      'x-fb-trace-id': fbtraceId(),
      'x-fb-request-id': fbtraceId(),
      ...(record?.graphVersion ? { 'facebook-api-version': record.graphVersion } : {}),
      ...(number ? { 'x-business-use-case-usage': JSON.stringify({ [number.wabaId]: [{ type: 'whatsapp', call_count: 1, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: 0 }] }) } : {}),
    });
    res.end(text);
  }

  private setOutcome(record: RecordedRequest, outcome: RequestOutcome): void {
    record.outcome = outcome;
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }

  private keep(record: RecordedRequest): void {
    this.requests.push(record);
    const max = this.options.maxRecorded ?? 100_000;
    if (this.requests.length > max) this.requests.splice(0, this.requests.length - max);
  }

  private pushFaults(fault: Fault, count: number): void {
    for (let i = 0; i < Math.min(count, MAX_FAULTS); i++) this.faults.push(fault);
  }

  /** Sliding one-second window of send requests per number. */
  private countArrival(phoneNumberId: string): void {
    const now = performance.now();
    let window = this.windows.get(phoneNumberId);
    if (!window) this.windows.set(phoneNumberId, (window = []));
    window.push(now);
    while (window.length > 0 && window[0]! <= now - 1000) window.shift();
    this.maxPerSecond[phoneNumberId] = Math.max(this.maxPerSecond[phoneNumberId] ?? 0, window.length);
  }

  private windowCount(phoneNumberId: string): number {
    return this.windows.get(phoneNumberId)?.length ?? 0;
  }

  // ---- control API (standalone use) ---------------------------------------------------------

  private control(method: string, path: string[], raw: Buffer, res: ServerResponse): void {
    const body = (parseJson(raw) ?? {}) as Record<string, unknown>;
    const ok = (value: unknown = { ok: true }) => this.reply(res, 200, value);
    const route = `${method} ${path.join('/')}`;
    try {
      switch (route) {
        case 'GET stats':
          return ok(this.stats());
        case 'GET requests':
          return ok(this.requests.slice(-1000));
        case 'GET webhooks':
          return ok(this.dispatcher.records.slice(-1000).map(({ body: _b, ...rest }) => rest));
        case 'GET accepted':
          return ok(this.accepted.slice(-1000));
        case 'POST phone-numbers':
          this.addPhoneNumber(body as unknown as FakePhoneNumber);
          return ok();
        case 'POST templates':
          this.setTemplates(String(body.wabaId), (body.templates as Record<string, unknown>[]) ?? []);
          return ok();
        case 'POST fail-next':
          this.failNext(body.error as MetaErrorSpec, Number(body.count ?? 1));
          return ok();
        case 'POST drop-next':
          this.dropNext({ count: Number(body.count ?? 1), accepted: body.accepted === true });
          return ok();
        case 'POST fail-recipient':
          this.failRecipient(String(body.to), body.error as MetaErrorSpec, body.count === undefined ? {} : { count: Number(body.count) });
          return ok();
        case 'POST fail-recipient-async':
          this.failRecipientAsync(String(body.to), body.error as MetaErrorSpec, body.count === undefined ? {} : { count: Number(body.count) });
          return ok();
        case 'POST inbound':
          return ok({ wamid: this.sendInbound(body as unknown as InboundSpec) });
        case 'POST reset':
          this.reset();
          return ok();
        default:
          return this.reply(res, 404, { error: `unknown control route ${route}` });
      }
    } catch (error) {
      return this.reply(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body over 1 MB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

function redactHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = name === 'authorization' ? String(value).replace(/^(Bearer\s+).*$/i, '$1<redacted>') : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function take<T>(map: Map<string, Counted<T>>, key: string): T | undefined {
  const entry = map.get(key);
  if (!entry) return undefined;
  if (--entry.remaining <= 0) map.delete(key);
  return entry.value;
}

function digitsOf(phone: string): string {
  return phone.replace(/\D/g, '');
}

// The unique part of wamids: a random prefix per process and a counter (no random bytes per call).
const wamidPrefix = randomBytes(5).toString('hex').toUpperCase();
let wamidCounter = 0;

/** `wamid.` + base64 of a protobuf-like blob carrying the recipient, as Meta's ids look. */
export function makeWamid(toDigits: string): string {
  const digits = Buffer.from(toDigits.slice(0, 20), 'ascii');
  const unique = `${wamidPrefix}${(++wamidCounter).toString(16).toUpperCase().padStart(8, '0')}`;
  const blob = Buffer.concat([Buffer.from([0x1c, 0x18, digits.length]), digits, Buffer.from([0x15, 0x02, 0x00, 0x11, 0x18, 0x12]), Buffer.from(unique, 'ascii'), Buffer.from([0x00])]);
  return `wamid.${blob.toString('base64')}`;
}
