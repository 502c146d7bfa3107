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
 * maintenance_work_mem and synchronous_commit off; the messages and the idempotency records are
 * written by two sessions in parallel; ANALYZE at the end.
 *
 * What bounds the load (2 cores, measured): CPU. Each message costs about 20 µs of a backend's
 * CPU, half generating the row, half inserting it (heap, WAL); the keys and indexes cost about as
 * much again (10 M messages on a quiet machine: 102 s of load at 1.8 cores, 99 s of keys and
 * indexes). So:
 *  - the rows are built with cheap expressions: the content as a JSON text cast (jsonb_build_object
 *    looked up its argument types per row, 20 % of the statement's CPU; the stored jsonb is the
 *    same), the lifecycle as a number, the age as seconds (an interval of days goes through the
 *    calendar per row); a slice's hash table holds only its tenth of the conversations;
 *  - server settings for the load only (LOAD_SETTINGS): the backends waited on WALWrite and
 *    WalSync a quarter of the time (each full 16 MB WAL segment is fsynced by whoever fills it),
 *    so fsync is off (a throwaway database: a crash during the load would need a new one; a
 *    CHECKPOINT follows when it is back on); no checkpoint during the load (12 of them at the
 *    default max_wal_size); no autovacuum (it would scan the growing tables and then be
 *    cancelled by the index builds). All are put back before the measurements, which run on
 *    the configuration of the empty database's;
 *  - the keys and indexes with maintenance_work_mem 2 GB (in-memory sorts), the longest first.
 * Not worth it: more sessions (the two keep both cores busy, 1.8 cores during the messages);
 * fewer or more parallel maintenance workers (0, 1, 2 measured: within noise).
 * Within the 170 s a full run leaves, 7 of the 10 slices fit on this machine (5 before).
 */
import pg from 'pg';
import { log } from './common.ts';
import { cpuWindow } from './cpu.ts';

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

const SESSION = `SET synchronous_commit = off; SET maintenance_work_mem = '2GB'; SET work_mem = '256MB';
  SET max_parallel_maintenance_workers = 2; SET statement_timeout = 0; SET lock_timeout = 0`;

/**
 * Server settings for the duration of the load (ALTER SYSTEM, reloadable ones only), put back as
 * they were afterwards and followed by a CHECKPOINT, so that the measurements after the load run
 * on the same configuration as those before it.
 */
const LOAD_SETTINGS: Record<string, string> = {
  fsync: 'off',
  max_wal_size: '32GB',
  checkpoint_timeout: '1h',
  autovacuum: 'off',
};

/** Applies LOAD_SETTINGS (superuser only); returns what puts the previous ones back (on a connection of its own). */
async function loadSettings(url: string): Promise<() => Promise<void>> {
  const names = Object.keys(LOAD_SETTINGS);
  if (names.length === 0) return async () => {};
  const client = await connect(url);
  const su = await client.query<{ su: boolean }>('SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user');
  if (!su.rows[0]?.su) {
    await client.end();
    return async () => {};
  }
  // What postgresql.auto.conf held before (an external server's own ALTER SYSTEM settings).
  const before = await client.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf' AND name = ANY($1) AND error IS NULL`,
    [names],
  );
  const previous = new Map(before.rows.map((r) => [r.name, r.setting]));
  for (const name of names) await client.query(`ALTER SYSTEM SET ${name} = ${client.escapeLiteral(LOAD_SETTINGS[name]!)}`);
  await client.query('SELECT pg_reload_conf()');
  await client.end();
  log(`preload: server settings for the load: ${names.map((n) => `${n} ${LOAD_SETTINGS[n]}`).join(', ')}`);
  return async () => {
    const client = await connect(url);
    for (const name of names) {
      const was = previous.get(name);
      await client.query(was === undefined ? `ALTER SYSTEM RESET ${name}` : `ALTER SYSTEM SET ${name} = ${client.escapeLiteral(was)}`);
    }
    await client.query('SELECT pg_reload_conf()');
    const t = Date.now();
    await client.query('CHECKPOINT');
    const now = await client.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1) ORDER BY name',
      [names],
    );
    await client.end();
    log(
      `preload: server settings restored (${now.rows.map((r) => `${r.name} ${r.setting}${r.unit ?? ''}`).join(', ')}); CHECKPOINT in ${((Date.now() - t) / 1000).toFixed(1)} s`,
    );
  };
}

interface Definitions {
  readonly constraints: Array<{ table: string; name: string; def: string; type: string }>;
  readonly indexes: Array<{ table: string; name: string; def: string }>;
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
  const indexes = await client.query<{ table: string; name: string; def: string }>(
    `SELECT i.tablename AS table, i.indexname AS name, i.indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass AND c.contype IN ('p', 'u'))`,
    [BULK],
  );
  return { constraints: [...new Map(constraints.rows.map((r) => [`${r.table}.${r.name}`, r])).values()], indexes: indexes.rows };
}

/** Wall time, and the machine's CPU over it: PostgreSQL's (cores) and everyone else's (share of the machine). */
function clock(): () => string {
  const t0 = Date.now();
  const cpu = cpuWindow();
  return () => {
    const w = cpu();
    const pg = (w.msByGroup.postgres ?? 0) / 1000 / Math.max(0.001, w.seconds);
    return `${((Date.now() - t0) / 1000).toFixed(1)} s (PostgreSQL ${pg.toFixed(2)} cores, other ${(100 * w.otherShare).toFixed(0)} % of the machine)`;
  };
}

/**
 * The messages' keys and indexes first, the longest first (measured at 10 M messages, two at a time:
 * messages_list 60 s, messages_conversation_id_created_at_index 50 s, messages_platform_message_id
 * 37 s, messages_retention 19 s, messages_pkey 17 s), so that the two sessions end together.
 */
function rebuildOrder(r: { table: string; name: string }): number {
  const longest = ['messages_list', 'messages_conversation_id_created_at_index', 'messages_platform_message_id', 'messages_retention'];
  const i = longest.indexOf(r.name);
  return i >= 0 ? i : r.table === 'messages' ? longest.length : longest.length + 1;
}

async function timed(client: pg.Client, what: string, sql: string, values: unknown[] = []): Promise<void> {
  const took = clock();
  const r = await client.query(sql, values);
  log(`preload: ${what} (${r.rowCount ?? 0} rows) in ${took()}`);
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
  // j: message number (1 = oldest); age: days before now, linear in j; lifecycle by j (k: queued,
  // sent, delivered, read, failed). When the
  // conversations are a multiple of ten, j's conversation (j mod conversations) has j's last digit,
  // so a slice's messages fall in a tenth of the conversations: only those go into the hash table.
  const slice = PRELOAD.conversations % 10 === 0 ? ` AND c.n % 10 = ${(c + 1) % 10}` : '';
  return `INSERT INTO messages (organization_id, environment, agent_id, connection_id, conversation_id, api_key_id, type,
      from_number, to_number, content, status, platform_message_id, platform_message_status, error_code, error_message,
      created_at, sent_at, delivered_at, read_at, failed_at, updated_at, send_attempted_at, delivery_attempts)
    SELECT c.organization_id, c.environment, c.agent_id, c.connection_id, c.id, c.api_key_id,
      CASE WHEN j % 5 = 0 THEN 'text' ELSE 'template' END, c.business_number, c.customer_number,
      CASE WHEN j % 5 = 0 THEN ('{"text": {"body": "Your order ' || j || ' is on its way"}}')::jsonb
           ELSE ('{"template": {"name": "order_shipped", "language": "en", "parameters": {"customer_name": "Sara", "tracking_url": "https://track.example/' || j || '"}}}')::jsonb END,
      (ARRAY['queued', 'sent', 'delivered', 'read', 'failed'])[s.k + 1], CASE WHEN s.k > 0 THEN 'wamid.bench' || j END,
      CASE WHEN s.k > 0 THEN (ARRAY['sent', 'delivered', 'read', 'failed'])[s.k] END,
      CASE WHEN s.k = 4 THEN 'recipient_unavailable' END, CASE WHEN s.k = 4 THEN 'The recipient could not be reached.' END,
      t.at, CASE WHEN s.k BETWEEN 1 AND 3 THEN t.at + interval '1 second' END,
      CASE WHEN s.k BETWEEN 2 AND 3 THEN t.at + interval '3 seconds' END,
      CASE WHEN s.k = 3 THEN t.at + interval '5 minutes' END,
      CASE WHEN s.k = 4 THEN t.at + interval '2 seconds' END,
      t.at + interval '5 minutes', CASE WHEN s.k > 0 THEN t.at END, CASE WHEN s.k > 0 THEN 1 ELSE 0 END
    FROM generate_series(${lo}, ${hi - 1}) g
    CROSS JOIN LATERAL (SELECT g * 10 + ${c} + 1 AS j) jj
    JOIN bench_preload_conversations c ON c.n = j % ${PRELOAD.conversations}${slice}
    CROSS JOIN LATERAL (SELECT now() - interval '1 second' * (${180 * 86_400} * (1 - j::float8 / ${n})) AS at) t
    CROSS JOIN LATERAL (SELECT CASE WHEN j > ${n} - 500 THEN 0 WHEN j % 100 < 10 THEN 1 WHEN j % 100 < 50 THEN 2
                                    WHEN j % 100 < 96 THEN 3 ELSE 4 END AS k) s`;
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
  let restore = async () => {};
  try {
    restore = await loadSettings(url);
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
    const loading = clock();
    let slices = 0;
    let messages = 0;
    for (let c = 0; c < 10; c++) {
      const spent = Date.now() - t1;
      const perSlice = slices > 0 ? spent / slices : 0;
      // Next slice, then the idempotency records (under a tenth of a slice each) and the keys and
      // indexes (measured: 0.9 × the load at 3 M messages, 1.0 × at 10 M).
      if (slices > 0 && Date.now() - t0 + perSlice + 0.1 * (slices + 1) * perSlice + 1.05 * (spent + perSlice) > timeoutMs) break;
      await Promise.all([client.query(messagesSql(c, 0, tenth / 2)), second.query(messagesSql(c, tenth / 2, tenth))]);
      slices++;
      messages += tenth;
    }
    log(`preload: ${messages} messages (${slices} of 10 slices) in ${loading()} (two sessions)`);
    // A day of idempotency records for the volume loaded: a tenth of them per slice of messages, in two halves.
    const idempotency = Math.floor((PRELOAD.idempotencyKeys * slices) / 10);
    const idempotencySql = (lo: number, hi: number) =>
      `INSERT INTO idempotency_keys (api_key_id, idempotency_key, operation_id, request_hash, correlation_id, response_status, response_body, created_at)
         SELECT k.id, 'order-' || i, 'sendWhatsAppTemplate', md5(i::text), 'corr-' || i, 202,
                ('{"id": "' || gen_random_uuid() || '", "object": "message", "status": "queued"}')::jsonb,
                now() - interval '1 second' * (86400 * i::float8 / ${idempotency})
           FROM generate_series(${lo}, ${hi}) i JOIN bench_preload_key_numbers k ON k.r = i % ${PRELOAD.apiKeys}`;
    const keying = clock();
    await client.query(`CREATE UNLOGGED TABLE bench_preload_key_numbers AS SELECT id, row_number() OVER () - 1 AS r FROM api_keys`);
    const half = Math.floor(idempotency / 2);
    await Promise.all([client.query(idempotencySql(1, half)), second.query(idempotencySql(half + 1, idempotency))]);
    log(`preload: idempotency keys (${idempotency} rows) in ${keying()} (two sessions)`);
    await client.query(
      'DROP TABLE bench_preload_orgs, bench_preload_agents, bench_preload_keys, bench_preload_conversations, bench_preload_key_numbers',
    );
    // Re-create: keys and indexes, the largest (the messages') first, the two sessions sharing the
    // work; then the foreign keys.
    const rebuild = [
      ...defs.constraints
        .filter((c) => c.type !== 'f')
        .map((c) => ({
          table: c.table,
          name: c.name,
          sql: `ALTER TABLE ${c.table} ADD CONSTRAINT ${client.escapeIdentifier(c.name)} ${c.def}`,
        })),
      ...defs.indexes.map((i) => ({ table: i.table, name: i.name, sql: i.def })),
    ].sort((x, y) => rebuildOrder(x) - rebuildOrder(y));
    const rebuilding = clock();
    const took: string[] = [];
    let next = 0;
    await Promise.all(
      [client, second].map(async (session) => {
        while (next < rebuild.length) {
          const r = rebuild[next++]!;
          const t = Date.now();
          await session.query(r.sql);
          took.push(`${r.name} ${((Date.now() - t) / 1000).toFixed(1)}`);
        }
      }),
    );
    for (const c of defs.constraints.filter((c) => c.type === 'f')) {
      const t = Date.now();
      await client.query(`ALTER TABLE ${c.table} ADD CONSTRAINT ${client.escapeIdentifier(c.name)} ${c.def}`);
      took.push(`${c.name} ${((Date.now() - t) / 1000).toFixed(1)}`);
    }
    log(`preload: ${rebuild.length} keys and indexes, then the foreign keys, re-created in ${rebuilding()}: ${took.join(', ')} s`);
    await restore();
    restore = async () => {};
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
    await restore().catch((error: unknown) => log(`preload: restoring the server settings failed: ${String(error)}`));
    await client.end().catch(() => {});
    await second.end().catch(() => {});
  }
}
