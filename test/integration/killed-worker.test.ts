/**
 * A delivery worker process (`npm run worker`) killed with SIGKILL in the middle of a batch, and
 * another started: WhatsApp (the fake Meta) receives no message twice, and no message is left
 * behind — each ends handed over (sent or later) or, only when its attempt was cut before
 * WhatsApp could confirm it and no confirmation ever came, failed as `expired`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import { SecretBox } from '../../server/src/domain/secrets.ts';
import { repoRoot } from '../support/contract.ts';
import { startFakeMeta, type FakeMeta } from '../support/fake-meta/index.ts';
import { harness, startServer, type TestServer } from '../support/harness.ts';
import { busiestSecondOf } from '../support/pacing.ts';
import { liveNumberTenant } from '../support/tenants.ts';

const APP_SECRET = randomBytes(16).toString('hex');

function startWorker(env: Record<string, string>): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/src/worker-main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited };
}

describe('a delivery worker killed mid-batch', function () {
  this.timeout(120_000);
  let fake: FakeMeta;
  let server: TestServer;
  const workers: Array<ReturnType<typeof startWorker>> = [];

  after(async () => {
    for (const w of workers) {
      w.child.kill('SIGKILL');
      await w.exited;
    }
    await server?.close();
    await fake?.stop();
  });

  it('sends nothing twice and leaves no message behind after a restart', async () => {
    const phoneNumberId = String(200_000_000_000_000 + Math.floor(Math.random() * 1e12));
    const accessToken = `EAAG${randomBytes(24).toString('hex')}`;
    const key = randomBytes(32);
    fake = await startFakeMeta({
      phoneNumbers: [{ phoneNumberId, accessToken }],
      latencyMs: 15,
      firstStatusDelayMs: 10,
      statusDelayMs: 20,
    });
    server = await startServer({ db: harness.db, metaAppSecret: APP_SECRET, metaVerifyToken: 'v' });
    fake.setWebhookTarget({ callbackUrl: `${server.baseUrl}/webhooks/whatsapp`, appSecret: APP_SECRET });

    const number = await liveNumberTenant(harness.db, server.anonymous, new SecretBox(key), {
      phoneNumberId,
      accessToken,
      messagesPerSecond: 40,
    });
    const ids = await number.sendTemplates(120);
    const ours = () => fake.accepted.filter((a) => a.callbackData !== null && ids.includes(a.callbackData));

    const env = {
      DATABASE_URL: harness.database.connectionString,
      META_GRAPH_BASE_URL: fake.url,
      ENCRYPTION_KEY: key.toString('base64'),
      WORKER_CONCURRENCY: '8',
      DELIVERY_RECONCILE_AFTER_MS: '3000',
      SANDBOX_STEP_MS: '20',
    };
    const first = startWorker(env);
    workers.push(first);
    const deadline = Date.now() + 60_000;
    while (ours().length < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = ours().length;
    expect(atKill, 'the worker was killed mid-batch').to.be.within(30, ids.length - 1);

    workers.push(startWorker(env));
    const settled = async () =>
      Number((await harness.db('messages').whereIn('id', ids).where({ status: 'queued' }).count('id as n').first())!.n) === 0;
    const until = Date.now() + 90_000;
    while (!(await settled()) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(await settled(), 'no message left queued').to.equal(true);
    await fake.webhooksIdle(10_000);

    expect(fake.duplicateSends(), 'no message sent twice').to.deep.equal([]);
    expect(fake.invalidRequests()).to.deep.equal([]);
    const rows = await harness.db('messages').whereIn('id', ids).select('id', 'status', 'error_code');
    const acceptedIds = new Set(ours().map((a) => a.callbackData));
    for (const row of rows) {
      if (acceptedIds.has(row.id)) expect(row.status, `message ${row.id}`).to.be.oneOf(['sent', 'delivered', 'read']);
      else
        expect({ status: row.status, error_code: row.error_code }, `message ${row.id} never reached WhatsApp`).to.deep.equal({
          status: 'failed',
          error_code: 'expired',
        });
    }
    const expired = rows.filter((r) => r.status === 'failed').length;
    expect(expired, 'only attempts cut by the kill can expire').to.be.at.most(8);
    expect(acceptedIds.size + expired).to.equal(ids.length);
    // Pacing: the number never went over its 40 messages per second, in any sliding second
    // (as the fake Meta counts arrivals, and from their recorded times), across the kill and the restart.
    expect(fake.stats().maxPerSecondByNumber[phoneNumberId] ?? 0).to.be.at.most(40);
    expect(busiestSecondOf(fake, phoneNumberId)).to.be.at.most(40);
  });
});
