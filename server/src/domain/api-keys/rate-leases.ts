/**
 * Rate limits without a database write per request, exact across server processes.
 *
 * Each process leases a block of a key's budget for the current window from PostgreSQL
 * (`mojeeb_lease_rate`, server/src/db/sql/rate_limit.sql: one statement that grants at most what
 * is left of the limit), serves requests from the block in memory and leases again when it runs
 * out. Whatever the number of processes, no more than the limit is granted in a window, so no
 * more than the limit is served. A block starts small and doubles with each lease (a busy key
 * leases rarely), and halves after a window that left tokens of this process unused; the
 * database caps it at a tenth of the limit, so the tokens left unused in other processes'
 * blocks, which this process cannot use, stay few.
 *
 * Concurrent requests of one key in one process wait for a single lease. A block is used only
 * before the window ends by the local clock, counted from when the lease was sent (so never
 * after the database's window ended).
 *
 * `remaining` (X-RateLimit-Remaining) is what the window had left when this process last
 * leased, plus the tokens of its own block: exact with one process. With several, the tokens
 * of other processes' blocks count as used; what they leased after this process's latest
 * lease is not known here until its next lease.
 */
import type { Knex } from 'knex';
import { localNow, preparedQuery } from '../../db/prepared.ts';
import { metrics } from '../../metrics.ts';

/** The first block of a key in a process; each further lease asks for twice the previous block. */
const FIRST_BLOCK = 2;
const LARGEST_BLOCK = 1024;
/** Budgets of windows that ended are dropped once this many keys have one. */
const SWEEP_ABOVE = 1_000;

export interface RateWindow {
  readonly limit: number;
  /** Whether this request may be served. */
  readonly allowed: boolean;
  /** Requests the key has left in this window, after this one (see the module comment). */
  readonly remaining: number;
  /** Unix seconds at which the window ends. */
  readonly resetAt: number;
  /** Seconds until the window ends (at least 1). */
  readonly retryAfter: number;
}

interface Budget {
  readonly limit: number;
  /** Leased for this window and not yet used. */
  tokens: number;
  /** What the window had granted to every process, this one included, at the latest lease. */
  used: number;
  /** The window's end, unix seconds (database clock). */
  readonly windowEnd: number;
  /** The local time (localNow) after which the window is over. */
  readonly deadline: number;
  /** What the latest lease asked for. */
  block: number;
  /** The window's budget is spent. */
  exhausted: boolean;
}

interface LeaseRow {
  granted: number;
  used: number;
  window_end: string;
  ms_left: number;
}

const LEASE_SQL = 'SELECT granted, used, window_end, ms_left FROM mojeeb_lease_rate(?::uuid, ?::int, ?::int)';

export class RateLeases {
  private readonly budgets = new Map<string, Budget>();
  private readonly leasing = new Map<string, Promise<void>>();

  constructor(private readonly db: Knex) {}

  /** Counts one request of the key against its limit. */
  async take(keyId: string, limit: number): Promise<RateWindow> {
    for (;;) {
      const budget = this.current(keyId, limit);
      if (budget !== undefined && budget.tokens > 0) {
        budget.tokens -= 1;
        return windowOf(budget, true);
      }
      if (budget?.exhausted) return windowOf(budget, false);
      const pending = this.leasing.get(keyId);
      if (pending !== undefined) {
        await pending;
        continue;
      }
      const lease = this.lease(keyId, limit, budget ?? this.budgets.get(keyId)).finally(() => this.leasing.delete(keyId));
      this.leasing.set(keyId, lease);
      await lease;
    }
  }

  /** The key's budget for the current window with this limit; undefined when it has none. */
  private current(keyId: string, limit: number): Budget | undefined {
    const budget = this.budgets.get(keyId);
    if (budget === undefined || budget.limit !== limit || localNow() >= budget.deadline) return undefined;
    return budget;
  }

  private async lease(keyId: string, limit: number, previous: Budget | undefined): Promise<void> {
    const block = nextBlock(previous, localNow());
    const sentAt = localNow();
    const rows = await preparedQuery<LeaseRow>(this.db, 'mojeeb_lease_rate', LEASE_SQL, [keyId, limit, block]);
    const row = rows[0]!;
    metrics.rateLeases.inc({ outcome: row.granted > 0 ? 'granted' : 'spent' });
    const windowEnd = Number(row.window_end);
    const budget = this.current(keyId, limit);
    if (budget !== undefined && budget.windowEnd === windowEnd) {
      budget.tokens += row.granted;
      budget.used = row.used;
      budget.block = block;
      budget.exhausted = row.granted === 0;
      return;
    }
    if (this.budgets.size >= SWEEP_ABOVE) this.sweep();
    this.budgets.set(keyId, {
      limit,
      tokens: row.granted,
      used: row.used,
      windowEnd,
      deadline: sentAt + row.ms_left,
      block,
      exhausted: row.granted === 0,
    });
  }

  private sweep(): void {
    const now = localNow();
    for (const [keyId, budget] of this.budgets) if (now >= budget.deadline) this.budgets.delete(keyId);
  }
}

/**
 * Twice the previous block; half of it when the previous window ended with tokens of this
 * process unused (the key got quieter here), so that they do not stay stranded window after window.
 */
function nextBlock(previous: Budget | undefined, now: number): number {
  if (previous === undefined) return FIRST_BLOCK;
  if (now >= previous.deadline && previous.tokens > 0) return Math.max(FIRST_BLOCK, Math.floor(previous.block / 2));
  return Math.min(LARGEST_BLOCK, previous.block * 2);
}

function windowOf(budget: Budget, allowed: boolean): RateWindow {
  return {
    limit: budget.limit,
    allowed,
    remaining: Math.max(0, budget.limit - budget.used) + budget.tokens,
    resetAt: budget.windowEnd,
    retryAfter: Math.max(1, Math.ceil((budget.deadline - localNow()) / 1000)),
  };
}
