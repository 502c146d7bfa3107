// The fake Meta's public types: its options, what it records, and the handle tests drive it by.
import type { MetaErrorSpec } from './graph-errors.ts';
import type { MetaValidationResult } from './validation.ts';
import type { FakeMetaValidator } from './validators.ts';
import type { WebhookOrder, WebhookRecord, WebhookTarget } from './webhooks.ts';

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
  readonly webhooks: {
    readonly posted: number;
    readonly delivered: number;
    readonly failed: number;
    readonly noTarget: number;
    readonly duplicates: number;
    readonly dropped: number;
    readonly pending: number;
    readonly invalid: number;
  };
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
