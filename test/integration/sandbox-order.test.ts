/**
 * The sandbox reports a message's statuses in order however late the worker runs them: each
 * status's job queues the next one when it is recorded, so `delivered` and `read` are never due
 * (nor run) at the same time. Real worker, real queue, the shared server.
 */
import { expect } from 'chai';
import { startDeliveryWorker, type DeliveryWorker } from '../../server/src/delivery/worker.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { createCloudApiClient } from '../../server/src/whatsapp/cloud-api.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164 } from '../support/tenants.ts';

const worker = (sandboxStepMs: number, pollIntervalMs: number): Promise<DeliveryWorker> =>
  startDeliveryWorker({
    connectionString: harness.database.connectionString,
    concurrency: 8,
    pollIntervalMs,
    deps: {
      db: harness.db,
      cloudApi: createCloudApiClient({ baseUrl: 'http://127.0.0.1:9', graphVersion: 'v23.0', timeoutMs: 1_000 }),
      secrets: null,
      logger: silentLogger,
      sandboxStepMs,
    },
  });

async function until<T>(what: string, probe: () => Promise<T | undefined>, tries = 300): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('sandbox statuses come in order (integration)', function () {
  this.timeout(60_000);

  it('queues one status at a time, carrying the next; with every step overdue they still apply delivered, then read', async () => {
    const tenant = await newTenant(harness.db);
    const client = harness.server.anonymous.withKey((await tenant.key({ rateLimitPerMinute: 1_000 })).plaintext);
    const send = async () => {
      // The customer writes first (a simulated inbound message), which opens the window for text.
      const inbound = await client.post('/v1/whatsapp/sandbox/inbound', {
        agent_id: tenant.agent.id,
        from: tenant.from,
        to: randomE164(),
        text: { body: 'Hello' },
      });
      expect(inbound.status, inbound.text).to.equal(200);
      const customer = (inbound.body as { to: string }).to;
      const res = await client.post('/v1/whatsapp/messages', {
        agent_id: tenant.agent.id,
        from: tenant.from,
        to: customer,
        text: { body: 'Hi' },
      });
      expect(res.status, res.text).to.equal(202);
      return (res.body as { id: string }).id;
    };
    const wamidOf = (id: string) => `wamid.sandbox.${id.replace(/-/g, '')}`;

    // A long step: once the message is handed over, its first status waits in the queue alone.
    const slow = await worker(60_000, 100);
    const first = await send();
    let jobs: Array<{ payload: { status: string; next?: Array<{ status: string }> } }>;
    try {
      jobs = await until('the first sandbox status job', async () => {
        // The queue's own table (its public view hides payloads), as the queue canary pins it.
        const { rows } = await harness.db.raw<{ rows: Array<{ payload: { status: string; next?: Array<{ status: string }> } }> }>(
          `SELECT j.payload FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
            WHERE t.identifier = 'sandbox_status' AND j.payload->>'wamid' = ?`,
          [wamidOf(first)],
        );
        return rows.length > 0 ? rows : undefined;
      });
    } finally {
      await slow.stop();
    }
    expect(jobs.map((j) => [j.payload.status, (j.payload.next ?? []).map((n) => n.status)])).to.deep.equal([['delivered', ['read']]]);

    // Steps of 10 ms and a worker that looks for jobs once a second: every step is overdue when it runs.
    const late = await worker(10, 1_000);
    try {
      const second = await send();
      const events = await until('delivered and read', async () => {
        const rows = await harness.db('message_events').where({ message_id: second }).orderBy('id').select('status');
        return rows.length >= 2 ? rows.map((r) => r.status as string) : undefined;
      });
      expect(events).to.deep.equal(['delivered', 'read']);
      const kinds = await harness.db('events').where({ message_id: second }).orderBy('created_at').select('type');
      expect(kinds.map((k) => k.type)).to.deep.equal(['message.sent', 'message.delivered', 'message.read']);
    } finally {
      await late.stop();
    }
  });
});
