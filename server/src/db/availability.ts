/**
 * Whether the database can serve requests, as the requests see it.
 *
 * `classifyDatabaseFailure` tells a database that cannot serve now (unreachable, restarting, out
 * of connections, or stalled: a statement cancelled by `statement_timeout`, a lock wait cut by
 * `lock_timeout`, no pool connection in time) from a genuine error. Such a request wrote nothing
 * (its statement, and so its transaction, was rolled back) and is answered 503 with Retry-After.
 *
 * `DatabaseAvailability` turns those failures into two log lines per outage instead of one per
 * request: `database unavailable` at the first failure, `database available again` (with the
 * outage's duration and the failed requests counted) at the first success once no failure has
 * been seen for `quietMs` (so a stall that fails some requests while others still succeed is one
 * outage, not a flapping series).
 */
import type { Logger } from '../logger.ts';

export type DatabaseFailure =
  /** Refused, reset or timed-out connections, a name that does not resolve. */
  | 'unreachable'
  /** PostgreSQL shutting down, restarting or still starting (57P01, 57P02, 57P03). */
  | 'restarting'
  /** too_many_connections (53300). */
  | 'too_many_connections'
  /** query_canceled (57014): statement_timeout, or a cancel by an operator. */
  | 'statement_timeout'
  /** lock_not_available (55P03): lock_timeout. */
  | 'lock_timeout'
  /** No pool connection within the acquire timeout. */
  | 'pool_timeout';

const BY_CODE: Readonly<Record<string, DatabaseFailure>> = {
  ECONNREFUSED: 'unreachable',
  ECONNRESET: 'unreachable',
  ETIMEDOUT: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENOTFOUND: 'unreachable',
  EPIPE: 'unreachable',
  '57P01': 'restarting',
  '57P02': 'restarting',
  '57P03': 'restarting',
  '53300': 'too_many_connections',
  '57014': 'statement_timeout',
  '55P03': 'lock_timeout',
};

/** The kind of database unavailability `error` is, or null for any other error. */
export function classifyDatabaseFailure(error: unknown): DatabaseFailure | null {
  if (!(error instanceof Error)) return null;
  if (error.name === 'KnexTimeoutError') return 'pool_timeout';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && Object.hasOwn(BY_CODE, code)) return BY_CODE[code]!;
  // A client whose connection broke rejects what is queued on it with "… not queryable" (no code).
  if (/Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|not queryable/i.test(error.message))
    return 'unreachable';
  return null;
}

export interface AvailabilityOptions {
  /** How long without failures before a success ends the outage. */
  readonly quietMs?: number;
  readonly now?: () => number;
}

export class DatabaseAvailability {
  private outage: { startedAt: number; lastFailureAt: number; failures: number; reasons: Set<DatabaseFailure> } | null = null;
  private readonly quietMs: number;
  private readonly now: () => number;

  constructor(
    private readonly logger: Logger,
    options: AvailabilityOptions = {},
  ) {
    this.quietMs = options.quietMs ?? 2_000;
    this.now = options.now ?? Date.now;
  }

  get unavailable(): boolean {
    return this.outage !== null;
  }

  /** A request (or probe) failed because of the database. */
  failed(reason: DatabaseFailure): void {
    const at = this.now();
    if (this.outage === null) {
      this.outage = { startedAt: at, lastFailureAt: at, failures: 1, reasons: new Set([reason]) };
      this.logger.warn('database unavailable', { reason });
      return;
    }
    this.outage.lastFailureAt = at;
    this.outage.failures += 1;
    this.outage.reasons.add(reason);
  }

  /** The database answered (a request that used it succeeded, or the readiness probe). */
  succeeded(): void {
    const outage = this.outage;
    if (outage === null) return;
    const at = this.now();
    if (at - outage.lastFailureAt < this.quietMs) return;
    this.outage = null;
    this.logger.info('database available again', {
      duration_ms: at - outage.startedAt,
      failed_requests: outage.failures,
      reasons: [...outage.reasons],
    });
  }
}
