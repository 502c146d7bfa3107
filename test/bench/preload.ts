/**
 * The grown database: 10 million messages, 1 million conversations, 100 thousand API keys and a
 * full idempotency table (a day of keys), generated in SQL in bulk (INSERT … SELECT
 * generate_series) into a migrated database that already holds the contract fixture.
 *
 * The rows follow the real schema and its foreign keys: 1,000 organizations (the fixture's one
 * of them, holding a tenth of everything, in test mode, so the benchmark's test key lists a
 * large tenant), five agents and numbers each, conversations per agent number, messages spread
 * over 180 days and over the lifecycle (the newest still queued; sent, delivered, read and
 * failed with their timestamps and WhatsApp ids), both types.
 *
 * For speed the loaded tables' constraints and secondary indexes are dropped first and re-created
 * afterwards from their own definitions (pg_get_constraintdef, pg_indexes), with a large
 * maintenance_work_mem and synchronous_commit off; the messages are written by two sessions in
 * parallel; ANALYZE at the end.
 */
import pg from 'pg';
import { log } from './common.ts';

export const PRELOAD = {
  messages: Number(process.env.BENCH_GROWTH_MESSAGES ?? 10_000_000),
  conversations: Number(process.env.BENCH_GROWTH_CONVERSATIONS ?? 1_000_000),
  apiKeys: 100_000,
  idempotencyKeys: Number(process.env.BENCH_GROWTH_IDEMPOTENCY ?? 1_000_000),
  organizations: 1_000,
  agentsPerOrganization: 5,
};

const TABLES = ['organizations', 'agents', 'whatsapp_connections', 'api_keys', 'conversations', 'messages', 'idempotency_keys'];
/** The large tables, whose keys and indexes are dropped for the load. */
const BULK = ['api_keys', 'conversations', 'messages', 'idempotency_keys'];

const SESSION = `SET synchronous_commit = off; SET maintenance_work_mem = '512MB'; SET work_mem = '256MB';
  SET max_parallel_maintenance_workers = 2; SET statement_timeout = 0; SET lock_timeout = 0`;

interface Definitions {
  readonly constraints: Array<{ table: string; name: string; def: string; type: string }>;
  readonly indexes: Array<{ name: string; def: string }>;
}

/** Primary keys, unique and foreign keys on, or pointing at, the loaded tables; their other indexes. */
async function definitions(client: pg.Client): Promise<Definitions> {
  const constraints = await client.query<{ table: string; name: string; def: string; type: string }>(
    `SELECT c.conrelid::regclass::text AS table, c.conname AS name, pg_get_constraintdef(c.oid) AS def, c.contype AS type
       FROM pg_constraint c
      WHERE c.contype IN ('p', 'u', 'f')
        AND (c.conrelid::regclass::text = ANY($1) OR (c.contype = 'f' AND c.confrelid::regclass::text = ANY($1)))
        AND c.connamespace = 'public'::regnamespace`,
    [BULK],
  );
  const indexes = await client.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass AND c.contype IN ('p', 'u'))`,
    [BULK],
  );
  return { constraints: [...new Map(constraints.rows.map((r) => [`${r.table}.${r.name}`, r])).values()], indexes: indexes.rows };
}

async function timed(client: pg.Client, what: string, sql: string, values: unknown[] = []): Promise<void> {
  const t0 = Date.now();
  const r = await client.query(sql, values);
  log(`preload: ${what} (${r.rowCount ?? 0} rows) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(SESSION);
  return client;
}

/** Messages j = 10 t + c + 1 for t in [lo, hi): a tenth of the messages, spread over the whole period. */
function messagesSql(c: number, lo: number, hi: number): string {
  const n = PRELOAD.messages;
  // j: message number (1 = oldest); age: days before now, linear in j; lifecycle by j.
  return `INSERT INTO messages (organization_id, environment, agent_id, connection_id, conversation_id, api_key_id, type,
      from_number, to_number, content, status, platform_message_id, platform_message_status, error_code, error_message,
      created_at, sent_at, delivered_at, read_at, failed_at, updated_at, send_attempted_at, delivery_attempts)
    SELECT c.organization_id, c.environment, c.agent_id, c.connection_id, c.id, c.api_key_id,
      CASE WHEN j % 5 = 0 THEN 'text' ELSE 'template' END, c.business_number, c.customer_number,
      CASE WHEN j % 5 = 0 THEN jsonb_build_object('text', jsonb_build_object('body', 'Your order ' || j || ' is on its way'))
           ELSE jsonb_build_object('template', jsonb_build_object('name', 'order_shipped', 'language', 'en',
             'parameters', jsonb_build_object('customer_name', 'Sara', 'tracking_url', 'https://track.example/' || j))) END,
      s.status, CASE WHEN s.status <> 'queued' THEN 'wamid.bench' || j END,
      CASE WHEN s.status <> 'queued' THEN s.status END,
      CASE WHEN s.status = 'failed' THEN 'recipient_unavailable' END, CASE WHEN s.status = 'failed' THEN 'The recipient could not be reached.' END,
      t.at, CASE WHEN s.status IN ('sent', 'delivered', 'read') THEN t.at + interval '1 second' END,
      CASE WHEN s.status IN ('delivered', 'read') THEN t.at + interval '3 seconds' END,
      CASE WHEN s.status = 'read' THEN t.at + interval '5 minutes' END,
      CASE WHEN s.status = 'failed' THEN t.at + interval '2 seconds' END,
      t.at + interval '5 minutes', CASE WHEN s.status <> 'queued' THEN t.at END, CASE WHEN s.status <> 'queued' THEN 1 ELSE 0 END
    FROM generate_series(${lo}, ${hi - 1}) g
    CROSS JOIN LATERAL (SELECT g * 10 + ${c} + 1 AS j) jj
    JOIN bench_preload_conversations c ON c.n = j % ${PRELOAD.conversations}
    CROSS JOIN LATERAL (SELECT now() - interval '180 days' * (1 - j::float8 / ${n}) AS at) t
    CROSS JOIN LATERAL (SELECT CASE WHEN j > ${n} - 500 THEN 'queued' WHEN j % 100 < 10 THEN 'sent' WHEN j % 100 < 50 THEN 'delivered'
                                    WHEN j % 100 < 96 THEN 'read' ELSE 'failed' END AS status) s`;
}

export interface PreloadResult {
  readonly seconds: number;
  readonly rows: Record<string, number>;
  /** Messages loaded, and whether that is all of PRELOAD.messages. */
  readonly messages: number;
  readonly complete: boolean;
  readonly fixtureOrganizationMessages: number;
}

/** Fills the database (which holds the fixture of `organizationId`); bounded by `timeoutMs`. */
export async function preload(url: string, organizationId: string, timeoutMs: number): Promise<PreloadResult> {
  const t0 = Date.now();
  const client = await connect(url);
  const second = await connect(url);
  // The slices below stop at the budget; this is the backstop for a statement that overruns it.
  const timer = setTimeout(() => {
    log(`preload: not done within ${(timeoutMs + 15_000) / 1000} s; cancelling`);
    void client.end();
    void second.end();
  }, timeoutMs + 15_000);
  try {
    const defs = await definitions(client);
    for (const c of defs.constraints.filter((c) => c.type === 'f'))
      await client.query(`ALTER TABLE ${c.table} DROP CONSTRAINT ${client.escapeIdentifier(c.name)}`);
    for (const c of defs.constraints.filter((c) => c.type !== 'f'))
      await client.query(`ALTER TABLE ${c.table} DROP CONSTRAINT ${client.escapeIdentifier(c.name)}`);
    for (const i of defs.indexes) await client.query(`DROP INDEX ${client.escapeIdentifier(i.name)}`);
    const { organizations: orgs, agentsPerOrganization: apo, conversations: convs } = PRELOAD;
    // Numbered organizations: 0 is the fixture's.
    await timed(
      client,
      'organizations',
      `CREATE UNLOGGED TABLE bench_preload_orgs AS
         SELECT 0 AS n, '${organizationId}'::uuid AS id
         UNION ALL SELECT n, gen_random_uuid() FROM generate_series(1, ${orgs - 1}) n;
       INSERT INTO organizations (id, name, plan, monthly_message_quota, created_at)
         SELECT id, 'Organization ' || n, (ARRAY['starter', 'professional', 'business', 'enterprise'])[1 + n % 4], 1000000, now() - interval '200 days'
           FROM bench_preload_orgs WHERE n > 0`,
    );
    await timed(
      client,
      'agents and numbers',
      `CREATE UNLOGGED TABLE bench_preload_agents AS
         SELECT o.n AS org_n, k, o.id AS organization_id, gen_random_uuid() AS agent_id, gen_random_uuid() AS connection_id,
                '+1444' || lpad((o.n * ${apo} + k)::text, 7, '0') AS phone
           FROM bench_preload_orgs o CROSS JOIN generate_series(0, ${apo - 1}) k WHERE o.n > 0
         UNION ALL
         SELECT 0, 0, a.organization_id, a.id, c.id, c.phone_number FROM agents a JOIN whatsapp_connections c ON c.agent_id = a.id
          WHERE a.organization_id = '${organizationId}';
       INSERT INTO agents (id, organization_id, name, created_at)
         SELECT agent_id, organization_id, 'Agent ' || k, now() - interval '200 days' FROM bench_preload_agents WHERE org_n > 0;
       INSERT INTO whatsapp_connections (id, organization_id, agent_id, phone_number, created_at)
         SELECT connection_id, organization_id, agent_id, phone, now() - interval '200 days' FROM bench_preload_agents WHERE org_n > 0`,
    );
    await timed(
      client,
      'API keys',
      `INSERT INTO api_keys (organization_id, name, environment, key_hash, display_prefix, last_four, scopes, rate_limit_per_minute, last_used_at, created_at)
         SELECT o.id, 'key ' || i, CASE WHEN i % 3 = 0 THEN 'test' ELSE 'live' END, encode(sha256(('bench-key-' || i)::bytea), 'hex'),
                'mj_live_', lpad((i % 10000)::text, 4, '0'), ARRAY['whatsapp:send', 'whatsapp:read'], 6000, now() - interval '1 hour',
                now() - interval '1 day' * (i % 180)
           FROM generate_series(1, ${PRELOAD.apiKeys}) i JOIN bench_preload_orgs o ON o.n = i % ${orgs}`,
    );
    await client.query(`CREATE UNLOGGED TABLE bench_preload_keys AS
      SELECT DISTINCT ON (organization_id) organization_id, id FROM api_keys ORDER BY organization_id, created_at`);
    // Conversations: the fixture organization's tenth first (i < convs / 10), the rest spread over the others' agents.
    await timed(
      client,
      'conversations',
      `CREATE UNLOGGED TABLE bench_preload_conversations AS
         SELECT i AS n, gen_random_uuid() AS id, a.organization_id, a.agent_id, a.connection_id, a.phone AS business_number,
                '+1999' || lpad(i::text, 8, '0') AS customer_number,
                CASE WHEN a.org_n = 0 OR i % 10 = 0 THEN 'test' ELSE 'live' END AS environment, key.id AS api_key_id
           FROM (SELECT i, CASE WHEN i < ${convs / 10} THEN 0 ELSE 1 + i % ${orgs - 1} END AS org_n,
                        CASE WHEN i < ${convs / 10} THEN 0 ELSE (i / ${orgs - 1}) % ${apo} END AS k
                   FROM generate_series(0, ${convs - 1}) i) g
           JOIN bench_preload_agents a ON a.org_n = g.org_n AND a.k = g.k
           JOIN bench_preload_keys key ON key.organization_id = a.organization_id;
       CREATE UNIQUE INDEX ON bench_preload_conversations (n);
       INSERT INTO conversations (id, organization_id, business_number, customer_number, agent_id, created_at, updated_at)
         SELECT id, organization_id, business_number, customer_number, agent_id, now() - interval '181 days', now() - interval '1 day'
           FROM bench_preload_conversations`,
    );
    // Messages in ten slices, each a tenth spread over the whole period, two sessions per slice; a
    // slice is left out when the time left for it (and for re-creating the indexes, about 0.8 ×
    // the load so far) has run out, and the report says how many were loaded.
    const tenth = Math.floor(PRELOAD.messages / 10);
    const t1 = Date.now();
    let slices = 0;
    let messages = 0;
    for (let c = 0; c < 10; c++) {
      const spent = Date.now() - t1;
      const perSlice = slices > 0 ? spent / slices : 0;
      // Next slice, then the idempotency records (about a fifth of a slice each) and the indexes (about 0.8 × the load).
      if (slices > 0 && Date.now() - t0 + perSlice + 0.2 * (slices + 1) * perSlice + 0.8 * (spent + perSlice) > timeoutMs) break;
      await Promise.all([client.query(messagesSql(c, 0, tenth / 2)), second.query(messagesSql(c, tenth / 2, tenth))]);
      slices++;
      messages += tenth;
    }
    log(`preload: ${messages} messages (${slices} of 10 slices) in ${((Date.now() - t1) / 1000).toFixed(1)} s (two sessions)`);
    // A day of idempotency records for the volume loaded: a tenth of them per slice of messages.
    const idempotency = Math.floor((PRELOAD.idempotencyKeys * slices) / 10);
    await timed(
      client,
      'idempotency keys',
      `INSERT INTO idempotency_keys (api_key_id, idempotency_key, operation_id, request_hash, correlation_id, response_status, response_body, created_at)
         SELECT k.id, 'order-' || i, 'sendWhatsAppTemplate', md5(i::text), 'corr-' || i, 202,
                jsonb_build_object('id', gen_random_uuid(), 'object', 'message', 'status', 'queued'), now() - interval '24 hours' * (i::float8 / ${idempotency})
           FROM generate_series(1, ${idempotency}) i JOIN (SELECT id, row_number() OVER () - 1 AS r FROM api_keys) k ON k.r = i % ${PRELOAD.apiKeys}`,
    );
    await client.query('DROP TABLE bench_preload_orgs, bench_preload_agents, bench_preload_keys, bench_preload_conversations');
    // Re-create: keys and indexes (the two sessions share the work), then the foreign keys.
    const rebuild = [
      ...defs.constraints
        .filter((c) => c.type !== 'f')
        .map((c) => `ALTER TABLE ${c.table} ADD CONSTRAINT ${client.escapeIdentifier(c.name)} ${c.def}`),
      ...defs.indexes.map((i) => i.def),
    ];
    const t2 = Date.now();
    let next = 0;
    await Promise.all(
      [client, second].map(async (session) => {
        while (next < rebuild.length) await session.query(rebuild[next++]!);
      }),
    );
    for (const c of defs.constraints.filter((c) => c.type === 'f'))
      await client.query(`ALTER TABLE ${c.table} ADD CONSTRAINT ${client.escapeIdentifier(c.name)} ${c.def}`);
    log(`preload: ${rebuild.length} keys and indexes, then the foreign keys, re-created in ${((Date.now() - t2) / 1000).toFixed(1)} s`);
    await Promise.all([
      client.query('ANALYZE messages, conversations'),
      second.query('ANALYZE api_keys, idempotency_keys, organizations, agents, whatsapp_connections'),
    ]);
    const counts = await client.query<{ relname: string; reltuples: number }>(
      `SELECT relname, reltuples::float8 AS reltuples FROM pg_class WHERE relname = ANY($1) AND relkind = 'r'`,
      [TABLES],
    );
    const rows = Object.fromEntries(counts.rows.map((r) => [r.relname, Math.round(r.reltuples)]));
    const fixture = await client.query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE organization_id = $1`, [organizationId]);
    const seconds = (Date.now() - t0) / 1000;
    log(`preload: done in ${seconds.toFixed(0)} s: ${JSON.stringify(rows)} (estimated row counts)`);
    return { seconds, rows, messages, complete: messages === PRELOAD.messages, fixtureOrganizationMessages: Number(fixture.rows[0]!.n) };
  } finally {
    clearTimeout(timer);
    await client.end().catch(() => {});
    await second.end().catch(() => {});
  }
}
