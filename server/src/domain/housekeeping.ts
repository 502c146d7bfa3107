// Periodic clean-up the server runs in the background: rate-limit counters of ended windows,
// idempotency records past their 24 hours.
import type { Knex } from 'knex';
import type { Logger } from '../logger.ts';
import { pruneRateLimitWindows } from './api-keys/authenticate.ts';
import { pruneIdempotencyKeys } from './idempotency.ts';

export async function runHousekeeping(db: Knex): Promise<void> {
  await pruneRateLimitWindows(db);
  await pruneIdempotencyKeys(db);
}

export function startHousekeeping(db: Knex, logger: Logger, intervalMs = 60_000): () => void {
  const timer = setInterval(() => {
    runHousekeeping(db).catch((error: unknown) =>
      logger.warn('housekeeping failed', { detail: error instanceof Error ? error.message : String(error) }),
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
