/**
 * The delivery worker as its own process (`npm run worker`), for deployments that run the API
 * servers with `WORKER=false`. Same configuration as the server; SIGINT/SIGTERM stop it
 * gracefully: jobs in flight finish, the others are left for another worker.
 */
import { loadConfig } from './config.ts';
import { cloudApiFromConfig } from './delivery/cloud-api-config.ts';
import { startDeliveryWorker } from './delivery/worker.ts';
import { createDatabase, migrateToLatest } from './db/knex.ts';
import { secretBoxFromConfig } from './domain/secrets.ts';
import { createLogger, errorFields } from './logger.ts';

const config = loadConfig();
const logger = createLogger({ level: config.logLevel });
if (config.databaseUrl === undefined) {
  logger.error('the worker needs DATABASE_URL (the embedded PostgreSQL belongs to npm start, which runs its own worker)');
  process.exit(2);
}
const db = createDatabase({ connectionString: config.databaseUrl, poolMax: config.dbPoolMax, logger });
try {
  await migrateToLatest(db);
  const runner = await startDeliveryWorker({
    connectionString: config.databaseUrl,
    concurrency: config.workerConcurrency,
    deps: { db, cloudApi: cloudApiFromConfig(config), secrets: secretBoxFromConfig(config), logger, sandboxStepMs: config.sandboxStepMs, reconcileAfterMs: config.reconcileAfterMs },
  });
  logger.info('delivery worker started', { concurrency: config.workerConcurrency });
  const stop = async (signal: string) => {
    logger.info('stopping the delivery worker', { signal });
    await runner.stop();
    await db.destroy();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  logger.error('worker start-up failed', errorFields(error));
  await db.destroy();
  process.exit(1);
}
