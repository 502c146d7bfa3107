import { expect } from 'chai';
import { revokeApiKey, rotateApiKey } from '../../server/src/domain/api-keys/store.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { ContractClient } from '../support/contract.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { startListeningServer, type ListeningServer } from '../support/processes.ts';
import { newTenant, randomE164, type Tenant } from '../support/tenants.ts';

// The key cache of real server processes: a change made in the database reaches every process
// through the key change notifications, and without them nothing is served past the cache's
// maximum age (KEY_CACHE_MAX_AGE_MS, documented in docs/operating.md).

const NO_MESSAGE = '/v1/whatsapp/messages/01c45011-d803-4eb0-a762-3228a4c392f3';
/** How long a notified change may take to hold in every process (it takes milliseconds). */
const NOTIFIED_WITHIN_MS = 5_000;

/** Polls `check` every 50 ms until it is true; fails after `withinMs`. Returns the time it took. */
async function until(what: string, withinMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function sentMessage(tenant: Tenant, client: ContractClient): Promise<string> {
  const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
  await upsertTemplate(harness.db, connection.id, templateFromMeta(EXAMPLE_TEMPLATES[0]));
  const sent = await client.post('/v1/whatsapp/templates', {
    agent_id: tenant.agent.id,
    from: tenant.from,
    to: randomE164(),
    template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'S', tracking_url: 'u' } },
  });
  expect(sent.status, JSON.stringify(sent.body)).to.equal(202);
  return sent.body.id as string;
}

describe('key cache across server processes', function () {
  this.timeout(120_000);
  const processes: ListeningServer[] = [];

  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
  });

  describe('with notifications (and a maximum age of a minute, so that only they can explain a prompt change)', () => {
    let servers: ListeningServer[];
    before(async () => {
      const url = harness.database.connectionString;
      const env = { KEY_CACHE_MAX_AGE_MS: '60000' };
      servers = await Promise.all([startListeningServer(url, env), startListeningServer(url, env)]);
      processes.push(...servers);
      await Promise.all(servers.map((s) => s.waitFor(/key change notifications listening/)));
    });

    const clientsFor = (plaintext: string) => servers.map((s) => new ContractClient(s.baseUrl, undefined, plaintext));

    it('refuses a revoked key in both processes, and a new key works on its first request', async () => {
      const tenant = await newTenant(harness.db);
      const { record, plaintext } = await tenant.key();
      const clients = clientsFor(plaintext);
      for (const c of clients) expect((await c.get(NO_MESSAGE)).status).to.equal(404); // first request: 404, not 401
      for (const c of clients) expect((await c.get(NO_MESSAGE)).status).to.equal(404); // cached

      expect(await revokeApiKey(harness.db, record.id, 'test')).to.equal(true);
      const took = await Promise.all(
        clients.map((c, i) =>
          until(`process ${i} refuses the revoked key`, NOTIFIED_WITHIN_MS, async () => {
            const res = await c.get(NO_MESSAGE);
            return res.status === 401 && res.body.error.code === 'revoked_api_key';
          }),
        ),
      );
      console.log(`      revoked key refused after ${took.join(' ms and ')} ms (maximum age 60000 ms)`);
    });

    it('refuses a rotated key in both processes, and serves its replacement at once', async () => {
      const tenant = await newTenant(harness.db);
      const { record, plaintext } = await tenant.key();
      const clients = clientsFor(plaintext);
      for (const c of clients) expect((await c.get(NO_MESSAGE)).status).to.equal(404);
      const rotated = await rotateApiKey(harness.db, record.id);
      for (const c of clientsFor(rotated.plaintext)) expect((await c.get(NO_MESSAGE)).status).to.equal(404);
      for (const [i, c] of clients.entries())
        await until(`process ${i} refuses the rotated key`, NOTIFIED_WITHIN_MS, async () => (await c.get(NO_MESSAGE)).status === 401);
    });

    it('applies a scope, allow-list, rate-limit, expiry and plan change made in SQL in both processes', async () => {
      const tenant = await newTenant(harness.db);
      const { record, plaintext } = await tenant.key({ rateLimitPerMinute: 1_000 });
      const clients = clientsFor(plaintext);
      const id = await sentMessage(tenant, clients[0]!);
      const path = `/v1/whatsapp/messages/${id}`;
      for (const c of clients) expect((await c.get(path)).status).to.equal(200);
      const change = async (what: string, sql: string, bindings: readonly unknown[], holds: (c: ContractClient) => Promise<boolean>) => {
        await harness.db.raw(sql, bindings as never);
        for (const [i, c] of clients.entries()) await until(`process ${i}: ${what}`, NOTIFIED_WITHIN_MS, () => holds(c));
      };

      await change('rate limit', 'UPDATE api_keys SET rate_limit_per_minute = 900 WHERE id = ?', [record.id], async (c) => {
        const res = await c.get(path);
        return res.status === 200 && res.headers.get('x-ratelimit-limit') === '900';
      });
      const other = await tenant.addAgent();
      await change('allow-list', 'UPDATE api_keys SET agent_ids = ARRAY[?::uuid] WHERE id = ?', [other.id, record.id], async (c) => {
        return (await c.get(path)).status === 404;
      });
      await change('allow-list back', 'UPDATE api_keys SET agent_ids = NULL WHERE id = ?', [record.id], async (c) => {
        return (await c.get(path)).status === 200;
      });
      await change('scopes', `UPDATE api_keys SET scopes = ARRAY['webhooks:manage'] WHERE id = ?`, [record.id], async (c) => {
        const res = await c.get(path);
        return res.status === 403 && res.body.error.code === 'insufficient_scope';
      });
      await change('scopes back', `UPDATE api_keys SET scopes = ARRAY['whatsapp:read'] WHERE id = ?`, [record.id], async (c) => {
        return (await c.get(path)).status === 200;
      });
      await change('plan', `UPDATE organizations SET plan = 'free' WHERE id = ?`, [tenant.organization.id], async (c) => {
        const res = await c.get(path);
        return res.status === 403 && res.body.error.code === 'plan_upgrade_required';
      });
      await change('plan back', `UPDATE organizations SET plan = 'professional' WHERE id = ?`, [tenant.organization.id], async (c) => {
        return (await c.get(path)).status === 200;
      });
      await change('expiry', `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = ?`, [record.id], async (c) => {
        const res = await c.get(path);
        return res.status === 401 && res.body.error.code === 'expired_api_key';
      });
    });

    it('expires a cached key on time, with no change notified', async () => {
      const tenant = await newTenant(harness.db);
      const expiresAt = new Date(Date.now() + 3_000);
      const { plaintext } = await tenant.key({ expiresAt });
      const clients = clientsFor(plaintext);
      for (const c of clients) expect((await c.get(NO_MESSAGE)).status).to.equal(404);
      await new Promise((r) => setTimeout(r, Math.max(0, expiresAt.getTime() - Date.now() + 50)));
      for (const c of clients) {
        const res = await c.get(NO_MESSAGE);
        expect(res.status).to.equal(401);
        expect(res.body.error.code).to.equal('expired_api_key');
      }
    });
  });

  describe('with notifications lost', () => {
    const MAX_AGE_MS = 3_000;

    /** Requests the key until it is refused; no request that started MAX_AGE_MS after `changedAt` was served. */
    async function servedNoLongerThanMaxAge(
      client: ContractClient,
      changedAt: number,
    ): Promise<{ served: number; refusedAfterMs: number }> {
      let served = 0;
      const refusedAfterMs = await until('the revoked key is refused', MAX_AGE_MS + 5_000, async () => {
        const startedAt = Date.now();
        const res = await client.get(NO_MESSAGE);
        if (res.status !== 401) {
          served += 1;
          expect(startedAt - changedAt, 'a revoked key was served past the maximum age').to.be.below(MAX_AGE_MS);
        }
        return res.status === 401;
      });
      return { served, refusedAfterMs };
    }

    it('KEY_CACHE_NOTIFICATIONS=false: a revoked key is served at most the maximum age', async () => {
      const server = await startListeningServer(harness.database.connectionString, {
        KEY_CACHE_MAX_AGE_MS: String(MAX_AGE_MS),
        KEY_CACHE_NOTIFICATIONS: 'false',
      });
      processes.push(server);
      const tenant = await newTenant(harness.db);
      const { record, plaintext } = await tenant.key();
      const client = new ContractClient(server.baseUrl, undefined, plaintext);
      expect((await client.get(NO_MESSAGE)).status).to.equal(404);
      await revokeApiKey(harness.db, record.id, 'test');
      const outcome = await servedNoLongerThanMaxAge(client, Date.now());
      // Without notifications the cached key is served until its entry is too old: proof the cache is used.
      expect(outcome.served).to.be.above(0);
      console.log(`      without notifications: served ${outcome.served} more times, refused after ${outcome.refusedAfterMs} ms`);
    });

    it('the listener terminated and a revocation made meanwhile: nothing past the maximum age, and notifications come back', async () => {
      const server = await startListeningServer(harness.database.connectionString, { KEY_CACHE_MAX_AGE_MS: String(MAX_AGE_MS) });
      processes.push(server);
      await server.waitFor(/key change notifications listening/);
      const tenant = await newTenant(harness.db);
      const { record, plaintext } = await tenant.key();
      const client = new ContractClient(server.baseUrl, undefined, plaintext);
      expect((await client.get(NO_MESSAGE)).status).to.equal(404);
      const backendsOf = async () =>
        (
          await harness.db.raw<{ rows: Array<{ pid: number }> }>(
            `SELECT pid FROM pg_stat_activity WHERE application_name = 'mojeeb-key-changes' AND query ILIKE 'LISTEN%'`,
          )
        ).rows.map((r) => r.pid);
      const before = await backendsOf();
      expect(before.length).to.be.at.least(1);
      // Every listener of the database, this test's servers' included: each must recover.
      await harness.db.raw('SELECT pg_terminate_backend(pid) FROM unnest(?::int[]) pid', [before]);
      await revokeApiKey(harness.db, record.id, 'test');
      const outcome = await servedNoLongerThanMaxAge(client, Date.now());
      console.log(`      listener terminated: served ${outcome.served} more times, refused after ${outcome.refusedAfterMs} ms`);

      // The listener is back: a change is notified again.
      await until('the listener reconnects', 10_000, async () =>
        /lost[\s\S]*key change notifications listening[\s\S]*$/.test(server.stdout()),
      );
      const second = await tenant.key();
      const again = new ContractClient(server.baseUrl, undefined, second.plaintext);
      expect((await again.get(NO_MESSAGE)).status).to.equal(404);
      await revokeApiKey(harness.db, second.record.id, 'test');
      await until('the second revoked key is refused', MAX_AGE_MS + 5_000, async () => (await again.get(NO_MESSAGE)).status === 401);
    });
  });
});
