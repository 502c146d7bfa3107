/**
 * The delivery worker as its own process (`npm run worker`), for deployments that run the API
 * servers with `WORKER=false`. Same configuration as the server. The worker is supervised: when
 * its job runner stops (a PostgreSQL restart) it starts a new one with backoff, so the process
 * never exits on a database outage; it exits 0 only when asked to (SIGINT/SIGTERM: jobs in
 * flight finish, the others are left for another worker) and non-zero on any failure it cannot
 * recover from (bad configuration, a start-up failure other than the database being away, a
 * shutdown that went wrong).
 */
import { BackgroundTask } from './background.ts';
import { loadConfig } from './config.ts';
import { classifyDatabaseFailure } from './db/availability.ts';
import { cloudApiFromConfig } from './delivery/cloud-api-config.ts';
import { guardAgainstQueueLibraryErrors, superviseDeliveryWorker } from './delivery/worker.ts';
import { superviseEventWorker } from './delivery/events/runner.ts';
import { apiDatabaseTimeouts, createDatabase, migrateToLatest } from './db/knex.ts';
import { secretBoxFromConfig } from './domain/secrets.ts';
import { createLogger, errorFields } from './logger.ts';

const config = loadConfig();
const logger = createLogger({ level: config.logLevel });
if (config.databaseUrl === undefined) {
  logger.error('the worker needs DATABASE_URL (the embedded PostgreSQL belongs to npm start, which runs its own worker)');
  process.exit(2);
}
// The same timeouts as the server's worker: a delivery's statements are short, and a frozen
// process's open transaction must not hold its row locks for good.
const db = createDatabase({ connectionString: config.databaseUrl, poolMax: config.dbPoolMax, logger, ...apiDatabaseTimeouts(config) });
/**
 * Migrations, once the database answers: a worker started while PostgreSQL restarts (a
 * supervisor restarting everything at once) waits for it with backoff instead of exiting. Any
 * other failure is a start-up failure. A signal meanwhile exits 0: nothing has started yet.
 */
async function migrateWhenReachable(): Promise<void> {
  const waiting = new BackgroundTask('worker start-up', logger);
  const early = (signal: string) => {
    logger.info('stopped before the delivery worker started', { signal });
    process.exit(0);
  };
  process.on('SIGINT', early);
  process.on('SIGTERM', early);
  try {
    for (let backoffMs = 1_000; ; backoffMs = Math.min(backoffMs * 2, config.workerRestartMaxMs)) {
      try {
        await migrateToLatest(db);
        waiting.succeeded();
        return;
      } catch (error) {
        if (classifyDatabaseFailure(error) === null) throw error;
        waiting.failed(error, { retry_in_ms: backoffMs });
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
      }
    }
  } finally {
    process.off('SIGINT', early);
    process.off('SIGTERM', early);
  }
}

try {
  await migrateWhenReachable();
  guardAgainstQueueLibraryErrors(logger);
  const runner = superviseDeliveryWorker(
    {
      connectionString: config.databaseUrl,
      concurrency: config.workerConcurrency,
      deps: {
        db,
        cloudApi: cloudApiFromConfig(config),
        secrets: secretBoxFromConfig(config),
        logger,
        sandboxStepMs: config.sandboxStepMs,
        reconcileAfterMs: config.reconcileAfterMs,
      },
    },
    { maxBackoffMs: config.workerRestartMaxMs },
  );
  // Webhook deliveries: a runner of their own, so they never hold up message deliveries.
  const eventRunner = superviseEventWorker(
    {
      connectionString: config.databaseUrl,
      deps: { db, cloudApi: cloudApiFromConfig(config), secrets: secretBoxFromConfig(config), logger, sandboxStepMs: config.sandboxStepMs },
    },
    { maxBackoffMs: config.workerRestartMaxMs },
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('stopping the delivery worker', { signal });
    const force = setTimeout(() => {
      logger.error('the delivery worker did not stop in time; exiting', { timeout_ms: config.shutdownTimeoutMs });
      process.exit(1);
    }, config.shutdownTimeoutMs + 5_000);
    force.unref();
    try {
      await Promise.all([runner.stop(), eventRunner.stop()]);
      await db.destroy();
    } catch (error) {
      logger.error('error while stopping the delivery worker', errorFields(error));
      process.exit(1);
    }
    logger.info('delivery worker stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await Promise.all([runner.running(), eventRunner.running()]);
  logger.info('delivery worker started', { concurrency: config.workerConcurrency });
} catch (error) {
  logger.error('worker start-up failed', errorFields(error));
  await db.destroy();
  process.exit(1);
}
