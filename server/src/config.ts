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
 * | `READINESS_TIMEOUT_MS` | `1000`         | how long `/readyz` waits for `select 1` before answering 503   |
 * | `SHUTDOWN_TIMEOUT_MS`  | `10000`        | how long a graceful shutdown waits for open requests           |
 * | `LOG_LEVEL`        | `info`             | `debug`, `info`, `warn`, `error` or `silent`; JSON lines on stdout |
 * | `OPENAPI_PATH`     | `openapi.yaml`     | the contract served and validated against (relative to the repo) |
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** `undefined` means: start the embedded PostgreSQL. */
  readonly databaseUrl: string | undefined;
  readonly embeddedPg: { readonly dataDir: string; readonly port: number };
  readonly dbPoolMax: number;
  readonly readinessTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly logLevel: LogLevel;
  readonly openapiPath: string;
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = (nonEmpty(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  }
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: nonEmpty(env, 'HOST') ?? '127.0.0.1',
    databaseUrl: nonEmpty(env, 'DATABASE_URL'),
    embeddedPg: {
      dataDir: path.resolve(repoRoot, nonEmpty(env, 'EMBEDDED_PG_DIR') ?? '.data/postgres'),
      port: integer(env, 'EMBEDDED_PG_PORT', 54329, 1, 65535),
    },
    dbPoolMax: integer(env, 'DB_POOL_MAX', 10, 1, 1000),
    readinessTimeoutMs: integer(env, 'READINESS_TIMEOUT_MS', 1000, 50, 60_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    logLevel: logLevel as LogLevel,
    openapiPath: path.resolve(repoRoot, nonEmpty(env, 'OPENAPI_PATH') ?? 'openapi.yaml'),
  };
}
