// Periodic clean-up the server runs in the background: rate-limit counters of ended windows,
// idempotency records past their 24 hours, and a round of the data retention policy
// (domain/retention.ts). A failed round (the database is away) is counted and logged once; the
// next round tries again.
import type { Knex } from 'knex';
import { BackgroundTask } from '../background.ts';
import type { RetentionSettings } from '../config.ts';
import type { Logger } from '../logger.ts';
import { metrics } from '../metrics.ts';
import { pruneRateLimitWindows } from './api-keys/authenticate.ts';
import { pruneIdempotencyKeys } from './idempotency.ts';
import { nonZero, runRetentionRound } from './retention.ts';

export async function runHousekeeping(db: Knex): Promise<void> {
  metrics.rowsPruned.inc({ table: 'rate_limit_windows' }, await pruneRateLimitWindows(db));
  metrics.rowsPruned.inc({ table: 'idempotency_keys' }, await pruneIdempotencyKeys(db));
}

/**
 * Housekeeping every `intervalMs`, and with `retention` a retention round at the same pace: a
 * round still running (it is bounded by RETENTION_ROUND_MAX_MS) is not started twice; one that
 * deleted something logs one line with its counts.
 */
export function startHousekeeping(db: Knex, logger: Logger, intervalMs = 60_000, retention?: RetentionSettings): () => void {
  const task = new BackgroundTask('housekeeping', logger);
  const retentionTask = new BackgroundTask('retention', logger);
  const stopped = new AbortController();
  let pruning = false;
  const prune = async (settings: RetentionSettings) => {
    pruning = true;
    try {
      const round = await runRetentionRound(db, settings, { signal: stopped.signal });
      const removed = nonZero(round.removed);
      if (Object.keys(removed).length > 0) {
        logger.info('retention round', { removed, batches: round.batches, duration_ms: round.durationMs, unfinished: round.unfinished });
      }
    } finally {
      pruning = false;
    }
  };
  const timer = setInterval(() => {
    task.run(() => runHousekeeping(db));
    if (retention !== undefined && !pruning) retentionTask.run(() => prune(retention));
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    stopped.abort();
  };
}
