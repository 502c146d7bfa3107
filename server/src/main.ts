/**
 * The process: `npm start` (node --import tsx server/src/main.ts).
 *
 * config from the environment (config.ts) → PostgreSQL (DATABASE_URL, or the embedded one) →
 * migrations → the access-token encryption key (ENCRYPTION_KEY, or the key file of the embedded
 * set-up) → demo data on a first start (SEED_DEMO, domain/demo.ts) → HTTP server → print where
 * everything is, then the demo key and a curl (first start) or a one-line reminder (later).
 * stdout carries the JSON log lines only (for a log collector); the human banner and the demo
 * key go to stderr. With METRICS_PORT, /metrics is served by a second server on METRICS_HOST.
 * SIGINT/SIGTERM shut down gracefully: stop accepting connections, let open requests finish (up
 * to SHUTDOWN_TIMEOUT_MS), close the pool, stop the embedded PostgreSQL. A second signal exits
 * at once.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded.ts';
import { apiDatabaseTimeouts, createDatabase, migrateToLatest } from './db/knex.ts';
import { cloudApiFromConfig } from './delivery/cloud-api-config.ts';
import { deliveryQueueProbe } from './delivery/queue-probe.ts';
import { guardAgainstQueueLibraryErrors, superviseDeliveryWorker, type DeliveryWorker } from './delivery/worker.ts';
import { superviseEventWorker } from './delivery/events/runner.ts';
import { startHousekeeping } from './domain/housekeeping.ts';
import { KeyCache } from './domain/api-keys/key-cache.ts';
import { listenForKeyChanges, type KeyChangeListener } from './domain/api-keys/key-notifications.ts';
import { demoAnnouncement, demoReminder, ensureDemoData, type DemoOutcome } from './domain/demo.ts';
import { secretBoxFromConfig } from './domain/secrets.ts';
import { loadSpec } from './core/openapi.ts';
import { listen } from './http/server.ts';
import { createLogger, errorFields, type Logger } from './logger.ts';
import { createMetricsServer } from './http/metrics-endpoint.ts';
import { setPoolProbe, setQueueProbe } from './metrics.ts';
import { implementations } from './operations/index.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  let embedded: EmbeddedPostgres | undefined;
  let db: Knex | undefined;
  let server: Server | undefined;
  let metricsServer: Server | undefined;
  let shuttingDown = false;
  let stopHousekeeping: (() => void) | undefined;
  let worker: DeliveryWorker | undefined;
  let eventWorker: DeliveryWorker | undefined;
  let keyChanges: KeyChangeListener | undefined;

  const shutdown = async (reason: string, exitCode: number): Promise<void> => {
    if (shuttingDown) {
      logger.warn('second signal: exiting now', { reason });
      process.exit(exitCode || 1);
    }
    shuttingDown = true;
    logger.info('shutting down', { reason });
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting', { timeout_ms: config.shutdownTimeoutMs });
      process.exit(1);
    }, config.shutdownTimeoutMs + 5_000);
    force.unref();
    try {
      stopHousekeeping?.();
      if (metricsServer) await closeServer(metricsServer, 1_000);
      if (server) await closeServer(server, config.shutdownTimeoutMs);
      if (worker) await Promise.all([worker.stop(), eventWorker?.stop()]);
      await keyChanges?.stop();
      if (db) await db.destroy();
      if (embedded) await embedded.stop();
    } catch (error) {
      logger.error('error during shutdown', errorFields(error));
      exitCode = exitCode || 1;
    }
    logger.info('stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

  try {
    const spec = loadSpec(config.openapiPath);
    let connectionString = config.databaseUrl;
    if (connectionString === undefined) {
      embedded = await startEmbeddedPostgres({ dataDir: config.embeddedPg.dataDir, port: config.embeddedPg.port, logger });
      connectionString = embedded.connectionString('postgres');
    }
    db = createDatabase({ connectionString, poolMax: config.dbPoolMax, logger, ...apiDatabaseTimeouts(config) });
    setPoolProbe(db);
    const applied = await migrateToLatest(db);
    logger.info('database migrated', { applied });
    // Validates (or, for the embedded set-up, creates) the key now rather than at the first
    // stored token. The messaging work hands it to the senders.
    const secrets = secretBoxFromConfig(config);
    logger.info('access-token encryption', {
      key:
        config.encryptionKey !== undefined ? 'ENCRYPTION_KEY' : secrets !== null ? config.encryptionKeyFile : 'none (ENCRYPTION_KEY unset)',
    });

    if (config.worker) {
      guardAgainstQueueLibraryErrors(logger);
      // Supervised: restarts itself when its job runner stops (a PostgreSQL restart), while the
      // API keeps accepting sends; /readyz reports it.
      worker = superviseDeliveryWorker(
        {
          connectionString,
          concurrency: config.workerConcurrency,
          deps: {
            db,
            cloudApi: cloudApiFromConfig(config),
            secrets,
            logger,
            sandboxStepMs: config.sandboxStepMs,
            reconcileAfterMs: config.reconcileAfterMs,
          },
        },
        { maxBackoffMs: config.workerRestartMaxMs },
      );
      // Webhook deliveries: a runner of their own, so they never hold up message deliveries.
      eventWorker = superviseEventWorker(
        { connectionString, deps: { db, cloudApi: cloudApiFromConfig(config), secrets, logger, sandboxStepMs: config.sandboxStepMs } },
        { maxBackoffMs: config.workerRestartMaxMs },
      );
      await Promise.all([worker.running(), eventWorker.running()]);
      logger.info('delivery worker started', {
        concurrency: config.workerConcurrency,
        graph: `${config.metaGraphBaseUrl}/${config.metaGraphVersion}`,
      });
    }
    setQueueProbe(deliveryQueueProbe(db, config.readinessTimeoutMs));
    // Keys kept in memory for KEY_CACHE_MAX_AGE_MS at most, dropped at once on a key change
    // notification; bypassed while notifications are not listened to.
    const keyCache = new KeyCache({ maxAgeMs: config.keyCacheMaxAgeMs, trustedWithoutListener: !config.keyCacheNotifications });
    if (config.keyCacheNotifications && config.keyCacheMaxAgeMs > 0) {
      keyChanges = listenForKeyChanges(connectionString, keyCache, logger);
      await keyChanges.started;
    }
    const app = createApp({
      spec,
      handlers: implementations,
      db,
      config,
      secrets,
      logger,
      keyCache,
      ...(worker ? { worker: { state: worker.state, downForMs: worker.downForMs, graceMs: config.readinessWorkerGraceMs } } : {}),
    });
    stopHousekeeping = startHousekeeping(db, logger, 60_000, config.retention);
    if (config.metricsPort !== undefined) {
      const metricsListener = createMetricsServer(config.metricsToken);
      metricsServer = metricsListener;
      await new Promise<void>((resolve, reject) => {
        metricsListener.once('listening', resolve);
        metricsListener.once('error', reject);
        metricsListener.listen(config.metricsPort, config.metricsHost);
      });
      const address = metricsListener.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      logger.info('metrics listening', { url: `http://${host}:${address.port}/metrics`, token: config.metricsToken !== undefined });
    }
    server = listen(app, config);
    await new Promise<void>((resolve, reject) => {
      server!.once('listening', resolve);
      server!.once('error', reject);
    });
    // Seeded once the server listens: a start that fails before this point never "uses up" the
    // one time the demo key is shown.
    const demo: DemoOutcome | undefined = config.seedDemo ? await ensureDemoData(db) : undefined;
    if (demo?.kind === 'created')
      logger.info('demo data created', { organization_id: demo.demo.organizationId, agent_id: demo.demo.agentId });
    announce(server, logger, spec.version);
    if (demo?.kind === 'created') process.stderr.write(`${demoAnnouncement(localBaseUrl(server), demo.demo)}\n`);
    else if (demo?.kind === 'seeded-before') process.stderr.write(`${demoReminder(demo)}\n\n`);
  } catch (error) {
    logger.error('start-up failed', errorFields(error));
    await shutdown('start-up failure', 1);
  }
}

function announce(server: Server, logger: Logger, version: string): void {
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const base = `http://${host}:${address.port}`;
  logger.info('listening', { url: base, api_version: version });
  process.stderr.write(
    [
      '',
      `Mojeeb Public API ${version} listening on ${base}`,
      `  API             ${base}/v1`,
      `  reference       ${base}/docs`,
      `  contract        ${base}/openapi.yaml  (${base}/openapi.json)`,
      `  health          ${base}/healthz  ${base}/readyz`,
      '',
    ].join('\n') + '\n',
  );
}

/** The URL a client on this machine uses: through loopback when listening on every interface. */
function localBaseUrl(server: Server): string {
  const address = server.address() as AddressInfo;
  const local = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return `http://${address.family === 'IPv6' ? `[${local}]` : local}:${address.port}`;
}

/** Stops accepting, waits for open requests, then drops idle keep-alive connections. */
function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
    }, timeoutMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

await main();
