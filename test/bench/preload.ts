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
 * parallel, the idempotency records beside the conversations; ANALYZE at the end.
 *
 * What bounds the load (2 cores, measured): CPU. At 10 M messages on this machine: the messages
 * 73–85 s at 1.7 cores (about 13 µs of a backend's CPU each), their keys and indexes about 90 s
 * (messages_list alone 73 s of a core), the rest about 25 s: 190–215 s in all, depending on the
 * machine's day. So:
 *  - a message's row costs its number, its time and one join: the lifecycle's columns (status,
 *    timestamps' offsets, WhatsApp status, error) come from a ten-row table keyed by the
 *    lifecycle and the type (one CASE expression per column was half the statement's CPU), the
 *    content is one constant per type (parsing a JSON text per row was 2.8 µs; the stored jsonb
 *    has the same size and shape), ids are md5 of the row's number (uniform like
 *    gen_random_uuid(), which reads the kernel's random source per call: 2.7 µs against 1.4),
 *    the time a to_timestamp of seconds; a slice's hash table holds only its tenth of the
 *    conversations;
 *  - server settings for the load only (LOAD_SETTINGS): the backends waited on WALWrite and
 *    WalSync a quarter of the time (each full 16 MB WAL segment is fsynced by whoever fills it),
 *    so fsync is off (a throwaway database: a crash during the load would need a new one; a
 *    CHECKPOINT follows when it is back on, while the last index is built); no checkpoint during
 *    the load (12 of them at the default max_wal_size); no autovacuum (it would scan the growing
 *    tables and then be cancelled by the index builds). All are put back before the
 *    measurements, which run on the configuration of the empty database's;
 *  - the foreign keys of the loaded tables are re-created before the messages are written (see
 *    split) instead of checked over 10 M rows afterwards (20 s of a core);
 *  - the keys and indexes one per session (no parallel maintenance workers: on two cores they
 *    only added the merging; 98 s against 104–113 s with two each), with maintenance_work_mem
 *    2 GB (in-memory sorts), the longest first.
 * Not worth it: a third session for the messages (93 s at 1.5 cores against 73–85 s: they wait
 * on each other to extend the table and insert their WAL); a parallel worker for messages_list
 * alone (the last to finish: 61 s instead of 73, but 108 s for all the indexes instead of 98).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
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
/** Re-created before the messages are written, for the messages' foreign key to it (see split). */
const KEPT = new Set(['conversations_pkey']);

const SESSION = `SET synchronous_commit = off; SET maintenance_work_mem = '2GB'; SET work_mem = '256MB';
  SET max_parallel_maintenance_workers = 0; SET statement_timeout = 0; SET lock_timeout = 0`;

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
  const effective = async (c: pg.Client) =>
    (
      await c.query<{ name: string; setting: string }>('SELECT name, setting FROM pg_settings WHERE name = ANY($1) ORDER BY name', [names])
    ).rows
      .map((r) => `${r.name}=${r.setting}`)
      .join(',');
  const was = await effective(client);
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
    // The reload is asynchronous: the postmaster signals every process, this session's and the
    // checkpointer among them; the CHECKPOINT must run with fsync back on.
    for (let i = 0; i < 100 && (await effective(client)) !== was; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 250));
    const t = Date.now();
    await client.query('CHECKPOINT');
    // What the load wrote with fsync off and the kernel has not written back yet: flushed now (on
    // this machine's PostgreSQL), not in the background during the measurements (0.4–0.6 s here).
    const synced = Date.now();
    if (/@(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(url)) await promisify(execFile)('sync');
    const now = await client.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1) ORDER BY name',
      [names],
    );
    await client.end();
    log(
      `preload: server settings restored (${now.rows.map((r) => `${r.name} ${r.setting}${r.unit ?? ''}`).join(', ')}); CHECKPOINT in ${((synced - t) / 1000).toFixed(1)} s, sync in ${((Date.now() - synced) / 1000).toFixed(1)} s`,
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

/**
 * Which of the dropped keys come back before the messages are written (`early`): the
 * conversations' primary key (KEPT) and, with a superuser, the foreign keys of the loaded tables
 * that need no other dropped key — re-created while the table they check is still (almost)
 * empty, their checks off during the load (DISABLE TRIGGER ALL, as pg_dump --disable-triggers
 * restores data): the rows are consistent by construction (a message is generated from its
 * conversation's row), and checking 10 M messages' foreign key afterwards took 20 s of a core.
 * The rest after the load.
 */
function split(all: Definitions, superuser: boolean): Definitions & { early: Definitions['constraints'] } {
  const keptTables = new Set(all.constraints.filter((c) => KEPT.has(c.name)).map((c) => c.table));
  const referenced = (def: string) => /REFERENCES\s+([\w.]+)/.exec(def)?.[1] ?? '';
  const isEarly = (c: Definitions['constraints'][number]) =>
    superuser &&
    (KEPT.has(c.name) ||
      (c.type === 'f' && BULK.includes(c.table) && (!BULK.includes(referenced(c.def)) || keptTables.has(referenced(c.def)))));
  return { constraints: all.constraints.filter((c) => !isEarly(c)), indexes: all.indexes, early: all.constraints.filter(isEarly) };
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
 * The messages' keys and indexes first, the longest first (measured at 10 M messages, one core
 * each: messages_list 73 s, messages_platform_message_id 35 s,
 * messages_conversation_id_created_at_index 30 s, messages_pkey 21 s, messages_retention 13 s), so
 * that the two sessions end together.
 */
function rebuildOrder(r: { table: string; name: string }): number {
  const longest = [
    'messages_list',
    'messages_platform_message_id',
    'messages_conversation_id_created_at_index',
    'messages_pkey',
    'messages_retention',
  ];
  const i = longest.indexOf(r.name);
  return i >= 0 ? i : r.table === 'messages' ? longest.length : longest.length + 1;
}

/** The statement that re-creates a dropped key or foreign key from its definition. */
const addConstraint = (client: pg.Client, c: Definitions['constraints'][number]) =>
  `ALTER TABLE ${c.table} ADD CONSTRAINT ${client.escapeIdentifier(c.name)} ${c.def}`;

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

/**
 * What a message's row holds by its place in the lifecycle (k: queued, sent, delivered, read,
 * failed) and its type: one row per (k, text or template), joined by that key, so that the
 * message's statement computes no more than its number, its time and the key (the CASE
 * expressions per column were half of its CPU). A NULL offset leaves the timestamp NULL.
 */
const LIFECYCLE_SQL = `CREATE UNLOGGED TABLE bench_preload_lifecycle AS
  SELECT k * 2 + t AS key, CASE WHEN t = 1 THEN 'text' ELSE 'template' END AS type,
         CASE WHEN t = 1 THEN '{"text": {"body": "Your order 1234567 is on its way"}}'::jsonb
              ELSE '{"template": {"name": "order_shipped", "language": "en", "parameters": {"customer_name": "Sara", "tracking_url": "https://track.example/1234567"}}}'::jsonb END AS content,
         (ARRAY['queued', 'sent', 'delivered', 'read', 'failed'])[k + 1] AS status, CASE WHEN k > 0 THEN 'wamid.bench' END AS wamid,
         (ARRAY[NULL, 'sent', 'delivered', 'read', 'failed'])[k + 1] AS platform_status,
         CASE WHEN k = 4 THEN 'recipient_unavailable' END AS error_code, CASE WHEN k = 4 THEN 'The recipient could not be reached.' END AS error_message,
         CASE WHEN k BETWEEN 1 AND 3 THEN interval '1 second' END AS sent, CASE WHEN k BETWEEN 2 AND 3 THEN interval '3 seconds' END AS delivered,
         CASE WHEN k = 3 THEN interval '5 minutes' END AS read, CASE WHEN k = 4 THEN interval '2 seconds' END AS failed,
         CASE WHEN k > 0 THEN interval '0 seconds' END AS attempted, CASE WHEN k > 0 THEN 1 ELSE 0 END AS attempts
    FROM generate_series(0, 4) k CROSS JOIN generate_series(0, 1) t`;

/** Messages j = 10 t + c + 1 for t in [lo, hi): a tenth of the messages, spread over the whole period. */
function messagesSql(c: number, lo: number, hi: number, nowEpoch: number): string {
  const n = PRELOAD.messages;
  // j: message number (1 = oldest); created_at: days before now, linear in j; lifecycle by j (see
  // LIFECYCLE_SQL; the newest 500 still queued), type text for every fifth. When the
  // conversations are a multiple of ten, j's conversation (j mod conversations) has j's last digit,
  // so a slice's messages fall in a tenth of the conversations: only those go into the hash table.
  const slice = PRELOAD.conversations % 10 === 0 ? ` AND c.n % 10 = ${(c + 1) % 10}` : '';
  return `INSERT INTO messages (id, organization_id, environment, agent_id, connection_id, conversation_id, api_key_id, type,
      from_number, to_number, content, status, platform_message_id, platform_message_status, error_code, error_message,
      created_at, sent_at, delivered_at, read_at, failed_at, updated_at, send_attempted_at, delivery_attempts)
    SELECT md5('m' || j)::uuid, c.organization_id, c.environment, c.agent_id, c.connection_id, c.id, c.api_key_id, l.type,
      c.business_number, c.customer_number, l.content, l.status, l.wamid || j, l.platform_status, l.error_code, l.error_message,
      t.at, t.at + l.sent, t.at + l.delivered, t.at + l.read, t.at + l.failed, t.at + interval '5 minutes', t.at + l.attempted, l.attempts
    FROM generate_series(${lo}, ${hi - 1}) g
    CROSS JOIN LATERAL (SELECT g * 10 + ${c} + 1 AS j) jj
    JOIN bench_preload_conversations c ON c.n = j % ${PRELOAD.conversations}${slice}
    CROSS JOIN LATERAL (SELECT to_timestamp(${nowEpoch} - ${180 * 86_400} * (1 - j::float8 / ${n})) AS at) t
    JOIN bench_preload_lifecycle l ON l.key = CASE WHEN j > ${n} - 500 THEN 0 WHEN j % 100 < 10 THEN 2 WHEN j % 100 < 50 THEN 4
                                                   WHEN j % 100 < 96 THEN 6 ELSE 8 END + (j % 5 = 0)::int`;
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
  const writers = [client, second];
  // The slices below stop at the budget; this is the backstop for a statement that overruns it.
  const timer = setTimeout(() => {
    log(`preload: not done within ${(timeoutMs + 15_000) / 1000} s; cancelling`);
    for (const w of writers) w.end().catch(() => {});
  }, timeoutMs + 15_000);
  let restore = async () => {};
  try {
    restore = await loadSettings(url);
    const su =
      (await client.query<{ su: boolean }>('SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user')).rows[0]?.su === true;
    const defs = split(await definitions(client), su);
    for (const c of [...defs.early, ...defs.constraints].filter((c) => c.type === 'f'))
      await client.query(`ALTER TABLE ${c.table} DROP CONSTRAINT ${client.escapeIdentifier(c.name)}`);
    for (const c of [...defs.early, ...defs.constraints].filter((c) => c.type !== 'f'))
      await client.query(`ALTER TABLE ${c.table} DROP CONSTRAINT ${client.escapeIdentifier(c.name)}`);
    for (const i of defs.indexes) await client.query(`DROP INDEX ${client.escapeIdentifier(i.name)}`);
    const triggers = (on: boolean) =>
      su ? Promise.all(BULK.map((t) => client.query(`ALTER TABLE ${t} ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ALL`))) : Promise.resolve([]);
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
    // A day of idempotency records (PRELOAD.idempotencyKeys, spread over the last 24 hours)
    // on one session, while the other generates the conversations: the fixture organization's
    // tenth first (i < convs / 10), the rest spread over the others' agents.
    const idempotency = PRELOAD.idempotencyKeys;
    await client.query(`CREATE UNLOGGED TABLE bench_preload_key_numbers AS SELECT id, row_number() OVER () - 1 AS r FROM api_keys`);
    const idempotencyLoad = timed(
      second,
      'idempotency records',
      `INSERT INTO idempotency_keys (api_key_id, idempotency_key, operation_id, request_hash, correlation_id, response_status, message_id, created_at)
         SELECT k.id, 'order-' || i, 'sendWhatsAppTemplate', md5(i::text), 'corr-' || i, 202, md5('m' || (10 * i + 1))::uuid,
                now() - interval '1 second' * (86400 * i::float8 / ${idempotency})
           FROM generate_series(1, ${idempotency}) i JOIN bench_preload_key_numbers k ON k.r = i % ${PRELOAD.apiKeys}`,
    );
    idempotencyLoad.catch(() => {}); // awaited below
    await timed(
      client,
      'conversations',
      `CREATE UNLOGGED TABLE bench_preload_conversations AS
         SELECT i AS n, md5('c' || i)::uuid AS id, a.organization_id, a.agent_id, a.connection_id, a.phone AS business_number,
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
    // The keys the messages' foreign key needs, then the foreign keys of the loaded tables (the
    // messages still empty: nothing to check), their checks off while the rows are written.
    await idempotencyLoad;
    const early = clock();
    for (const c of [...defs.early].sort((x, y) => Number(x.type === 'f') - Number(y.type === 'f')))
      await client.query(addConstraint(client, c));
    await triggers(false);
    log(`preload: ${defs.early.map((c) => c.name).join(', ')} re-created before the messages in ${early()}`);
    // Messages in ten slices, each a tenth spread over the whole period, two sessions per slice; a
    // slice is left out when the time left for it and for what follows has run out, and the report
    // says how many were loaded.
    const tenth = Math.floor(PRELOAD.messages / 10);
    const nowEpoch = Date.now() / 1000;
    await client.query(LIFECYCLE_SQL);
    const t1 = Date.now();
    const loading = clock();
    let slices = 0;
    let messages = 0;
    for (let c = 0; c < 10; c++) {
      const spent = Date.now() - t1;
      const perSlice = slices > 0 ? spent / slices : 0;
      // Next slice, then what follows the load: the keys, indexes and foreign keys, the CHECKPOINT,
      // ANALYZE (measured at 10 M: 1.35–1.5 × the messages' load).
      if (slices > 0 && Date.now() - t0 + perSlice + 1.5 * (spent + perSlice) > timeoutMs) break;
      const part = Math.ceil(tenth / writers.length);
      await Promise.all(writers.map((w, i) => w.query(messagesSql(c, i * part, Math.min(tenth, (i + 1) * part), nowEpoch))));
      slices++;
      messages += tenth;
    }
    log(`preload: ${messages} messages (${slices} of 10 slices) in ${loading()} (${writers.length} sessions)`);
    await client.query(
      'DROP TABLE bench_preload_orgs, bench_preload_agents, bench_preload_keys, bench_preload_conversations, bench_preload_key_numbers, bench_preload_lifecycle',
    );
    await triggers(true);
    // Re-create: keys and indexes, the largest (the messages') first, the two sessions sharing the
    // work; then the dropped foreign keys (on empty tables) while the other session puts the server
    // settings back and runs the CHECKPOINT; ANALYZE.
    const rebuild = [
      ...defs.constraints
        .filter((c) => c.type !== 'f')
        .map((c) => ({
          table: c.table,
          name: c.name,
          sql: addConstraint(client, c),
        })),
      ...defs.indexes.map((i) => ({ table: i.table, name: i.name, sql: i.def })),
    ].sort((x, y) => rebuildOrder(x) - rebuildOrder(y));
    const rebuilding = clock();
    const took: string[] = [];
    const run = async (session: pg.Client, name: string, sql: string) => {
      const t = Date.now();
      await session.query(sql);
      took.push(`${name} ${((Date.now() - t) / 1000).toFixed(1)}`);
    };
    let next = 0;
    let settling: Promise<void> | undefined;
    await Promise.all(
      [client, second].map(async (session) => {
        while (next < rebuild.length) {
          const r = rebuild[next++]!;
          await run(session, r.name, r.sql);
        }
        // The first session out of work puts the server settings back and runs the CHECKPOINT
        // while the other builds its last index.
        settling ??= (async () => {
          await restore();
          restore = async () => {};
        })();
        await settling;
      }),
    );
    for (const c of defs.constraints.filter((c) => c.type === 'f')) await run(client, c.name, addConstraint(client, c));
    await Promise.all([
      client.query('ANALYZE messages'),
      second.query('ANALYZE conversations, api_keys, idempotency_keys, organizations, agents, whatsapp_connections'),
    ]);
    log(`preload: keys and indexes, then the foreign keys, re-created and analyzed in ${rebuilding()}: ${took.join(', ')} s`);
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
    for (const w of writers) await w.end().catch(() => {});
  }
}
