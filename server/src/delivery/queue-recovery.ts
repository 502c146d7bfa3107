/**
 * How the delivery worker recovers the job queue after crashes and outages, with
 * graphile-worker's public functions (`force_unlock_workers`, `reschedule_jobs`) and our
 * heartbeat table (`delivery_workers`, one row per pool id: graphile-worker 0.17 locks a pool's
 * jobs under the pool's id, see queue.ts):
 * - a task that failed because the database went away is marked (OUTAGE_PREFIX) and run again as
 *   soon as the database answers, without the attempt counting;
 * - the jobs of a pool whose heartbeat stopped (a frozen or killed process) are released to the
 *   live workers; so are those of this process's runners that stopped;
 * - a runner that holds jobs, or whose tasks have waited, but makes no progress is wedged.
 */
import type { Task } from 'graphile-worker';
import { classifyDatabaseFailure } from '../db/availability.ts';
import type { DeliveryDeps } from './deliver.ts';

/**
 * The error a task fails with when the database went away under it. Its message marks the job,
 * so that `rescheduleAfterOutage` runs it again as soon as the database answers, without the
 * attempt counting and without graphile-worker's exponential backoff (which, after a few
 * restarts, would hold messages back for minutes).
 */
const OUTAGE_PREFIX = 'database unavailable: ';

export function markOutage(task: Task): Task {
  return async (payload, helpers) => {
    try {
      await task(payload, helpers);
    } catch (error) {
      if (classifyDatabaseFailure(error) !== null)
        throw new Error(`${OUTAGE_PREFIX}${error instanceof Error ? error.message : String(error)}`, { cause: error });
      throw error;
    }
  };
}

/** Releases the jobs still locked by this process's stopped runners (nothing runs them any more). */
export async function releaseOrphaned(deps: DeliveryDeps, orphaned: Set<string>): Promise<void> {
  if (orphaned.size === 0) return;
  const ids = [...orphaned];
  await deps.db.raw('SELECT graphile_worker.force_unlock_workers(?::text[])', [ids]);
  await deps.db('delivery_workers').whereIn('worker_id', ids).delete();
  for (const id of ids) orphaned.delete(id);
}

/** Jobs this runner holds, or jobs of its tasks ready for more than a few seconds. */
export async function hasWorkWaiting(deps: DeliveryDeps, poolIds: string[], taskIdentifiers: string[]): Promise<boolean> {
  const result = await deps.db.raw<{ rows: Array<{ waiting: boolean }> }>(
    `SELECT EXISTS (
       SELECT 1 FROM graphile_worker.jobs
       WHERE (locked_by = ANY(?::text[])) OR (locked_at IS NULL AND run_at < now() - interval '5 seconds' AND attempts < max_attempts AND task_identifier = ANY(?::text[]))
     ) AS waiting`,
    [poolIds, taskIdentifiers],
  );
  return result.rows[0]?.waiting === true;
}

/**
 * Jobs that failed because the database went away run again now, and the failure does not count
 * as an attempt (graphile-worker's public `reschedule_jobs`, one call per attempts value).
 */
export async function rescheduleAfterOutage(deps: DeliveryDeps): Promise<void> {
  const result = await deps.db.raw<{ rows: Array<{ n: string }> }>(
    `SELECT count(r.id) AS n FROM (
       SELECT attempts, array_agg(id) AS ids FROM graphile_worker.jobs
       WHERE locked_at IS NULL AND run_at > now() AND last_error LIKE ? GROUP BY attempts
     ) g, LATERAL graphile_worker.reschedule_jobs(g.ids, run_at => now(), attempts => greatest(g.attempts - 1, 0)) r`,
    [`${OUTAGE_PREFIX}%`],
  );
  const count = Number(result.rows[0]?.n ?? 0);
  if (count > 0) deps.logger.info('jobs that failed during a database outage run again', { jobs: count });
}

/**
 * Releases the jobs of workers that stopped beating, so that live workers retry them now: jobs
 * locked for more than four heartbeat periods by a pool whose heartbeat is older than that, or
 * missing (the table is unlogged: a PostgreSQL crash empties it).
 */
export async function releaseDeadWorkers(deps: DeliveryDeps, heartbeatMs: number): Promise<void> {
  const result = await deps.db.raw<{ rows: Array<{ worker_id: string }> }>(
    `WITH threshold AS (SELECT now() - (? * interval '1 millisecond') AS at)
     SELECT DISTINCT j.locked_by AS worker_id FROM graphile_worker.jobs j, threshold t
     WHERE j.locked_by IS NOT NULL AND j.locked_at < t.at
       AND NOT EXISTS (SELECT 1 FROM delivery_workers w WHERE w.worker_id = j.locked_by AND w.heartbeat_at >= t.at)
     UNION
     SELECT w.worker_id FROM delivery_workers w, threshold t WHERE w.heartbeat_at < t.at`,
    [heartbeatMs * 4],
  );
  const dead = result.rows.map((r) => r.worker_id);
  if (dead.length === 0) return;
  await deps.db.raw('SELECT graphile_worker.force_unlock_workers(?::text[])', [dead]);
  await deps.db('delivery_workers').whereIn('worker_id', dead).delete();
  deps.logger.warn('released the jobs of stopped delivery workers', { workers: dead.length });
}
