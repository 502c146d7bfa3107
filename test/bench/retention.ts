/**
 * `npm run bench:retention`: how fast retention rounds delete, and what they cost the status
 * path meanwhile. A fresh database with BENCH_RETENTION_ROWS settled messages past their period
 * (two status events each) and as many webhook events past theirs (one delivery and one attempt
 * each); status updates of recent messages run in a loop, on connections with a 200 ms
 * `lock_timeout`, first alone, then while rounds with the default settings run back to back
 * until nothing is left. Prints one JSON line: rows deleted per second of round, batches, and
 * the status updates' p50/p99 alone and during the rounds, with their lock timeouts (expected 0).
 * Bounded by a global deadline.
 */
import { loadConfig } from '../../server/src/config.ts';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import { recordStatusEvent } from '../../server/src/domain/delivery-status.ts';
import { runRetentionRound } from '../../server/src/domain/retention.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { createFreshDatabase, startTestPostgres } from '../support/postgres.ts';
import { newTenant, randomE164 } from '../support/tenants.ts';

const ROWS = Number(process.env.BENCH_RETENTION_ROWS ?? 100_000);
const RECENT = 20_000;
const BASELINE_MS = 5_000;
const DEADLINE_MS = 540_000;

const deadline = setTimeout(() => {
  process.stderr.write('bench:retention: deadline reached\n');
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const summary = (latencies: number[]) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { count: sorted.length, p50_ms: +percentile(sorted, 50).toFixed(2), p99_ms: +percentile(sorted, 99).toFixed(2) };
};

async function main(): Promise<void> {
  const postgres = await startTestPostgres();
  const database = await createFreshDatabase(postgres.adminUrl, 'bench_retention');
  const db = createDatabase({ connectionString: database.connectionString, poolMax: 4, logger: silentLogger });
  const impatient = createDatabase({ connectionString: database.connectionString, poolMax: 2, lockTimeoutMs: 200, logger: silentLogger });
  try {
    await migrateToLatest(db);
    const tenant = await newTenant(db);
    const connection = await db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
    const to = randomE164();
    const [conversation] = await db('conversations')
      .insert({ organization_id: tenant.organization.id, business_number: tenant.from, customer_number: to, agent_id: tenant.agent.id })
      .returning('id');
    const [endpoint] = await db('webhook_endpoints')
      .insert({
        organization_id: tenant.organization.id,
        environment: 'test',
        url: 'https://example.com/h',
        enabled_events: ['*'],
        secret: 's',
      })
      .returning('id');
    const seeded = Date.now();
    const messages = (n: number, status: string, age: string, prefix: string) =>
      db.raw(
        `INSERT INTO messages (organization_id, environment, agent_id, connection_id, conversation_id, type, from_number, to_number,
                               content, status, platform_message_id, created_at, updated_at)
         SELECT ?, 'test', ?, ?, ?, 'text', ?, ?, '{"text":"x"}', ${status}, ? || g, now() - ${age} + g * interval '1 ms',
                now() - ${age} + g * interval '1 ms'
           FROM generate_series(1, ?::int) g`,
        [tenant.organization.id, tenant.agent.id, connection.id, conversation.id, tenant.from, to, prefix, n],
      );
    await messages(ROWS, `(ARRAY['delivered', 'read', 'failed'])[1 + g % 3]`, `interval '400 days'`, 'wamid.old.');
    await db.raw(`INSERT INTO message_events (message_id, platform_message_id, status, occurred_at, received_at)
                  SELECT m.id, m.platform_message_id, s, m.created_at, m.created_at FROM messages m, unnest(ARRAY['sent', 'delivered']) s`);
    await messages(RECENT, `'sent'`, `interval '1 hour'`, 'wamid.recent.');
    await db.raw(
      `INSERT INTO events (id, organization_id, environment, type, data, created_at)
       SELECT 'evt_old_' || g, ?, 'test', 'message.read', '{}', now() - interval '40 days' + g * interval '1 ms' FROM generate_series(1, ?::int) g`,
      [tenant.organization.id, ROWS],
    );
    await db.raw(`INSERT INTO event_deliveries (event_id, endpoint_id, status, attempts) SELECT id, ?, 'succeeded', 1 FROM events`, [
      endpoint.id,
    ]);
    await db.raw(`INSERT INTO event_delivery_attempts (delivery_id, event_id, endpoint_id, attempted_at, http_status, latency_ms)
                  SELECT id, event_id, endpoint_id, now(), 200, 5 FROM event_deliveries`);
    await db.raw('VACUUM ANALYZE');
    const seedMs = Date.now() - seeded;

    // Status updates of recent messages, one after another, each 'delivered' then 'read'.
    let next = 1;
    let lockTimeouts = 0;
    let stop = false;
    const statusLoop = async (latencies: number[]) => {
      while (!stop && next <= RECENT) {
        const wamid = `wamid.recent.${next++}`;
        for (const status of ['delivered', 'read'] as const) {
          const started = performance.now();
          try {
            await recordStatusEvent(impatient, { platformMessageId: wamid, status, occurredAt: new Date() });
            latencies.push(performance.now() - started);
          } catch (error) {
            if ((error as { code?: string }).code === '55P03') lockTimeouts++;
            else throw error;
          }
        }
      }
    };
    const alone: number[] = [];
    const baseline = statusLoop(alone);
    await new Promise((r) => setTimeout(r, BASELINE_MS));
    stop = true;
    await baseline;

    stop = false;
    const during: number[] = [];
    const loop = statusLoop(during);
    const settings = loadConfig({}).retention;
    const removed: Record<string, number> = {};
    let rounds = 0;
    let batches = 0;
    let roundMs = 0;
    for (;;) {
      const round = await runRetentionRound(db, settings);
      rounds++;
      batches += round.batches;
      roundMs += round.durationMs;
      for (const [table, n] of Object.entries(round.removed)) removed[table] = (removed[table] ?? 0) + n;
      if (round.unfinished.length === 0) break;
    }
    stop = true;
    await loop;
    const deleted = Object.values(removed).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'retention',
        rows_per_kind: ROWS,
        seed_ms: seedMs,
        settings,
        rounds,
        batches,
        round_ms: roundMs,
        removed,
        rows_deleted_per_s: Math.round(deleted / (roundMs / 1000)),
        messages_deleted_per_s: Math.round((removed.messages ?? 0) / (roundMs / 1000)),
        status_updates_alone: summary(alone),
        status_updates_during_rounds: summary(during),
        status_lock_timeouts: lockTimeouts,
      })}\n`,
    );
  } finally {
    await impatient.destroy();
    await db.destroy();
    await database.drop();
    await postgres.stop();
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench:retention failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
}
process.exit(process.exitCode ?? 0);
