/**
 * `npm run bench:events`: events delivered per second to local receivers and the event lag
 * (event creation to its arrival at the receiver, p50/p99), through the real event runner and
 * PostgreSQL. ENDPOINTS receivers on 127.0.0.1 (each answers 200 at once); EVENTS inbound
 * events fanned out to all of them, recorded in batches as the inbound path records them.
 * Run alone it prints one JSON line, bounded by a deadline; `npm run bench` calls benchEvents.
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import { startEventWorker } from '../../server/src/delivery/events/runner.ts';
import { createAgent } from '../../server/src/domain/agents.ts';
import { createOrganization } from '../../server/src/domain/organizations.ts';
import { recordInboundEvent } from '../../server/src/domain/webhooks/events.ts';
import { newSigningSecret } from '../../server/src/domain/webhooks/signing.ts';
import { sealSecret } from '../../server/src/domain/webhooks/stored-secret.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { createCloudApiClient } from '../../server/src/whatsapp/cloud-api.ts';
import { createFreshDatabase, startTestPostgres, type TestPostgres } from '../support/postgres.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000);
const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 8);
const CONCURRENCY = Number(process.env.EVENT_WORKER_CONCURRENCY ?? 16);
const DEADLINE_MS = 240_000;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export interface EventsResult {
  readonly events: number;
  readonly endpoints: number;
  readonly concurrency: number;
  readonly deliveries: number;
  readonly expected: number;
  readonly deliveries_per_second: number;
  readonly lag_ms: { readonly p50: number; readonly p99: number; readonly max: number };
}

export async function benchEvents(
  postgres: TestPostgres,
  limitMs = DEADLINE_MS - 30_000,
  size: { readonly events: number; readonly endpoints: number } = { events: EVENTS, endpoints: ENDPOINTS },
): Promise<EventsResult> {
  const database = await createFreshDatabase(postgres.adminUrl, 'bench_events');
  const db = createDatabase({ connectionString: database.connectionString, poolMax: 20, logger: silentLogger });
  const lags: number[] = [];
  let lastAt = 0;
  const servers: http.Server[] = [];
  try {
    await migrateToLatest(db);
    const organization = await createOrganization(db, { name: 'Events bench', plan: 'professional', monthlyMessageQuota: 1_000_000 });
    const agent = await createAgent(db, { organizationId: organization.id, name: 'Bench agent' });
    const createdAt = new Map<string, number>();
    for (let i = 0; i < size.endpoints; i++) {
      const server = http.createServer((req, res) => {
        const id = req.headers['webhook-id'] as string;
        req.resume();
        req.on('end', () => {
          const now = Date.now();
          lastAt = now;
          const at = createdAt.get(id);
          if (at !== undefined) lags.push(now - at);
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      await db('webhook_endpoints').insert({
        organization_id: organization.id,
        environment: 'test',
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
        enabled_events: ['*'],
        secret: sealSecret(null, newSigningSecret()),
      });
    }
    const deps = {
      db,
      cloudApi: createCloudApiClient({ baseUrl: 'http://127.0.0.1:9', graphVersion: 'v23.0', timeoutMs: 1_000 }),
      secrets: null,
      logger: silentLogger,
      sandboxStepMs: 1_000,
    };
    const worker = await startEventWorker({
      connectionString: database.connectionString,
      deps,
      concurrency: CONCURRENCY,
      pollIntervalMs: 200,
    });
    const start = Date.now();
    for (let batch = 0; batch < size.events; batch += 100) {
      await db.transaction(async (trx) => {
        for (let i = batch; i < Math.min(size.events, batch + 100); i++) {
          const id = await recordInboundEvent(trx, {
            organizationId: organization.id,
            environment: 'test',
            inboundMessageId: randomUUID(),
            conversationId: randomUUID(),
            agentId: agent.id,
            customerNumber: '+15550000001',
            businessNumber: '+15550000002',
            type: 'text',
            content: { body: `n${i}` },
            receivedAt: new Date(),
            platformMessageId: null,
            createdAt: new Date(),
          });
          createdAt.set(id, Date.now());
        }
      });
    }
    const expected = size.events * size.endpoints;
    while (lags.length < expected && Date.now() - start < limitMs) await new Promise((r) => setTimeout(r, 50));
    await worker.stop();
    const sorted = [...lags].sort((a, b) => a - b);
    const seconds = Math.max(0.001, (lastAt - start) / 1000);
    return {
      events: size.events,
      endpoints: size.endpoints,
      concurrency: CONCURRENCY,
      deliveries: lags.length,
      expected,
      deliveries_per_second: Math.round(lags.length / seconds),
      lag_ms: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? 0 },
    };
  } finally {
    for (const s of servers) s.close();
    await db.destroy();
    await database.drop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const deadline = setTimeout(() => {
    process.stderr.write('bench:events: deadline reached\n');
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();
  const postgres = await startTestPostgres();
  try {
    const r = await benchEvents(postgres);
    process.stdout.write(`${JSON.stringify(r)}\n`);
    if (r.deliveries < r.expected) process.exitCode = 1;
  } catch (error) {
    process.stderr.write(`bench:events failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    await postgres.stop();
  }
  process.exit(process.exitCode ?? 0);
}
