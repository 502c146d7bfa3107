/**
 * The figures behind the queue gauges of `/metrics`: jobs ready to run that no worker has taken,
 * and the age of the oldest accepted message still waiting to be handed over (delivery lag).
 * Read through graphile-worker's public `jobs` view (the queue holds only pending jobs, so it
 * stays small) within a deadline, so a scrape never hangs on a stalled database.
 */
import type { Knex } from 'knex';
import type { QueueProbe } from '../metrics.ts';
import { DELIVERY_TASK } from './queue.ts';

export function deliveryQueueProbe(db: Knex, timeoutMs: number): QueueProbe {
  return async () => {
    const result = await db
      .raw<{ rows: Array<{ waiting: string; oldest: number | null }> }>(
        `SELECT count(*) FILTER (WHERE locked_at IS NULL AND run_at <= now() AND attempts < max_attempts) AS waiting,
                extract(epoch FROM now() - min(created_at) FILTER (WHERE task_identifier = ? AND attempts < max_attempts))::float8 AS oldest
         FROM graphile_worker.jobs`,
        [DELIVERY_TASK],
      )
      .timeout(timeoutMs, { cancel: true });
    const row = result.rows[0];
    return { jobsWaiting: Number(row?.waiting ?? 0), oldestQueuedSeconds: Math.max(0, row?.oldest ?? 0) };
  };
}
