/**
 * The knex instance: PostgreSQL through `pg`, from a connection string (DATABASE_URL or the
 * embedded server's). Migrations live in ./migrations as timestamped TypeScript files, loaded
 * by knex under tsx (`npm start` and mocha both run with `--import tsx`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger as WorkerLogger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import knexModule, { type Knex } from 'knex';
import type { Logger } from '../logger.ts';

const knexFactory = knexModule.knex;

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface DatabaseOptions {
  readonly connectionString: string;
  readonly poolMax?: number;
  /** How long a query waits for a pool connection before failing. */
  readonly acquireTimeoutMs?: number;
  /** How long connecting to PostgreSQL may take. */
  readonly connectTimeoutMs?: number;
  /** Where knex's own warnings go (instead of the console). */
  readonly logger?: Logger;
}

export function createDatabase(options: DatabaseOptions): Knex {
  return knexFactory({
    client: 'pg',
    connection: {
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      application_name: 'mojeeb-public-api',
    },
    pool: { min: 0, max: options.poolMax ?? 10 },
    acquireConnectionTimeout: options.acquireTimeoutMs ?? 10_000,
    migrations: migrationConfig(),
    log: knexLog(options.logger),
  });
}

function knexLog(logger: Logger | undefined): Knex.Config['log'] {
  const text = (message: unknown) => (message instanceof Error ? message.message : String(message));
  return {
    warn: (message: unknown) => logger?.warn('knex', { detail: text(message) }),
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
 * queue); returns the names of ours applied now (empty when up to date).
 */
export async function migrateToLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(migrationConfig())) as [number, string[]];
  const { connectionString } = db.client.config.connection as { connectionString: string };
  await runWorkerMigrations({ connectionString, logger: quietWorkerLogger });
  return applied;
}

const quietWorkerLogger = new WorkerLogger(() => () => {});
