/**
 * Background work that must never take the process down and must not flood the log while the
 * database is away: each failure is counted (`mojeeb_background_task_failures_total{task}`), the
 * first of a run of failures is logged once (one line, the error's message, no stack, no driver
 * objects), and the first success after it is logged with how long the task was failing.
 */
import type { LogFields, Logger } from './logger.ts';
import { metrics } from './metrics.ts';

export class BackgroundTask {
  private failingSince: number | null = null;
  private failures = 0;

  constructor(
    readonly task: string,
    private readonly logger: Logger,
  ) {}

  /** Runs `work` detached: its failure is reported here, never thrown. */
  run(work: () => Promise<unknown>): void {
    work().then(
      () => this.succeeded(),
      (error: unknown) => this.failed(error),
    );
  }

  failed(error: unknown, fields: LogFields = {}): void {
    metrics.backgroundFailures.inc({ task: this.task });
    this.failures++;
    if (this.failingSince !== null) return;
    this.failingSince = Date.now();
    this.logger.warn(`${this.task} failed; retrying`, { detail: errorMessage(error), ...fields });
  }

  succeeded(): void {
    if (this.failingSince === null) return;
    this.logger.info(`${this.task} works again`, { failed_for_ms: Date.now() - this.failingSince, failures: this.failures });
    this.failingSince = null;
    this.failures = 0;
  }
}

/** An error's message, at most one short line. */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
