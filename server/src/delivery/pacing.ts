/**
 * Sending slots on this process's clock. A number's slots come from its `send_pacing` row, in
 * the database's clock, shared by every worker process; a send may go out only inside its slot:
 * not before it, and not later than SLOT_TOLERANCE_MS after it (a send that missed its slot takes
 * a new one). Slots are 1.1/rate apart, so when every send leaves within 100 ms of its slot no
 * one-second span holds more than `rate` sends: ⌈(1000 + 100) / (1100 / rate)⌉ = rate. The
 * tolerance takes part of those 100 ms; the rest is for the way to WhatsApp.
 *
 * The database's clock is read from the statements that take slots and record attempts (each
 * returns its `clock_timestamp()`): the answer came while the statement was out, so the offset to
 * our clock lies within that round trip. The narrowest recent round trip gives the estimate; its
 * uncertainty grows with age (clock drift) until a narrower or newer one replaces it.
 */
import { localNow } from '../db/prepared.ts';

/** How late a send may leave after its slot; later, it takes a new slot instead. */
export const SLOT_TOLERANCE_MS = 40;

/** The attempt is recorded at most this long before its slot (so that it is back by then). */
export const MAX_ATTEMPT_LEAD_MS = 50;

/** How much the uncertainty of the offset grows per millisecond of age: 500 ppm, the most NTP slews a clock. */
const DRIFT_PER_MS = 0.0005;

export class DatabaseClock {
  /** database time − local time, ms (mid-point of the best sample). */
  private offset = 0;
  /** Width of the best sample's round trip, ms (the offset lies within ± width / 2). */
  private width = Number.POSITIVE_INFINITY;
  private sampledAt = 0;

  /** A statement sent at `sentAt`, answered at `receivedAt` (local ms), read the database's clock as `databaseNow`. */
  sample(sentAt: number, receivedAt: number, databaseNow: number): void {
    const width = Math.max(0, receivedAt - sentAt);
    const offset = databaseNow - (sentAt + receivedAt) / 2;
    const current = this.widthAt(receivedAt);
    // A narrower sample is better; one that contradicts the estimate means a clock was stepped.
    if (width < current || Math.abs(offset - this.offset) > (width + current) / 2) {
      this.offset = offset;
      this.width = width;
      this.sampledAt = receivedAt;
    }
  }

  /** ± how far the offset may be off, ms (infinite before the first sample). */
  uncertainty(now = localNow()): number {
    return this.widthAt(now) / 2;
  }

  /** The local time by which the database time `at` has surely come (wait until then: never early). */
  latest(at: number, now = localNow()): number {
    return at - this.offset + this.uncertainty(now);
  }

  /** How late the database time `at` may be, at most, at local time `now` (ms; negative: not due). */
  lateness(at: number, now = localNow()): number {
    return now - (at - this.offset - this.uncertainty(now));
  }

  private widthAt(now: number): number {
    return this.width + Math.max(0, now - this.sampledAt) * DRIFT_PER_MS;
  }
}

/** Waits until the database time `at` has surely come on this process's clock (less `leadMs`). */
export async function waitForSlot(clock: DatabaseClock, at: number, leadMs = 0): Promise<void> {
  for (;;) {
    const wait = clock.latest(at) - leadMs - localNow();
    if (!Number.isFinite(wait)) throw new Error('the database clock has not been read yet');
    if (wait <= 0) return;
    // Timers may fire up to a millisecond early: check again on waking.
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
  }
}

/** Whether a send at this moment would leave too late after the slot at database time `at`. */
export function missedSlot(clock: DatabaseClock, at: number): boolean {
  return clock.lateness(at) > SLOT_TOLERANCE_MS;
}

/**
 * How long recording an attempt takes (the batched statement, its wait for a turn, the answer
 * read back), so that it can be sent that long before the slot and the send leave at the slot:
 * up at once when it gets slower, down slowly; at most MAX_ATTEMPT_LEAD_MS.
 */
export class AttemptLead {
  private estimate = 0;

  observe(ms: number): void {
    const bounded = Math.min(MAX_ATTEMPT_LEAD_MS, Math.max(0, ms));
    this.estimate = bounded >= this.estimate ? bounded : this.estimate * 0.95 + bounded * 0.05;
  }

  get ms(): number {
    return this.estimate;
  }
}
