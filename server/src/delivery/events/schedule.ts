/**
 * When a failed event delivery is tried again: after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h,
 * 14 h, 14 h and 16 h (eleven attempts over about 3 days), each delay with ±20 % jitter so that
 * the retries of many events do not arrive together. `WEBHOOK_RETRY_SCHEDULE_MS` (a
 * comma-separated list of milliseconds) replaces the schedule, for tests.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  14 * 3_600_000,
  16 * 3_600_000,
];

/** An endpoint whose deliveries have all failed for this long is disabled (`WEBHOOK_DISABLE_AFTER_MS` overrides). */
export const DEFAULT_DISABLE_AFTER_MS = 3 * 24 * 3_600_000;

/** Per-attempt timeout; no redirect is followed. */
export const ATTEMPT_TIMEOUT_MS = 10_000;

export function retryScheduleFromEnv(env: NodeJS.ProcessEnv = process.env): readonly number[] {
  const raw = env.WEBHOOK_RETRY_SCHEDULE_MS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_RETRY_SCHEDULE_MS;
  const delays = raw.split(',').map((part) => Number(part.trim()));
  if (delays.some((d) => !Number.isInteger(d) || d < 0))
    throw new Error('WEBHOOK_RETRY_SCHEDULE_MS must be a comma-separated list of milliseconds');
  return delays;
}

export function disableAfterFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WEBHOOK_DISABLE_AFTER_MS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_DISABLE_AFTER_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) throw new Error('WEBHOOK_DISABLE_AFTER_MS must be a number of milliseconds');
  return ms;
}

/** The delay before retry number `retry` (0 = the first retry), jittered; null when the schedule is exhausted. */
export function retryDelayMs(schedule: readonly number[], retry: number, random: () => number = Math.random): number | null {
  const base = schedule[retry];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + 0.4 * random()));
}
