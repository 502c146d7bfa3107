/**
 * The database the admin CLI works on: DATABASE_URL when set, otherwise the embedded
 * PostgreSQL of `npm start` (EMBEDDED_PG_DIR, EMBEDDED_PG_PORT):
 *
 * - already running on that port (a running `npm start`, or another CLI command): used as is,
 *   after checking that it serves EMBEDDED_PG_DIR, and left running;
 * - its data folder locked by a live postmaster that is still starting on that port: waited for;
 *   locked by one listening on ANOTHER port: refused with the port to use;
 * - not running: started from the data folder for the command (initialised on the very first
 *   use) and stopped afterwards.
 *
 * PostgreSQL itself refuses a second postmaster on one data folder (postmaster.pid), so two
 * processes can never run it twice; the checks above turn that refusal into a clear message or
 * into attaching to the one that runs. Migrations run first (idempotent: knex locks its table).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import pg from 'pg';
import type { Config } from '../config.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded.ts';
import { createDatabase, migrateToLatest } from '../db/knex.ts';
import type { Logger } from '../logger.ts';
import { UsageError } from './input.ts';

/** The credentials main.ts's embedded PostgreSQL is created with (embedded.ts defaults). */
const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'postgres';
const STARTING_WAIT_MS = 20_000;

export interface AdminDatabase {
  readonly db: Knex;
  /** Where the data is, for messages: `DATABASE_URL` or the embedded folder. */
  readonly description: string;
  close(): Promise<void>;
}

/** A failure to reach the database: exit code 1 (nothing was written). */
export class DatabaseUnavailable extends Error {
  override name = 'DatabaseUnavailable';
}

export async function openAdminDatabase(config: Config, logger: Logger): Promise<AdminDatabase> {
  let embedded: EmbeddedPostgres | undefined;
  let connectionString: string;
  let description: string;
  if (config.databaseUrl !== undefined) {
    connectionString = config.databaseUrl;
    description = `DATABASE_URL (${redact(config.databaseUrl)})`;
  } else {
    const { dataDir, port } = config.embeddedPg;
    connectionString = `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
    embedded = await attachOrStart(dataDir, port, connectionString, logger);
    description = `the embedded PostgreSQL (${dataDir}, 127.0.0.1:${port}${embedded ? ', started for this command' : ', already running'})`;
  }

  const db = createDatabase({ connectionString, poolMax: 2, connectTimeoutMs: 5_000, acquireTimeoutMs: 10_000, logger });
  const close = async () => {
    await db.destroy().catch(() => undefined);
    if (embedded) await embedded.stop();
  };
  try {
    await migrateToLatest(db);
  } catch (error) {
    await close();
    if (isConnectionError(error)) {
      throw new DatabaseUnavailable(`cannot reach ${description}: ${messageOf(error)}`, { cause: error });
    }
    throw error;
  }
  return { db, description, close };
}

/** Attaches to the embedded PostgreSQL when it runs (returns undefined), else starts it. */
async function attachOrStart(dataDir: string, port: number, url: string, logger: Logger): Promise<EmbeddedPostgres | undefined> {
  const first = await probe(url);
  if (first.kind === 'up') {
    checkSameFolder(first.dataDirectory, dataDir, port);
    return undefined;
  }
  if (first.kind === 'foreign') throw foreign(port, first.error);

  const holder = postmasterOf(dataDir);
  if (holder !== null) {
    if (holder.port !== port) {
      throw new UsageError(
        `the embedded PostgreSQL of ${dataDir} is already running (pid ${holder.pid}) on port ${holder.port}, not ${port}: set EMBEDDED_PG_PORT=${holder.port}`,
      );
    }
    await waitUntilUp(url, dataDir, port);
    return undefined;
  }

  try {
    return await startEmbeddedPostgres({ dataDir, port, logger, user: EMBEDDED_USER, password: EMBEDDED_PASSWORD });
  } catch (error) {
    // Another process started it at the same moment: use theirs.
    const raced = postmasterOf(dataDir);
    if (raced !== null && raced.port === port) {
      await waitUntilUp(url, dataDir, port);
      return undefined;
    }
    throw new DatabaseUnavailable(messageOf(error), { cause: error });
  }
}

async function waitUntilUp(url: string, dataDir: string, port: number): Promise<void> {
  const deadline = Date.now() + STARTING_WAIT_MS;
  for (;;) {
    const result = await probe(url);
    if (result.kind === 'up') {
      checkSameFolder(result.dataDirectory, dataDir, port);
      return;
    }
    if (result.kind === 'foreign') throw foreign(port, result.error);
    if (Date.now() > deadline) {
      throw new DatabaseUnavailable(
        `the embedded PostgreSQL of ${dataDir} is running but did not accept connections on 127.0.0.1:${port} within ${STARTING_WAIT_MS / 1000} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

type Probe =
  | { kind: 'up'; dataDirectory: string }
  /** Nothing listens, or PostgreSQL is starting or stopping. */
  | { kind: 'down' }
  /** Something listens but is not our PostgreSQL (wrong credentials, not PostgreSQL…). */
  | { kind: 'foreign'; error: unknown };

async function probe(url: string): Promise<Probe> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
    return { kind: 'up', dataDirectory: result.rows[0]!.dir };
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 57P03: the database system is starting up / shutting down.
    if (code === 'ECONNREFUSED' || code === '57P03' || code === 'ECONNRESET') return { kind: 'down' };
    return { kind: 'foreign', error };
  } finally {
    await client.end().catch(() => undefined);
  }
}

function checkSameFolder(served: string, expected: string, port: number): void {
  if (canonical(served) !== canonical(expected)) {
    throw new UsageError(
      `the PostgreSQL on 127.0.0.1:${port} serves the data folder ${served}, not ${expected} (EMBEDDED_PG_DIR): set EMBEDDED_PG_DIR or EMBEDDED_PG_PORT to match, or DATABASE_URL`,
    );
  }
}

function foreign(port: number, error: unknown): UsageError {
  return new UsageError(
    `something on 127.0.0.1:${port} is not the embedded PostgreSQL of npm start (${messageOf(error)}): set EMBEDDED_PG_PORT to a free port, or DATABASE_URL`,
  );
}

/** The live postmaster holding the data folder (postmaster.pid: pid, folder, start time, port…), if any. */
function postmasterOf(dataDir: string): { pid: number; port: number } | null {
  const file = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  let lines: string[];
  try {
    lines = readFileSync(file, 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, owned by another user (the `postgres` user when running as root).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return null; // stale file: PostgreSQL cleans it up itself
  }
  return { pid, port };
}

function canonical(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  if (typeof code === 'string' && /^(E[A-Z]+|08...|28...|3D000|57P0.)$/.test(code)) return true;
  return error instanceof Error && /timeout|connect/i.test(error.message) && !/migration/i.test(error.message);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return (error.message || error.name) + cause;
  }
  return String(error);
}

/** A connection string without its password. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable connection string)';
  }
}
