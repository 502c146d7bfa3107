// Periodic clean-up the server runs in the background: rate-limit counters of ended windows,
// idempotency records past their 24 hours. A failed round (the database is away) is counted and
// logged once; the next round tries again.
import type { Knex } from 'knex';
import { BackgroundTask } from '../background.ts';
import type { Logger } from '../logger.ts';
import { pruneRateLimitWindows } from './api-keys/authenticate.ts';
import { pruneIdempotencyKeys } from './idempotency.ts';

export async function runHousekeeping(db: Knex): Promise<void> {
  await pruneRateLimitWindows(db);
  await pruneIdempotencyKeys(db);
}

export function startHousekeeping(db: Knex, logger: Logger, intervalMs = 60_000): () => void {
  const task = new BackgroundTask('housekeeping', logger);
  const timer = setInterval(() => task.run(() => runHousekeeping(db)), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
