/**
 * The knex instance: PostgreSQL through `pg`, from a connection string (DATABASE_URL or the
 * embedded server's). Migrations live in ./migrations as timestamped TypeScript files, loaded
 * by knex under tsx (`npm start` and mocha both run with `--import tsx`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger as WorkerLogger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import knexModule, { type Knex } from 'knex';
import type pg from 'pg';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { applyRepeatableSql } from './repeatable.ts';

const knexFactory = knexModule.knex;

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface DatabaseOptions {
  readonly connectionString: string;
  readonly poolMax?: number;
  /** How long a query waits for a pool connection before failing. */
  readonly acquireTimeoutMs?: number;
  /** How long connecting to PostgreSQL may take. */
  readonly connectTimeoutMs?: number;
  /**
   * PostgreSQL's `statement_timeout` on every connection of the pool (0 or absent: none). Only
   * the API's pool has one (main.ts, through `apiDatabaseTimeouts`): migrations run on a pool of
   * their own without it (`migrateToLatest`), and the admin CLI and graphile-worker's own pool
   * never set it.
   */
  readonly statementTimeoutMs?: number;
  /** PostgreSQL's `lock_timeout` on every connection of the pool (0 or absent: none). */
  readonly lockTimeoutMs?: number;
  /**
   * PostgreSQL's `idle_in_transaction_session_timeout` (0 or absent: none): a session left in an
   * open transaction (its process frozen, or cut off) is ended, so the row locks it holds do not
   * block the other processes for good.
   */
  readonly idleInTransactionTimeoutMs?: number;
  /** Where knex's own warnings go (instead of the console). */
  readonly logger?: Logger;
}

/** The timeouts of the API's pool, from the configuration (DB_*_TIMEOUT_MS). */
export function apiDatabaseTimeouts(
  config: Pick<Config, 'dbStatementTimeoutMs' | 'dbLockTimeoutMs' | 'dbAcquireTimeoutMs' | 'dbIdleInTransactionTimeoutMs'>,
): Pick<DatabaseOptions, 'statementTimeoutMs' | 'lockTimeoutMs' | 'acquireTimeoutMs' | 'idleInTransactionTimeoutMs'> {
  return {
    statementTimeoutMs: config.dbStatementTimeoutMs,
    lockTimeoutMs: config.dbLockTimeoutMs,
    acquireTimeoutMs: config.dbAcquireTimeoutMs,
    idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
  };
}

/** The pools created with a statement or lock timeout, with their options (migrations avoid them). */
const timedPools = new WeakMap<Knex, DatabaseOptions>();

export function createDatabase(options: DatabaseOptions): Knex {
  const settings = sessionSettings(options);
  const db = knexFactory({
    client: 'pg',
    connection: {
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      application_name: 'mojeeb-public-api',
    },
    pool: {
      min: 0,
      max: options.poolMax ?? 10,
      // Set once per new connection, before knex hands it out (one round trip per connection;
      // with a pooler, this needs session pooling, as the prepared statements do).
      ...(settings === null
        ? {}
        : {
            afterCreate: (connection: pg.Client, done: (error: Error | null, connection: pg.Client) => void) => {
              connection.query(settings).then(
                () => done(null, connection),
                (error: Error) => done(error, connection),
              );
            },
          }),
    },
    acquireConnectionTimeout: options.acquireTimeoutMs ?? 10_000,
    migrations: migrationConfig(),
    log: knexLog(options.logger),
  });
  if (settings !== null) timedPools.set(db, options);
  return db;
}

function sessionSettings(options: DatabaseOptions): string | null {
  const parts: string[] = [];
  const ms = (value: number) => `'${Math.trunc(value)}ms'`;
  if (options.statementTimeoutMs) parts.push(`SET statement_timeout = ${ms(options.statementTimeoutMs)}`);
  if (options.lockTimeoutMs) parts.push(`SET lock_timeout = ${ms(options.lockTimeoutMs)}`);
  if (options.idleInTransactionTimeoutMs) parts.push(`SET idle_in_transaction_session_timeout = ${ms(options.idleInTransactionTimeoutMs)}`);
  return parts.length === 0 ? null : parts.join('; ');
}

/**
 * knex's own messages, first line only (some embed a stack). A pool that cannot hand out a
 * connection in time warns once per waiting query: the failed request's line already says so
 * (`db_failure: pool_timeout`, http/error-handler.ts), so those go to debug.
 */
function knexLog(logger: Logger | undefined): Knex.Config['log'] {
  const text = (message: unknown) => (message instanceof Error ? message.message : String(message)).split('\n')[0]!;
  return {
    warn: (message: unknown) => {
      const detail = text(message);
      if (/^Acquire connection error|^Connection Error|timed out/i.test(detail)) logger?.debug('knex', { detail });
      else logger?.warn('knex', { detail });
    },
    error: (message: unknown) => logger?.error('knex', { detail: text(message) }),
    deprecate: (method: string, alternative: string) => logger?.warn('knex deprecation', { method, alternative }),
    debug: (message: unknown) => logger?.debug('knex', { detail: text(message) }),
  };
}

export function migrationConfig(): Knex.MigratorConfig {
  return {
    directory: MIGRATIONS_DIR,
    loadExtensions: ['.ts'],
    tableName: 'knex_migrations',
    // Each migration runs in its own transaction: a failing one leaves the ones before it applied.
    disableMigrationsListValidation: false,
  };
}

/**
 * Applies every pending migration (ours, then graphile-worker's own schema for the delivery
 * queue), then the repeatable SQL files whose checksum changed (the functions of the service's
 * rules, db/repeatable.ts); returns the names of our migrations applied now (empty when up to date).
 */
export async function migrateToLatest(db: Knex): Promise<string[]> {
  const { connectionString } = db.client.config.connection as { connectionString: string };
  // A pool with statement or lock timeouts would cut a long migration: ours run on a pool
  // without them (graphile-worker's use a connection of their own, never timed).
  const timed = timedPools.get(db);
  const migrator = timed
    ? createDatabase({ connectionString, poolMax: 2, connectTimeoutMs: timed.connectTimeoutMs, logger: timed.logger })
    : db;
  try {
    const [, applied] = (await migrator.migrate.latest(migrationConfig())) as [number, string[]];
    await runWorkerMigrations({ connectionString, logger: quietWorkerLogger });
    await applyRepeatableSql(migrator);
    return applied;
  } finally {
    if (migrator !== db) await migrator.destroy();
  }
}

const quietWorkerLogger = new WorkerLogger(() => () => {});
