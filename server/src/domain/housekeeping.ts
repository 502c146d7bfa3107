// Periodic clean-up the server runs in the background: rate-limit counters of ended windows.
import type { Knex } from 'knex';
import type { Logger } from '../logger.ts';
import { pruneRateLimitWindows } from './api-keys/authenticate.ts';

export function startHousekeeping(db: Knex, logger: Logger, intervalMs = 60_000): () => void {
  const timer = setInterval(() => {
    pruneRateLimitWindows(db).catch((error: unknown) =>
      logger.warn('housekeeping failed', { detail: error instanceof Error ? error.message : String(error) }),
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
