/**
 * Readiness probe: `select 1` within a deadline. Any failure (refused connection, pool
 * exhausted, timeout) counts as unreachable; the caller decides what to answer.
 */
import type { Knex } from 'knex';

export async function pingDatabase(db: Knex, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = db
    .raw('select 1 as ok')
    .timeout(timeoutMs, { cancel: false })
    .then(() => true as const)
    .catch(() => false as const);
  try {
    return await Promise.race([probe, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
