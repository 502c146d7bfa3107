/**
 * The worker process (`npm run worker`, which runs the event runner beside message delivery)
 * killed with SIGKILL while it delivers events, and another started: every event reaches every
 * endpoint (none lost), and an event delivered twice keeps its webhook-id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../support/contract.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164 } from '../support/tenants.ts';
import { startReceiver, until, type Receiver } from '../support/webhook-receiver.ts';

function startWorker(env: Record<string, string>): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/src/worker-main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited };
}

describe('the worker killed during event delivery', function () {
  this.timeout(150_000);
  const workers: Array<ReturnType<typeof startWorker>> = [];
  const receivers: Receiver[] = [];

  after(async () => {
    for (const w of workers) {
      w.child.kill('SIGKILL');
      await w.exited;
    }
    for (const r of receivers) await r.close();
  });

  it('loses no event; duplicates keep their webhook-id', async () => {
    const tenant = await newTenant(harness.db);
    const client = harness.server.anonymous.withKey(
      (await tenant.key({ scopes: ['whatsapp:send', 'webhooks:manage'], rateLimitPerMinute: 10_000 })).plaintext,
    );
    for (let i = 0; i < 2; i++) {
      const r = await startReceiver(() => ({ status: 200, delayMs: 150 }));
      receivers.push(r);
      const res = await client.post('/v1/webhook_endpoints', { url: r.url, enabled_events: ['message.received'] });
      expect(res.status, res.text).to.equal(201);
    }
    const events = 25;
    for (let i = 0; i < events; i++) {
      const res = await client.post('/v1/whatsapp/sandbox/inbound', {
        agent_id: tenant.agent.id,
        from: tenant.from,
        to: randomE164(),
        text: { body: `n${i}` },
      });
      expect(res.status).to.equal(200);
    }
    const eventIds = (
      await harness.db('events').where({ organization_id: tenant.organization.id, type: 'message.received' }).select('id')
    ).map((r) => r.id as string);
    expect(eventIds).to.have.length(events);

    const env = {
      DATABASE_URL: harness.database.connectionString,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_RETRY_SCHEDULE_MS: '200,200,200,200,200',
      EVENT_WORKER_CONCURRENCY: '4',
    };
    const first = startWorker(env);
    workers.push(first);
    await until('some deliveries before the kill', () => receivers.every((r) => r.received.length >= 3), 60_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = receivers.map((r) => r.received.length);
    expect(Math.min(...atKill), 'killed mid-way').to.be.below(events);

    workers.push(startWorker(env));
    const delivered = (r: Receiver) => new Set(r.received.map((x) => x.event.id));
    await until('every event at every endpoint', () => receivers.every((r) => delivered(r).size === events), 100_000);
    for (const r of receivers) {
      expect([...delivered(r)].sort()).to.deep.equal([...eventIds].sort());
      for (const item of r.all) expect(item.headers['webhook-id']).to.equal(item.event.id);
    }
    const duplicates = receivers.reduce((n, r) => n + r.all.length - delivered(r).size, 0);
    // At most the deliveries in flight at the kill (one per endpoint) arrive twice.
    expect(duplicates).to.be.at.most(receivers.length);
  });
});
