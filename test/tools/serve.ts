/**
 * The live server the third-party contract tools (Schemathesis, Prism, newman) run against.
 *
 *   node --import tsx test/tools/serve.ts
 *
 * Starts PostgreSQL the way the test harness does (embedded, in a temporary folder on a free
 * loopback port; or a fresh, uniquely named database on DATABASE_URL when that is set),
 * migrates it, seeds it with `seedToolsFixture` (test/support/tools-fixture.ts: the API key,
 * the agent/numbers, a webhook endpoint, an event and a conversation a live run uses), starts the PRODUCTION app (`createApp` with the
 * production `implementations`) on 127.0.0.1 and a free port, and prints ONE JSON line on
 * stdout:
 *
 *   {"baseUrl":"http://127.0.0.1:40123","apiKey":"mk_test_…","agentId":"…","from":"+…","to":"+…",
 *    "webhookEndpointId":"…","webhookUrl":"http://127.0.0.1:9/…","eventId":"evt_…","conversationId":"…"}
 *
 * Everything else (logs) goes to stderr. It serves until SIGTERM or SIGINT, then closes the
 * app, drops the database it created and stops the embedded PostgreSQL. `run-tool.mjs` starts
 * it, reads the line, runs one tool and stops it.
 *
 * Environment:
 *   DATABASE_URL         use this PostgreSQL (a fresh database is created in it and dropped)
 *   TOOLS_PORT           listen on this port instead of a free one
 *   LOG_LEVEL            app log level on stderr (default `warn`)
 *   SERVE_EXIT_ON_STDIN_EOF=1  also shut down when stdin closes (set by run-tool.mjs, so the
 *                        server never outlives a runner that was killed)
 *   PLANT_BUG            TEST-ONLY seam, see plantBug() below; never set it outside the
 *                        planted-bug tests in test/tools/planted/.
 */
import type { Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Knex } from 'knex';
import { createApp } from '../../server/src/app.ts';
import { repoRoot, type LogLevel } from '../../server/src/config.ts';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import type { AppState } from '../../server/src/http/context.ts';
import { loadSpec } from '../../server/src/core/openapi.ts';
import { createLogger, errorFields } from '../../server/src/logger.ts';
import { implementations } from '../../server/src/operations/index.ts';
import { seedToolsFixture } from '../support/tools-fixture.ts';
import { createFreshDatabase, startTestPostgres, type FreshDatabase, type TestPostgres } from '../support/postgres.ts';

/** The bugs a planted-bug test can ask for (PLANT_BUG); each one breaks the contract on purpose. */
export const PLANTABLE_BUGS = ['wrong-field-type', 'undocumented-status'] as const;
export type PlantableBug = (typeof PLANTABLE_BUGS)[number];

/**
 * TEST-ONLY SEAM. A Koa middleware put in front of the production chain that rewrites
 * responses so that they break the contract, for the planted-bug tests that prove each tool
 * notices. It lives here, in test/tools, and nowhere in server/src.
 *
 * - `wrong-field-type`: in every JSON object response, a string field becomes a number:
 *   `error.message` in error envelopes, `status` in the others (health, readiness, messages).
 * - `undocumented-status`: every response under /v1/whatsapp/ answers 418, a status no
 *   operation documents.
 */
function plantBug(bug: PlantableBug): Koa.Middleware<AppState> {
  return async (ctx, next) => {
    await next();
    if (bug === 'undocumented-status') {
      if (ctx.path.startsWith('/v1/whatsapp/')) ctx.status = 418;
      return;
    }
    let body: unknown = ctx.body;
    let wasString = false;
    if (typeof body === 'string' && ctx.response.is('json')) {
      try {
        body = JSON.parse(body);
        wasString = true;
      } catch {
        return;
      }
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) return;
    const object = body as Record<string, unknown>;
    const error = object.error as Record<string, unknown> | undefined;
    if (error && typeof error === 'object' && typeof error.message === 'string') {
      error.message = 12345;
    } else if (typeof object.status === 'string') {
      object.status = 12345;
    } else {
      return;
    }
    const type = ctx.type;
    ctx.body = wasString ? JSON.stringify(object) : object;
    ctx.type = type;
  };
}

function plantedBugFromEnv(): PlantableBug | undefined {
  const value = process.env.PLANT_BUG?.trim();
  if (!value) return undefined;
  if (!(PLANTABLE_BUGS as readonly string[]).includes(value)) {
    throw new Error(`PLANT_BUG=${value} is not one of ${PLANTABLE_BUGS.join(', ')}`);
  }
  return value as PlantableBug;
}

const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const requestedLevel = process.env.LOG_LEVEL as LogLevel | undefined;
const logger = createLogger({
  level: requestedLevel && logLevels.includes(requestedLevel) ? requestedLevel : 'warn',
  write: (line) => process.stderr.write(`${line}\n`),
});

let postgres: TestPostgres | undefined;
let database: FreshDatabase | undefined;
let db: Knex | undefined;
let server: Server | undefined;
let stopping: Promise<void> | undefined;

async function stop(reason: string): Promise<void> {
  stopping ??= (async () => {
    process.stderr.write(`serve: stopping (${reason})\n`);
    const steps: Array<[string, (() => Promise<unknown>) | undefined]> = [
      [
        'close the app',
        server
          ? () =>
              new Promise<void>((resolve) => {
                server!.close(() => resolve());
                server!.closeAllConnections();
              })
          : undefined,
      ],
      ['close the pool', db ? () => db!.destroy() : undefined],
      ['drop the database', database?.drop],
      ['stop PostgreSQL', postgres?.stop],
    ];
    let failed = false;
    for (const [what, step] of steps) {
      if (!step) continue;
      try {
        await step();
      } catch (error) {
        failed = true;
        process.stderr.write(`serve: ${what} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    process.exitCode = failed ? 1 : (process.exitCode ?? 0);
  })();
  return stopping;
}

async function main(): Promise<void> {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      void stop(signal).then(() => process.exit());
    });
  }
  if (process.env.SERVE_EXIT_ON_STDIN_EOF === '1') {
    process.stdin.on('end', () => void stop('stdin closed').then(() => process.exit()));
    process.stdin.on('error', () => void stop('stdin error').then(() => process.exit()));
    process.stdin.resume();
  }

  const bug = plantedBugFromEnv();
  const spec = loadSpec(path.join(repoRoot, 'openapi.yaml'));
  postgres = await startTestPostgres();
  database = await createFreshDatabase(postgres.adminUrl, 'tools');
  db = createDatabase({ connectionString: database.connectionString, poolMax: 10, logger });
  await migrateToLatest(db);
  const fixture = await seedToolsFixture(db);

  const app = createApp({ spec, handlers: implementations, db, config: { readinessTimeoutMs: 2_000 }, logger });
  if (bug) {
    // Outermost, so it sees (and rewrites) every response the production chain produced.
    app.middleware.unshift(plantBug(bug));
    process.stderr.write(`serve: PLANT_BUG=${bug} — this server breaks the contract on purpose\n`);
  }
  const port = Number(process.env.TOOLS_PORT ?? 0);
  server = app.listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server!.once('listening', resolve);
    server!.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const line = {
    baseUrl: `http://127.0.0.1:${address.port}`,
    apiKey: fixture.apiKey,
    agentId: fixture.agentId,
    from: fixture.from,
    to: fixture.to,
    webhookEndpointId: fixture.webhookEndpointId,
    webhookUrl: fixture.webhookUrl,
    eventId: fixture.eventId,
    conversationId: fixture.conversationId,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  process.stderr.write(`serve: PostgreSQL ${postgres.kind}, database ${database.name}, app ${line.baseUrl}\n`);
}

main().catch(async (error: unknown) => {
  logger.error('serve: start-up failed', errorFields(error));
  process.exitCode = 1;
  await stop('start-up failure');
  process.exit(1);
});
