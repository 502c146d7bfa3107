// What the fake Meta saw: every request (bounded), every accepted message, the outcome counters
// and each number's sliding one-second window of sends.
import type { AcceptedMessage, FakeMetaStats, RecordedRequest, RequestOutcome } from './types.ts';
import type { WebhookDispatcher } from './webhooks.ts';

export class Recording {
  readonly requests: RecordedRequest[] = [];
  readonly accepted: AcceptedMessage[] = [];
  private readonly outcomes = {} as Record<RequestOutcome, number>;
  private readonly acceptedByCallback = new Map<string, number>();
  private readonly windows = new Map<string, number[]>();
  private readonly maxPerSecond: Record<string, number> = {};
  private requestCount = 0;
  private invalidCount = 0;
  private acceptedCount = 0;
  private seq = 0;

  /** `maxRecorded`: requests and accepted messages kept (oldest dropped beyond it; counters keep counting). */
  constructor(private readonly maxRecorded: number) {}

  /** A Graph request arrived (control requests are not counted). */
  countRequest(): void {
    this.requestCount++;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  keep(record: RecordedRequest): void {
    this.requests.push(record);
    if (this.requests.length > this.maxRecorded) this.requests.splice(0, this.requests.length - this.maxRecorded);
  }

  setOutcome(record: RecordedRequest, outcome: RequestOutcome): void {
    record.outcome = outcome;
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }

  countInvalid(): void {
    this.invalidCount++;
  }

  keepAccepted(message: AcceptedMessage): void {
    this.accepted.push(message);
    if (this.accepted.length > this.maxRecorded) this.accepted.shift();
    this.acceptedCount++;
    const callbackData = message.callbackData;
    if (callbackData !== null) this.acceptedByCallback.set(callbackData, (this.acceptedByCallback.get(callbackData) ?? 0) + 1);
  }

  /** Sliding one-second window of send requests per number. */
  countArrival(phoneNumberId: string): void {
    const now = performance.now();
    let window = this.windows.get(phoneNumberId);
    if (!window) this.windows.set(phoneNumberId, (window = []));
    window.push(now);
    while (window.length > 0 && window[0]! <= now - 1000) window.shift();
    this.maxPerSecond[phoneNumberId] = Math.max(this.maxPerSecond[phoneNumberId] ?? 0, window.length);
  }

  /** Sends of this number within the last second. */
  windowCount(phoneNumberId: string): number {
    return this.windows.get(phoneNumberId)?.length ?? 0;
  }

  invalidRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.validation !== null && !r.validation.valid);
  }

  duplicateSends(): Array<{ callbackData: string; count: number }> {
    return [...this.acceptedByCallback].filter(([, count]) => count > 1).map(([callbackData, count]) => ({ callbackData, count }));
  }

  stats(dispatcher: WebhookDispatcher): FakeMetaStats {
    const counters = dispatcher.counters;
    const sends: Record<RequestOutcome, number> = {
      accepted: 0,
      error: 0,
      invalid: 0,
      unauthorized: 0,
      rate_limited: 0,
      dropped: 0,
      hung: 0,
      listed: 0,
    };
    Object.assign(sends, this.outcomes);
    return {
      requests: this.requestCount,
      sends,
      invalidRequests: this.invalidCount,
      accepted: this.acceptedCount,
      duplicateSends: this.duplicateSends().length,
      webhooks: { ...counters, dropped: dispatcher.dropped, pending: dispatcher.pending() },
      maxPerSecondByNumber: { ...this.maxPerSecond },
    };
  }

  /** Forgets requests, accepted messages and counters (the request count and sequence go on). */
  reset(): void {
    this.requests.length = 0;
    this.accepted.length = 0;
    this.acceptedByCallback.clear();
    this.invalidCount = 0;
    this.acceptedCount = 0;
    for (const key of Object.keys(this.outcomes)) delete this.outcomes[key as RequestOutcome];
    for (const key of Object.keys(this.maxPerSecond)) delete this.maxPerSecond[key];
    this.windows.clear();
  }
}
