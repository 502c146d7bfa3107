/**
 * The fake Meta's outgoing webhooks: payloads shaped like Meta's (validated against our own
 * `WebhookPayload` schema and Meta's when available), serialised like Meta's (slashes and non-ASCII escaped, so a receiver
 * that re-serialises before checking the signature fails as it would in production), signed with
 * the app secret (`X-Hub-Signature-256`, plus the legacy `X-Hub-Signature` sha1), and delivered
 * in a configurable order: in order, shuffled or reversed per flush, with duplicates, batched.
 *
 * Bounded: at most `maxWebhooks` POSTs per fake, each with a timeout, a bounded number of
 * retries, and everything cancelled by `stop()`.
 */
import { createHmac } from 'node:crypto';
import { signWebhook } from '../../../server/src/whatsapp/signature.ts';
import type { MetaValidationResult } from './validation.ts';

export type WebhookOrder = 'in-order' | 'shuffle' | 'reverse';

export interface WebhookTarget {
  readonly callbackUrl: string;
  readonly appSecret: string;
}

/** One status or inbound message, before it is put into an envelope. */
export type WebhookItem =
  | {
      readonly kind: 'status';
      readonly wabaId: string;
      readonly phoneNumberId: string;
      readonly displayPhoneNumber: string;
      readonly status: Record<string, unknown>;
    }
  | {
      readonly kind: 'inbound';
      readonly wabaId: string;
      readonly phoneNumberId: string;
      readonly displayPhoneNumber: string;
      readonly message: Record<string, unknown>;
      readonly contact: Record<string, unknown>;
    };

export interface WebhookRecord {
  readonly seq: number;
  readonly payload: Record<string, unknown>;
  /** The exact bytes posted. */
  readonly body: string;
  readonly signature: string;
  readonly duplicate: boolean;
  /** Against our `WebhookPayload` schema, and Meta's (with the documented overrides) when available. */
  readonly validation: MetaValidationResult;
  /** Short form of what it carried: `status:<wamid>:<status>` / `inbound:<wamid>`. */
  readonly items: string[];
  attempts: number;
  /** HTTP status of the last attempt, or null. */
  responseStatus: number | null;
  error: string | null;
  done: boolean;
}

export interface DispatcherOptions {
  readonly order: WebhookOrder;
  /** Probability (0 … 1) that a POST is delivered a second time, later. */
  readonly duplicate: number;
  /** Items per POST (Meta batches); default 1. */
  readonly batchSize: number;
  /** How long due items gather before a flush (the window that order applies to). */
  readonly flushIntervalMs: number;
  /** Parallel POSTs; 1 keeps the delivery order. */
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Extra attempts after a non-2xx or a network error. */
  readonly retries: number;
  /** Wait before retry n: n × this. */
  readonly retryDelayMs: number;
  readonly maxWebhooks: number;
  /** Records kept in `records` (oldest dropped beyond it; `counters` keep counting). */
  readonly maxRecords: number;
  readonly random: () => number;
  readonly validate: (payload: unknown) => MetaValidationResult;
}

export class WebhookDispatcher {
  readonly records: WebhookRecord[] = [];
  target: WebhookTarget | null = null;
  dropped = 0;
  readonly counters = { posted: 0, delivered: 0, failed: 0, noTarget: 0, duplicates: 0, invalid: 0 };
  private seq = 0;
  private posts = 0;
  private due: WebhookItem[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly outbox: WebhookRecord[] = [];
  private inFlight = 0;
  private stopped = false;
  private readonly stopController = new AbortController();

  constructor(private readonly options: DispatcherOptions) {}

  /** Queues an item to become due after `delayMs`. */
  schedule(item: WebhookItem, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.due.push(item);
      this.ensureFlush();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.due.push(item);
      this.ensureFlush();
    }, delayMs);
    this.timers.add(timer);
  }

  /** Posts one payload now, outside the queue; `signature` lets tests send a wrong or no signature. */
  async deliverNow(payload: Record<string, unknown>, signature: 'valid' | 'invalid' | 'missing' = 'valid'): Promise<WebhookRecord> {
    const record = this.record(payload, false, signature);
    await this.post(record, signature);
    return record;
  }

  /** Resolves when nothing is scheduled, queued or in flight; rejects after `timeoutMs`. */
  async idle(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending() > 0) {
      if (Date.now() > deadline) throw new Error(`fake Meta: ${this.pending()} webhooks still pending after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  pending(): number {
    return this.timers.size + this.due.length + this.outbox.length + this.inFlight + (this.flushTimer ? 1 : 0);
  }

  stop(): void {
    this.stopped = true;
    this.stopController.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.due = [];
    this.outbox.length = 0;
  }

  private ensureFlush(): void {
    if (this.flushTimer || this.stopped) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, this.options.flushIntervalMs);
  }

  private flush(): void {
    let items = this.due;
    this.due = [];
    if (this.options.order === 'shuffle') items = shuffle(items, this.options.random);
    else if (this.options.order === 'reverse') items = items.reverse();
    const batches: WebhookItem[][] = [];
    for (let i = 0; i < items.length; i += this.options.batchSize) batches.push(items.slice(i, i + this.options.batchSize));
    let posts: WebhookRecord[] = [];
    const admit = (payload: Record<string, unknown>, duplicate: boolean) => {
      if (this.posts >= this.options.maxWebhooks) {
        this.dropped++;
        return;
      }
      this.posts++;
      posts.push(this.record(payload, duplicate, 'valid'));
    };
    for (const batch of batches) {
      const payload = envelope(batch);
      admit(payload, false);
      if (this.options.duplicate > 0 && this.options.random() < this.options.duplicate) admit(payload, true);
    }
    if (this.options.order === 'shuffle') posts = shuffle(posts, this.options.random);
    this.outbox.push(...posts);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.inFlight < this.options.concurrency && this.outbox.length > 0) {
      const record = this.outbox.shift()!;
      this.inFlight++;
      void this.post(record, 'valid').finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private record(payload: Record<string, unknown>, duplicate: boolean, signature: 'valid' | 'invalid' | 'missing'): WebhookRecord {
    const body = metaJson(payload);
    const secret = this.target?.appSecret ?? '';
    const record: WebhookRecord = {
      seq: ++this.seq,
      payload,
      body,
      signature:
        secret && signature !== 'missing' ? signWebhook(Buffer.from(body), signature === 'valid' ? secret : `${secret}-wrong`) : '',
      duplicate,
      validation: this.options.validate(payload),
      items: describe(payload),
      attempts: 0,
      responseStatus: null,
      error: null,
      done: false,
    };
    this.records.push(record);
    if (this.records.length > this.options.maxRecords) this.records.splice(0, this.records.length - this.options.maxRecords);
    if (duplicate) this.counters.duplicates++;
    if (!record.validation.valid) this.counters.invalid++;
    return record;
  }

  private async post(record: WebhookRecord, signature: 'valid' | 'invalid' | 'missing'): Promise<void> {
    const target = this.target;
    if (!target) {
      record.error = 'no callback URL configured';
      record.done = true;
      this.counters.noTarget++;
      return;
    }
    this.counters.posted++;
    for (let attempt = 0; attempt <= this.options.retries && !this.stopped; attempt++) {
      if (attempt > 0) await sleep(this.options.retryDelayMs * attempt, this.stopController.signal);
      record.attempts++;
      try {
        const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'facebookexternalua' };
        if (signature !== 'missing' && record.signature) {
          headers['x-hub-signature-256'] = record.signature;
          if (signature === 'valid')
            headers['x-hub-signature'] = `sha1=${createHmac('sha1', target.appSecret).update(record.body).digest('hex')}`;
        }
        const response = await fetch(target.callbackUrl, {
          method: 'POST',
          headers,
          body: record.body,
          signal: AbortSignal.any([this.stopController.signal, AbortSignal.timeout(this.options.timeoutMs)]),
        });
        await response.arrayBuffer();
        record.responseStatus = response.status;
        record.error = null;
        if (response.ok) break;
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
      }
    }
    record.done = true;
    if (record.responseStatus !== null && record.responseStatus < 300) this.counters.delivered++;
    else this.counters.failed++;
  }
}

/** Meta's envelope for a batch: one entry per WABA, one change per phone number. */
export function envelope(items: readonly WebhookItem[]): Record<string, unknown> {
  const entries = new Map<
    string,
    Map<string, { metadata: Record<string, string>; statuses: unknown[]; messages: unknown[]; contacts: unknown[] }>
  >();
  for (const item of items) {
    let changes = entries.get(item.wabaId);
    if (!changes) entries.set(item.wabaId, (changes = new Map()));
    let value = changes.get(item.phoneNumberId);
    if (!value) {
      value = {
        metadata: { display_phone_number: item.displayPhoneNumber, phone_number_id: item.phoneNumberId },
        statuses: [],
        messages: [],
        contacts: [],
      };
      changes.set(item.phoneNumberId, value);
    }
    if (item.kind === 'status') value.statuses.push(item.status);
    else {
      value.messages.push(item.message);
      value.contacts.push(item.contact);
    }
  }
  const entry = [...entries].map(([id, changes]) => ({
    id,
    changes: [...changes.values()].flatMap((v) => {
      // Meta sends statuses and inbound messages as separate changes; keep that shape.
      const out: unknown[] = [];
      if (v.messages.length > 0)
        out.push({
          value: { messaging_product: 'whatsapp', metadata: v.metadata, contacts: v.contacts, messages: v.messages },
          field: 'messages',
        });
      if (v.statuses.length > 0)
        out.push({ value: { messaging_product: 'whatsapp', metadata: v.metadata, statuses: v.statuses }, field: 'messages' });
      return out;
    }),
  }));
  return { object: 'whatsapp_business_account', entry };
}

/** JSON as Meta serialises it: `/` → `\/`, non-ASCII → `\uXXXX`. */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function describe(payload: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const entry of (payload.entry as Array<{ changes?: Array<{ value?: Record<string, unknown> }> }>) ?? []) {
    for (const change of entry.changes ?? []) {
      for (const s of (change.value?.statuses as Array<Record<string, unknown>>) ?? [])
        out.push(`status:${String(s.id)}:${String(s.status)}`);
      for (const m of (change.value?.messages as Array<Record<string, unknown>>) ?? []) out.push(`inbound:${String(m.id)}`);
    }
  }
  return out;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Small seeded PRNG (mulberry32), so a shuffled or duplicated run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
