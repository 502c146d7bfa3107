/**
 * The real server for the benchmark, in its own process (so that its RSS is its own): the
 * production app (createApp + implementations) with the configuration of `npm start`
 * (loadConfig: DB_POOL_MAX 10, LOG_LEVEL info, request logs on stdout, which the parent
 * discards, and the key cache kept current by notifications, as main.ts sets it up), WORKER off. Started by run.ts with BENCH_DATABASE_URL; reports its port over IPC
 * and exits when the parent disconnects or says `stop`.
 */
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createDatabase } from '../../server/src/db/knex.ts';
import { loadSpec } from '../../server/src/core/openapi.ts';
import { KeyCache } from '../../server/src/domain/api-keys/key-cache.ts';
import { listenForKeyChanges } from '../../server/src/domain/api-keys/key-notifications.ts';
import { createLogger } from '../../server/src/logger.ts';
import { implementations } from '../../server/src/operations/index.ts';

const url = process.env.BENCH_DATABASE_URL;
if (!url || !process.send) throw new Error('server-child.ts is started by test/bench/run.ts');
const config = loadConfig({ ...process.env, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', WORKER: 'false', SEED_DEMO: 'false' });
const logger = createLogger({ level: config.logLevel });
const db = createDatabase({ connectionString: url, poolMax: config.dbPoolMax, logger });
const keyCache = new KeyCache({ maxAgeMs: config.keyCacheMaxAgeMs, trustedWithoutListener: !config.keyCacheNotifications });
const keyChanges = config.keyCacheNotifications && config.keyCacheMaxAgeMs > 0 ? listenForKeyChanges(url, keyCache, logger) : null;
await keyChanges?.started;
const app = createApp({ spec: loadSpec(config.openapiPath), handlers: implementations, db, config, logger, keyCache });
const server = app.listen(0, '127.0.0.1');
server.once('listening', () => {
  process.send!({ port: (server.address() as AddressInfo).port, poolMax: config.dbPoolMax, logLevel: config.logLevel });
});
const stop = () => {
  server.closeAllConnections();
  server.close();
  void Promise.allSettled([keyChanges?.stop(), db.destroy()]).finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3_000).unref();
};
process.on('message', (m) => m === 'stop' && stop());
process.on('disconnect', stop);
