/**
 * The server's configuration, read once from the environment. Every variable the server reads is
 * listed here, with its default; nothing else in the code reads `process.env`.
 *
 * | variable           | default            | meaning                                                        |
 * |--------------------|--------------------|----------------------------------------------------------------|
 * | `PORT`             | `3000`             | HTTP port to listen on (`0` picks a free port)                 |
 * | `HOST`             | `127.0.0.1`        | interface to listen on (`0.0.0.0` in a container)              |
 * | `DATABASE_URL`     | unset              | PostgreSQL connection string; unset starts an embedded one     |
 * | `EMBEDDED_PG_DIR`  | `.data/postgres`   | data folder of the embedded PostgreSQL (relative to the repo)  |
 * | `EMBEDDED_PG_PORT` | `54329`            | loopback port of the embedded PostgreSQL                       |
 * | `DB_POOL_MAX`      | `10`               | maximum connections in the knex pool                           |
 * | `DB_STATEMENT_TIMEOUT_MS` | `5000`      | longest statement of the API's connections (PostgreSQL `statement_timeout`); `0`: none |
 * | `DB_LOCK_TIMEOUT_MS` | `2000`           | longest wait for a lock on the API's connections (`lock_timeout`); `0`: none |
 * | `DB_IDLE_IN_TRANSACTION_TIMEOUT_MS` | `15000` | a session idle inside a transaction this long is ended (its locks released): a frozen process cannot block the others; `0`: none |
 * | `DB_ACQUIRE_TIMEOUT_MS` | `2000`        | longest wait for a pool connection (connecting included)       |
 * | `READINESS_TIMEOUT_MS` | `1000`         | how long `/readyz` waits for `select 1` before answering 503   |
 * | `SHUTDOWN_TIMEOUT_MS`  | `10000`        | how long a graceful shutdown waits for open requests           |
 * | `HTTP_HEADERS_TIMEOUT_MS` | `10000`     | how long a client may take to send a request's headers (then 408 and close) |
 * | `HTTP_REQUEST_TIMEOUT_MS` | `30000`     | how long a client may take to send a whole request, body included (then 408 and close) |
 * | `HTTP_KEEP_ALIVE_TIMEOUT_MS` | `5000`   | how long an idle keep-alive connection stays open (above a load balancer's idle timeout behind one) |
 * | `HTTP_MAX_CONNECTIONS` | `1000`         | open client connections at most; further ones are closed at once |
 * | `LOG_LEVEL`        | `info`             | `debug`, `info`, `warn`, `error` or `silent`; JSON lines on stdout |
 * | `OPENAPI_PATH`     | `openapi.yaml`     | the contract served and validated against (relative to the repo) |
 * | `ENCRYPTION_KEY`   | see below          | base64 of 32 random bytes: the key that encrypts Meta access tokens |
 * | `SEED_DEMO`        | see below          | `true`/`false`: create the demo data on the first start        |
 * | `META_GRAPH_BASE_URL` | `https://graph.facebook.com` | base URL of Meta's Graph API (a fake Meta in tests and benchmarks) |
 * | `META_GRAPH_VERSION`  | `v23.0`         | Graph API version of the WhatsApp Cloud API calls              |
 * | `META_APP_SECRET`  | unset              | the Meta app secret that signs webhooks (X-Hub-Signature-256)  |
 * | `META_VERIFY_TOKEN` | unset             | the token Meta echoes when subscribing the webhook             |
 * | `META_TIMEOUT_MS`  | `10000`            | how long a call to Meta may take                               |
 * | `WORKER`           | `true`             | run the delivery worker inside the server process              |
 * | `WORKER_CONCURRENCY` | `64`             | deliveries in flight per worker process (each mostly waits for Meta) |
 * | `WORKER_RESTART_MAX_MS` | `30000`       | longest wait between restarts of a stopped delivery worker (1 s, 2 s, 4 s … up to this) |
 * | `READINESS_WORKER_GRACE_MS` | `30000`   | how long the in-process worker may be restarting before `/readyz` answers 503 |
 * | `SANDBOX_STEP_MS`  | `1000`             | the sandbox's delay between sent, delivered and read           |
 * | `DELIVERY_RECONCILE_AFTER_MS` | `600000` | how long a send with an unknown outcome waits for WhatsApp's confirmation before failing as `expired` |
 * | `TRUST_PROXY`      | `false`            | `true` (one proxy) or the number of proxies in front: client IP from `X-Forwarded-For`, Koa's `app.proxy` |
 * | `METRICS_TOKEN`    | unset              | when set, `/metrics` needs `Authorization: Bearer <token>` (compared in constant time) |
 * | `METRICS_PORT`     | unset              | serve `/metrics` on this port only (not on `PORT`); `0` picks a free one |
 * | `METRICS_HOST`     | `127.0.0.1`        | interface of `METRICS_PORT` (loopback unless set)              |
 * | `KEY_CACHE_MAX_AGE_MS` | `5000`         | how long an authenticated key is kept in memory at most; `0`: no cache |
 * | `KEY_CACHE_NOTIFICATIONS` | `true`      | listen to key change notifications; `false` (a pooler that cannot LISTEN): a change holds only after `KEY_CACHE_MAX_AGE_MS` |
 * | `MESSAGE_RETENTION_DAYS` | `365`        | messages (with their status events), inbound messages and empty conversations with no activity for this many days are deleted; `0`: kept for ever |
 * | `EVENT_RETENTION_DAYS` | `30`           | webhook events (with their deliveries and attempts) older than this many days are deleted; `0`: kept for ever |
 * | `RETENTION_BATCH_SIZE` | `500`          | rows deleted per statement (each its own short transaction) |
 * | `RETENTION_BATCH_PAUSE_MS` | `100`      | pause between two batches of a retention round             |
 * | `RETENTION_ROUND_MAX_MS` | `10000`      | a retention round starts no batch after this long (rounds run every minute) |
 * | `RETENTION_ROUND_MAX_ROWS` | `50000`    | rows a retention round deletes at most from each table      |
 *
 * Retention (domain/retention.ts, docs/operating.md "Data retention"): never a message that is
 * not `delivered`, `read` or `failed` or whose delivery job is still queued or running, nor an
 * event with a delivery still pending.
 *
 * The database timeouts apply to the API's own connections (requests, and the delivery worker
 * when it runs in the server process), not to migrations, the admin CLI or graphile-worker's
 * queue connections. A request stalled on the database (a statement cancelled by
 * `statement_timeout`, a lock wait cut by `lock_timeout`, no pool connection within
 * `DB_ACQUIRE_TIMEOUT_MS`) answers 503 `service_unavailable` with `Retry-After` and wrote nothing.
 * `HTTP_HEADERS_TIMEOUT_MS` must not exceed `HTTP_REQUEST_TIMEOUT_MS`.
 *
 * The webhook endpoint `/webhooks/whatsapp` exists only when both `META_APP_SECRET` and
 * `META_VERIFY_TOKEN` are set.
 *
 * `ENCRYPTION_KEY` (generate one with `openssl rand -base64 32`) is the AES-256-GCM key of
 * domain/secrets.ts; anything but the base64 of exactly 32 bytes is refused. When unset and the
 * embedded PostgreSQL is used, a key is generated once and kept in `encryption.key` beside the
 * data folder (`.data/encryption.key`, mode 0600), so local development needs no setup. When
 * unset with `DATABASE_URL`, storing an access token fails with a message naming the variable;
 * everything else works. Changing the key makes the tokens already stored unreadable.
 *
 * `TRUST_PROXY`: off, the access log's `client_ip` is the socket's peer and `X-Forwarded-*` is
 * ignored (a client could write anything there). On (`true` = 1, or N proxies), Koa trusts
 * `X-Forwarded-For`/`-Proto`/`-Host`, and the client IP is the leftmost of the last N entries of
 * `X-Forwarded-For`: the address the outermost trusted proxy saw. Turn it on only behind a proxy
 * that sets (or appends to) that header, and that cannot be bypassed.
 *
 * `/metrics` is served on `PORT` to anyone who can reach it unless `METRICS_TOKEN` or
 * `METRICS_PORT` is set. With `METRICS_PORT`, the API port answers 404 for `/metrics`; both may
 * be combined.
 *
 * `SEED_DEMO`: when on and the database has no organization, the first start creates a demo
 * organization, agent, sandbox number and test key, and prints the key once with a curl
 * (domain/demo.ts); it happens once per database. Default: `true` with the embedded PostgreSQL,
 * `false` with `DATABASE_URL`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeEncryptionKey } from './domain/secrets.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** `undefined` means: start the embedded PostgreSQL. */
  readonly databaseUrl: string | undefined;
  readonly embeddedPg: { readonly dataDir: string; readonly port: number };
  readonly dbPoolMax: number;
  /** 0: no statement timeout. */
  readonly dbStatementTimeoutMs: number;
  /** 0: no lock timeout. */
  readonly dbLockTimeoutMs: number;
  readonly dbIdleInTransactionTimeoutMs: number;
  readonly dbAcquireTimeoutMs: number;
  readonly readinessTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly httpHeadersTimeoutMs: number;
  readonly httpRequestTimeoutMs: number;
  readonly httpKeepAliveTimeoutMs: number;
  readonly httpMaxConnections: number;
  readonly logLevel: LogLevel;
  readonly openapiPath: string;
  /** The 32-byte key of ENCRYPTION_KEY; `undefined` when unset (see `encryptionKeyFile`). */
  readonly encryptionKey: Buffer | undefined;
  /**
   * Where the generated key is kept when ENCRYPTION_KEY is unset and the embedded PostgreSQL is
   * used: `encryption.key` beside the data folder. `undefined` with DATABASE_URL (no fallback).
   */
  readonly encryptionKeyFile: string | undefined;
  /** Whether the first start on a database without organizations creates the demo data. */
  readonly seedDemo: boolean;
  readonly metaGraphBaseUrl: string;
  readonly metaGraphVersion: string;
  readonly metaAppSecret: string | undefined;
  readonly metaVerifyToken: string | undefined;
  readonly metaTimeoutMs: number;
  readonly worker: boolean;
  readonly workerConcurrency: number;
  readonly workerRestartMaxMs: number;
  readonly readinessWorkerGraceMs: number;
  readonly sandboxStepMs: number;
  readonly reconcileAfterMs: number;
  /** Proxies in front whose X-Forwarded-For is trusted; 0: none (the socket's address). */
  readonly trustProxy: number;
  readonly metricsToken: string | undefined;
  /** `undefined`: /metrics is served on the API's port. */
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
  /** KEY_CACHE_MAX_AGE_MS: the staleness bound of the key cache when a notification is lost (0: no cache). */
  readonly keyCacheMaxAgeMs: number;
  /** KEY_CACHE_NOTIFICATIONS: whether this process LISTENs for key changes (false: entries live out their maximum age). */
  readonly keyCacheNotifications: boolean;
  readonly retention: RetentionSettings;
}

/** The data retention policy and the bounds of its rounds (domain/retention.ts). */
export interface RetentionSettings {
  /** 0: messages, inbound messages and conversations are kept for ever. */
  readonly messageDays: number;
  /** 0: events are kept for ever. */
  readonly eventDays: number;
  readonly batchSize: number;
  readonly batchPauseMs: number;
  readonly roundMaxMs: number;
  readonly roundMaxRows: number;
}

/** The repository root (this file lives in server/src). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function nonEmpty(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function booleanFlag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  const value = raw.toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(`${name} must be 'true' or 'false', got '${raw}'`);
}

/** ENCRYPTION_KEY: standard base64 (padding optional) of exactly 32 bytes. */
function encryptionKey(env: NodeJS.ProcessEnv): Buffer | undefined {
  const raw = nonEmpty(env, 'ENCRYPTION_KEY');
  if (raw === undefined) return undefined;
  const key = decodeEncryptionKey(raw);
  if (key === null) {
    throw new ConfigError(
      `ENCRYPTION_KEY must be the base64 encoding of exactly 32 bytes (44 characters; generate one with: openssl rand -base64 32); ` +
        `the value set (${raw.length} characters, not shown) is not`,
    );
  }
  return key;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = (nonEmpty(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  }
  const databaseUrl = nonEmpty(env, 'DATABASE_URL');
  const dataDir = path.resolve(repoRoot, nonEmpty(env, 'EMBEDDED_PG_DIR') ?? '.data/postgres');
  const httpHeadersTimeoutMs = integer(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const httpRequestTimeoutMs = integer(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  if (httpHeadersTimeoutMs > httpRequestTimeoutMs) {
    throw new ConfigError(
      `HTTP_HEADERS_TIMEOUT_MS (${httpHeadersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${httpRequestTimeoutMs})`,
    );
  }
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: nonEmpty(env, 'HOST') ?? '127.0.0.1',
    databaseUrl,
    embeddedPg: {
      dataDir,
      port: integer(env, 'EMBEDDED_PG_PORT', 54329, 1, 65535),
    },
    dbPoolMax: integer(env, 'DB_POOL_MAX', 10, 1, 1000),
    dbStatementTimeoutMs: integer(env, 'DB_STATEMENT_TIMEOUT_MS', 5_000, 0, 3_600_000),
    dbLockTimeoutMs: integer(env, 'DB_LOCK_TIMEOUT_MS', 2_000, 0, 3_600_000),
    dbIdleInTransactionTimeoutMs: integer(env, 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 15_000, 0, 3_600_000),
    dbAcquireTimeoutMs: integer(env, 'DB_ACQUIRE_TIMEOUT_MS', 2_000, 100, 600_000),
    readinessTimeoutMs: integer(env, 'READINESS_TIMEOUT_MS', 1000, 50, 60_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    httpHeadersTimeoutMs,
    httpRequestTimeoutMs,
    httpKeepAliveTimeoutMs: integer(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 0, 600_000),
    httpMaxConnections: integer(env, 'HTTP_MAX_CONNECTIONS', 1_000, 1, 1_000_000),
    logLevel: logLevel as LogLevel,
    openapiPath: path.resolve(repoRoot, nonEmpty(env, 'OPENAPI_PATH') ?? 'openapi.yaml'),
    encryptionKey: encryptionKey(env),
    encryptionKeyFile: databaseUrl === undefined ? path.join(path.dirname(dataDir), 'encryption.key') : undefined,
    seedDemo: booleanFlag(env, 'SEED_DEMO') ?? databaseUrl === undefined,
    metaGraphBaseUrl: nonEmpty(env, 'META_GRAPH_BASE_URL') ?? 'https://graph.facebook.com',
    metaGraphVersion: graphVersion(env),
    metaAppSecret: nonEmpty(env, 'META_APP_SECRET'),
    metaVerifyToken: nonEmpty(env, 'META_VERIFY_TOKEN'),
    metaTimeoutMs: integer(env, 'META_TIMEOUT_MS', 10_000, 100, 120_000),
    worker: booleanFlag(env, 'WORKER') ?? true,
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 64, 1, 512),
    workerRestartMaxMs: integer(env, 'WORKER_RESTART_MAX_MS', 30_000, 100, 600_000),
    readinessWorkerGraceMs: integer(env, 'READINESS_WORKER_GRACE_MS', 30_000, 0, 3_600_000),
    sandboxStepMs: integer(env, 'SANDBOX_STEP_MS', 1000, 0, 600_000),
    reconcileAfterMs: integer(env, 'DELIVERY_RECONCILE_AFTER_MS', 600_000, 1_000, 86_400_000),
    trustProxy: trustProxy(env),
    metricsToken: metricsToken(env),
    metricsPort: nonEmpty(env, 'METRICS_PORT') === undefined ? undefined : integer(env, 'METRICS_PORT', 0, 0, 65535),
    metricsHost: nonEmpty(env, 'METRICS_HOST') ?? '127.0.0.1',
    keyCacheMaxAgeMs: integer(env, 'KEY_CACHE_MAX_AGE_MS', 5_000, 0, 60_000),
    keyCacheNotifications: booleanFlag(env, 'KEY_CACHE_NOTIFICATIONS') ?? true,
    retention: retentionSettings(env),
  };
}

function retentionSettings(env: NodeJS.ProcessEnv): RetentionSettings {
  const batchSize = integer(env, 'RETENTION_BATCH_SIZE', 500, 1, 10_000);
  const roundMaxRows = integer(env, 'RETENTION_ROUND_MAX_ROWS', 50_000, 1, 10_000_000);
  if (batchSize > roundMaxRows) {
    throw new ConfigError(`RETENTION_BATCH_SIZE (${batchSize}) must not exceed RETENTION_ROUND_MAX_ROWS (${roundMaxRows})`);
  }
  return {
    messageDays: integer(env, 'MESSAGE_RETENTION_DAYS', 365, 0, 36_500),
    eventDays: integer(env, 'EVENT_RETENTION_DAYS', 30, 0, 36_500),
    batchSize,
    batchPauseMs: integer(env, 'RETENTION_BATCH_PAUSE_MS', 100, 0, 60_000),
    roundMaxMs: integer(env, 'RETENTION_ROUND_MAX_MS', 10_000, 100, 600_000),
    roundMaxRows,
  };
}

/** TRUST_PROXY: false (0), true (1), or a number of proxies. */
function trustProxy(env: NodeJS.ProcessEnv): number {
  const raw = nonEmpty(env, 'TRUST_PROXY');
  if (raw === undefined) return 0;
  const value = raw.toLowerCase();
  if (value === 'false') return 0;
  if (value === 'true') return 1;
  const hops = Number(raw);
  if (!Number.isInteger(hops) || hops < 0 || hops > 10) {
    throw new ConfigError(`TRUST_PROXY must be 'true', 'false' or the number of proxies in front (0 to 10), got '${raw}'`);
  }
  return hops;
}

function metricsToken(env: NodeJS.ProcessEnv): string | undefined {
  const raw = nonEmpty(env, 'METRICS_TOKEN');
  if (raw === undefined) return undefined;
  if (raw.length < 16 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new ConfigError(
      `METRICS_TOKEN must be at least 16 printable characters without spaces (the value set, ${raw.length} characters, is not shown)`,
    );
  }
  return raw;
}

function graphVersion(env: NodeJS.ProcessEnv): string {
  const value = nonEmpty(env, 'META_GRAPH_VERSION') ?? 'v23.0';
  if (!/^v\d{1,3}\.\d$/.test(value)) throw new ConfigError(`META_GRAPH_VERSION must look like v23.0, got '${value}'`);
  return value;
}
