/**
 * The baselines: bare Koa + pg (a pg.Pool of the server's default size, 10), no auth, no
 * validation, the JSON body parsed by hand. Routes:
 *   POST /three       — one transaction: INSERT a message, an idempotency row, a job (the shape of a send)
 *   POST /one         — one INSERT of a message
 *   GET  /select/:id  — one SELECT by primary key
 * Tables (bench_messages, bench_idempotency, bench_jobs) are created by run.ts. Reports its port
 * over IPC; exits when the parent disconnects or says `stop`.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import pg from 'pg';

const url = process.env.BENCH_DATABASE_URL;
if (!url || !process.send) throw new Error('baseline-child.ts is started by test/bench/run.ts');
const pool = new pg.Pool({ connectionString: url, max: 10 });

async function readJson(ctx: Koa.Context): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

const INSERT_MESSAGE = `INSERT INTO bench_messages (id, organization_id, to_number, content) VALUES ($1, $2, $3, $4)
  RETURNING id, status, to_number, created_at`;
const ORG = randomUUID();

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.method === 'POST' && ctx.path === '/three') {
    const body = await readJson(ctx);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const id = randomUUID();
      const { rows } = await client.query(INSERT_MESSAGE, [id, ORG, body.to, JSON.stringify(body.template)]);
      await client.query(`INSERT INTO bench_idempotency (key_id, key, response) VALUES ($1, $2, $3)`, [
        ORG,
        ctx.get('idempotency-key'),
        JSON.stringify(rows[0]),
      ]);
      await client.query(`INSERT INTO bench_jobs (task, payload) VALUES ('deliver_message', json_build_object('message_id', $1::text))`, [
        id,
      ]);
      await client.query('COMMIT');
      ctx.status = 202;
      ctx.body = rows[0];
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  } else if (ctx.method === 'POST' && ctx.path === '/one') {
    const body = await readJson(ctx);
    const { rows } = await pool.query(INSERT_MESSAGE, [randomUUID(), ORG, body.to, JSON.stringify(body.template)]);
    ctx.status = 202;
    ctx.body = rows[0];
  } else if (ctx.method === 'GET' && ctx.path.startsWith('/select/')) {
    const { rows } = await pool.query(`SELECT id, status, to_number, content, created_at FROM bench_messages WHERE id = $1`, [
      ctx.path.slice('/select/'.length),
    ]);
    if (rows.length === 0) ctx.status = 404;
    else ctx.body = rows[0];
  } else {
    ctx.status = 404;
  }
});
const server = app.listen(0, '127.0.0.1');
server.once('listening', () => process.send!({ port: (server.address() as AddressInfo).port }));
const stop = () => {
  server.closeAllConnections();
  server.close();
  void pool.end().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3_000).unref();
};
process.on('message', (m) => m === 'stop' && stop());
process.on('disconnect', stop);
