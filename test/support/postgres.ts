/**
 * One PostgreSQL per test run: the embedded one (a temporary data folder, a free loopback port)
 * by default, or the server at DATABASE_URL when set. Tests never use a database they did not
 * create: `createFreshDatabase` makes a uniquely named one and its `drop` removes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ulid } from 'ulid';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../server/src/db/embedded.ts';
import { createLogger } from '../../server/src/logger.ts';

export interface TestPostgres {
  /** `embedded` or `DATABASE_URL` */
  readonly kind: string;
  /** A connection string to the server's maintenance database (for CREATE/DROP DATABASE). */
  readonly adminUrl: string;
  stop(): Promise<void>;
}

export interface FreshDatabase {
  readonly name: string;
  readonly connectionString: string;
  drop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.DATABASE_URL?.trim();
  if (external) {
    return { kind: 'DATABASE_URL', adminUrl: external, stop: async () => {} };
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mojeeb-test-pg-'));
  const port = await freePort();
  let embedded: EmbeddedPostgres | undefined;
  try {
    embedded = await startEmbeddedPostgres({
      dataDir,
      port,
      logger: createLogger({ level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'warn' }),
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const running = embedded;
  return {
    kind: `embedded (127.0.0.1:${port}, ${dataDir})`,
    adminUrl: running.connectionString('postgres'),
    async stop() {
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function createFreshDatabase(adminUrl: string, purpose = 'test'): Promise<FreshDatabase> {
  const name = `mojeeb_${purpose}_${ulid().toLowerCase()}`;
  await admin(adminUrl, async (client) => {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    connectionString: url.toString(),
    async drop() {
      await admin(adminUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      });
    },
  };
}

async function admin(connectionString: string, work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
