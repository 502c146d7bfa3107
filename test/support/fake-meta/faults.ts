// Faults programmed by a test: the next sends' Graph errors, dropped or hung connections, errors
// and asynchronous failures per recipient, per-recipient status flows, and the added latency.
import type { ServerResponse } from 'node:http';
import type { MetaErrorSpec } from './graph-errors.ts';
import { digitsOf } from './ids.ts';
import type { StatusName } from './types.ts';

export type Fault = { kind: 'error'; error: MetaErrorSpec } | { kind: 'drop' | 'hang'; accepted: boolean };

interface Counted<T> {
  value: T;
  remaining: number;
}

const MAX_FAULTS = 100_000;

export class Faults {
  latencyMs: number;
  private queue: Fault[] = [];
  private readonly recipientErrors = new Map<string, Counted<MetaErrorSpec>>();
  private readonly recipientAsync = new Map<string, Counted<MetaErrorSpec>>();
  private readonly recipientFlows = new Map<string, readonly StatusName[]>();
  /** Answers held open by `hang` faults, destroyed on stop. */
  private readonly hung = new Set<ServerResponse>();

  constructor(latencyMs: number) {
    this.latencyMs = latencyMs;
  }

  push(fault: Fault, count: number): void {
    for (let i = 0; i < Math.min(count, MAX_FAULTS); i++) this.queue.push(fault);
  }

  /** The fault for this send, if one is queued (each one applies to one valid send). */
  next(): Fault | undefined {
    return this.queue.shift();
  }

  failRecipient(to: string, error: MetaErrorSpec, count = Infinity): void {
    this.recipientErrors.set(digitsOf(to), { value: error, remaining: count });
  }

  failRecipientAsync(to: string, error: MetaErrorSpec, count = Infinity): void {
    this.recipientAsync.set(digitsOf(to), { value: error, remaining: count });
  }

  setStatusFlow(to: string, flow: readonly StatusName[]): void {
    this.recipientFlows.set(digitsOf(to), flow);
  }

  /** The Graph error a send to this recipient answers (uses up one of its count). */
  recipientError(toDigits: string): MetaErrorSpec | undefined {
    return take(this.recipientErrors, toDigits);
  }

  /** The error an accepted message to this recipient fails with by webhook (uses up one of its count). */
  asyncError(toDigits: string): MetaErrorSpec | undefined {
    return take(this.recipientAsync, toDigits);
  }

  statusFlow(toDigits: string): readonly StatusName[] | undefined {
    return this.recipientFlows.get(toDigits);
  }

  hold(res: ServerResponse): void {
    this.hung.add(res);
    res.on('close', () => this.hung.delete(res));
  }

  /** Destroys the answers held open. */
  releaseHung(): void {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  /** Forgets every programmed fault (not the latency). */
  reset(): void {
    this.queue = [];
    this.recipientErrors.clear();
    this.recipientAsync.clear();
    this.recipientFlows.clear();
  }
}

function take<T>(map: Map<string, Counted<T>>, key: string): T | undefined {
  const entry = map.get(key);
  if (!entry) return undefined;
  if (--entry.remaining <= 0) map.delete(key);
  return entry.value;
}
