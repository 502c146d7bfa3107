/**
 * The shared test environment, set up once by the root hooks (hooks.ts): a fresh database on
 * the run's PostgreSQL, migrated, and the production app listening on 127.0.0.1:0, reached over
 * real HTTP through the contract client (the production server: http/server.ts, default limits). Tests that need another app (a test-only handler map,
 * a database that is down) start their own with `startServer` and close it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { createApp } from '../../server/src/app.ts';
import type { KeyCache } from '../../server/src/domain/api-keys/key-cache.ts';
import { loadConfig, type Config } from '../../server/src/config.ts';
import { createDatabase } from '../../server/src/db/knex.ts';
import { loadSpec, type LoadedSpec } from '../../server/src/core/openapi.ts';
import { listen } from '../../server/src/http/server.ts';
import { createLogger, silentLogger, type Logger } from '../../server/src/logger.ts';
import type { Implementations, WorkerProbe } from '../../server/src/operations/context.ts';
import { implementations } from '../../server/src/operations/index.ts';
import { ContractClient, SPEC_PATH } from './contract.ts';
import type { ContractFixture } from './fixtures.ts';
import type { FreshDatabase, TestPostgres } from './postgres.ts';

/** Log lines captured from an app, parsed. */
export class LogCapture {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  readonly logger: Logger = createLogger({
    level: 'debug',
    write: (line) => {
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
      if (process.env.TEST_LOG_LEVEL === 'debug') process.stdout.write(`${line}\n`);
    },
  });

  withCorrelationId(id: string): Array<Record<string, unknown>> {
    return this.lines.filter((l) => l.correlation_id === id);
  }
}

export interface TestServer {
  readonly baseUrl: string;
  /** Sends the run's fixture key (when the server was started with one). */
  readonly api: ContractClient;
  /** Sends no key. */
  readonly anonymous: ContractClient;
  readonly logs: LogCapture;
  close(): Promise<void>;
}

let loadedSpec: LoadedSpec | undefined;
export function spec(): LoadedSpec {
  loadedSpec ??= loadSpec(SPEC_PATH);
  return loadedSpec;
}

export interface StartServerOptions {
  readonly db: Knex;
  readonly handlers?: Implementations;
  readonly readinessTimeoutMs?: number;
  /** The key `api` sends; defaults to the run's fixture key once the environment is set up. */
  readonly apiKey?: string;
  /** Meta's webhook endpoint is mounted when both are given. */
  readonly metaAppSecret?: string;
  readonly metaVerifyToken?: string;
  /** TRUST_PROXY, METRICS_TOKEN and METRICS_PORT as the app sees them. */
  readonly config?: Partial<Pick<Config, 'trustProxy' | 'metricsToken' | 'metricsPort'>>;
  /** A delivery worker for `/readyz` to report (none by default, as with WORKER=false). */
  readonly worker?: WorkerProbe;
  /** The process's key cache (none by default: every request looks its key up). */
  readonly keyCache?: KeyCache;
}

export async function startServer(options: StartServerOptions): Promise<TestServer> {
  const logs = new LogCapture();
  const app = createApp({
    spec: spec(),
    handlers: options.handlers ?? implementations,
    db: options.db,
    config: {
      readinessTimeoutMs: options.readinessTimeoutMs ?? 1_000,
      metaAppSecret: options.metaAppSecret,
      metaVerifyToken: options.metaVerifyToken,
      ...options.config,
    },
    logger: logs.logger,
    ...(options.worker ? { worker: options.worker } : {}),
    ...(options.keyCache ? { keyCache: options.keyCache } : {}),
  });
  const server: Server = listen(app, { ...loadConfig({}), port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    api: new ContractClient(baseUrl, undefined, options.apiKey ?? environment?.fixture.apiKey),
    anonymous: new ContractClient(baseUrl),
    logs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A knex instance for a PostgreSQL that is not there (nothing listens on `port`). */
export function unreachableDatabase(port: number): Knex {
  return createDatabase({
    connectionString: `postgres://nobody:nothing@127.0.0.1:${port}/none`,
    poolMax: 1,
    acquireTimeoutMs: 1_000,
    connectTimeoutMs: 500,
    logger: silentLogger, // its connection errors are the point
  });
}

interface Environment {
  readonly fixture: ContractFixture;
  readonly postgres: TestPostgres;
  readonly database: FreshDatabase;
  readonly db: Knex;
  readonly server: TestServer;
}

let environment: Environment | undefined;

export function setEnvironment(value: Environment | undefined): void {
  environment = value;
}

function current(): Environment {
  if (environment === undefined) throw new Error('the test environment is not set up (root hooks did not run?)');
  return environment;
}

/** The shared environment of this run. */
export const harness = {
  get api(): ContractClient {
    return current().server.api;
  },
  get server(): TestServer {
    return current().server;
  },
  get db(): Knex {
    return current().db;
  },
  get postgres(): TestPostgres {
    return current().postgres;
  },
  get database(): FreshDatabase {
    return current().database;
  },
  /** The organization, agent, number and key seeded for this run. */
  get fixture(): ContractFixture {
    return current().fixture;
  },
};
