/**
 * A benchmark database and the processes that serve it: a fresh database, migrated, with the
 * contract fixture, a high-limit test key and the baseline tables (prepareDatabase); then the
 * baselines and the real server as child processes (startServers).
 */
import type { Knex } from 'knex';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import { createApiKey } from '../../server/src/domain/api-keys/store.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { seedContractFixture } from '../support/fixtures.ts';
import { createFreshDatabase, type TestPostgres } from '../support/postgres.ts';
import { cleanups, log, startChild, stopChild, type Child } from './common.ts';
import { namedPids } from './cpu.ts';
import type { SendTarget } from './load.ts';

export interface Prepared {
  readonly name: string;
  readonly connectionString: string;
  readonly db: Knex;
  readonly organizationId: string;
  readonly target: SendTarget;
  readonly auth: Record<string, string>;
  readonly selectId: string;
  readonly pgVersion: string;
}

async function seedBaselineTables(db: Knex): Promise<string> {
  await db.raw(`
    CREATE TABLE bench_messages (id uuid PRIMARY KEY, organization_id uuid NOT NULL, status text NOT NULL DEFAULT 'queued',
      to_number text NOT NULL, content jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    CREATE INDEX bench_messages_org_created ON bench_messages (organization_id, created_at);
    CREATE TABLE bench_idempotency (key_id uuid NOT NULL, key text NOT NULL, response jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (key_id, key));
    CREATE TABLE bench_jobs (id bigserial PRIMARY KEY, task text NOT NULL, payload json NOT NULL,
      run_at timestamptz NOT NULL DEFAULT now(), attempts int NOT NULL DEFAULT 0);
    CREATE INDEX bench_jobs_run_at ON bench_jobs (run_at);`);
  await db.raw(`INSERT INTO bench_messages (id, organization_id, to_number, content)
    SELECT gen_random_uuid(), gen_random_uuid(), '+1555' || lpad(i::text, 7, '0'), '{"name":"order_shipped"}' FROM generate_series(1, 10000) i`);
  await db.raw('ANALYZE bench_messages');
  const row = await db('bench_messages').orderBy('to_number').offset(5000).first('id');
  return row.id as string;
}

/** A fresh, migrated database with the fixture, a test key of 1,000,000 requests/min and the baseline tables. */
export async function prepareDatabase(postgres: TestPostgres, purpose: string): Promise<Prepared> {
  const database = await createFreshDatabase(postgres.adminUrl, purpose);
  cleanups.push(() => database.drop());
  const db = createDatabase({ connectionString: database.connectionString, poolMax: 4, logger: silentLogger });
  cleanups.push(() => db.destroy());
  await migrateToLatest(db);
  const fixture = await seedContractFixture(db);
  const key = await createApiKey(db, {
    organizationId: fixture.organizationId,
    name: 'bench',
    environment: 'test',
    scopes: ['whatsapp:send', 'whatsapp:read'],
    rateLimitPerMinute: 1_000_000,
  });
  const selectId = await seedBaselineTables(db);
  const pgVersion = ((await db.raw('SHOW server_version')) as { rows: Array<{ server_version: string }> }).rows[0]!.server_version;
  return {
    name: database.name,
    connectionString: database.connectionString,
    db,
    organizationId: fixture.organizationId,
    target: { agentId: fixture.agentId, from: fixture.from },
    auth: { authorization: `Bearer ${key.plaintext}` },
    selectId,
    pgVersion,
  };
}

export interface Servers {
  readonly server: Child;
  readonly baseline: Child;
  readonly url: string;
  readonly baselineUrl: string;
  /** A message sent through the server, to read back. */
  readonly messageId: string;
  stop(): Promise<void>;
}

export async function startServers(p: Prepared): Promise<Servers> {
  const baseline = await startChild('baseline-child.ts', p.connectionString);
  const server = await startChild('server-child.ts', p.connectionString);
  namedPids.set(baseline.child.pid!, 'baseline');
  namedPids.set(server.child.pid!, 'server');
  const url = `http://127.0.0.1:${server.port}`;
  log(
    `server pid ${server.child.pid!} on :${server.port} (pool ${String(server.info.poolMax)}, log level ${String(server.info.logLevel)}); baselines on :${baseline.port}`,
  );
  const created = await fetch(`${url}/v1/whatsapp/templates`, {
    method: 'POST',
    headers: { ...p.auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      agent_id: p.target.agentId,
      from: p.target.from,
      to: '+15550000999',
      template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://track.example/1' } },
    }),
  });
  if (created.status !== 202) throw new Error(`seeding a message failed: ${created.status} ${await created.text()}`);
  const messageId = ((await created.json()) as { id: string }).id;
  return {
    server,
    baseline,
    url,
    baselineUrl: `http://127.0.0.1:${baseline.port}`,
    messageId,
    async stop() {
      await stopChild(server.child);
      await stopChild(baseline.child);
      namedPids.delete(server.child.pid!);
      namedPids.delete(baseline.child.pid!);
    },
  };
}
