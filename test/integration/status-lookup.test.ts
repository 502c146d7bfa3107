import { expect } from 'chai';
import { KeyCache } from '../../server/src/domain/api-keys/key-cache.ts';
import { listenForKeyChanges, type KeyChangeListener } from '../../server/src/domain/api-keys/key-notifications.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness, startServer, type TestServer } from '../support/harness.ts';
import { newTenant, randomE164 } from '../support/tenants.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';

// GET /v1/whatsapp/messages/{id}: with the key in the process's cache, the request's only
// statement is the message's SELECT, which sees only what that key may see.

interface Recorded {
  readonly name: string | undefined;
  readonly sql: string;
  readonly bindings: readonly unknown[];
}

async function recording<T>(run: () => Promise<T>): Promise<{ result: T; queries: Recorded[] }> {
  const queries: Recorded[] = [];
  const listener = (q: { sql: string; bindings?: readonly unknown[]; options?: { name?: string } }) =>
    queries.push({ name: q.options?.name, sql: q.sql, bindings: q.bindings ?? [] });
  harness.db.on('query', listener);
  try {
    return { result: await run(), queries };
  } finally {
    harness.db.removeListener('query', listener);
  }
}

describe('GET status: one SELECT with the key cached', () => {
  let server: TestServer;
  let changes: KeyChangeListener;

  before(async () => {
    const keyCache = new KeyCache({ maxAgeMs: 60_000 });
    changes = listenForKeyChanges(harness.database.connectionString, keyCache, silentLogger);
    await changes.started;
    server = await startServer({ db: harness.db, keyCache });
  });

  after(async () => {
    await server?.close();
    await changes?.stop();
  });

  it('answers with the message SELECT alone, and only to a key that may see the message', async function () {
    this.timeout(30_000);
    const tenant = await newTenant(harness.db);
    const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
    await upsertTemplate(harness.db, connection.id, templateFromMeta(EXAMPLE_TEMPLATES[0]));
    // A limit of 1,000: a lease grants up to 100 requests, so the reads below lease at most twice.
    const owner = server.anonymous.withKey((await tenant.key({ rateLimitPerMinute: 1_000 })).plaintext);
    const sent = await owner.post('/v1/whatsapp/templates', {
      agent_id: tenant.agent.id,
      from: tenant.from,
      to: randomE164(),
      template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'S', tracking_url: 'u' } },
    });
    expect(sent.status).to.equal(202);
    const id = sent.body.id as string;

    // The send looked the key up and leased; reads then find the key in the cache.
    const reads = [];
    for (let i = 0; i < 5; i++) reads.push(await recording(() => owner.get(`/v1/whatsapp/messages/${id}`)));
    for (const read of reads) {
      expect(read.result.status).to.equal(200);
      expect(read.result.body.id).to.equal(id);
      expect(read.queries.filter((q) => q.name === 'mojeeb_authenticate_key')).to.have.length(0);
      expect(read.queries.filter((q) => q.bindings.includes(id)).map((q) => q.name)).to.deep.equal(['mojeeb_message_status']);
    }
    // (The send's queue notification may be recorded during the first read: not the read's own.)
    const statements = reads.map((r) => r.queries.map((q) => q.name ?? q.sql).filter((q) => !q.startsWith('SELECT pg_notify(')));
    const alone = statements.filter((s) => s.length === 1 && s[0] === 'mojeeb_message_status');
    // Blocks of 2 then 4 tokens: at most one of the five reads leases.
    expect(alone.length, `statements per read: ${JSON.stringify(statements)}`).to.be.at.least(4);
    for (const s of statements) expect(s.filter((n) => n !== 'mojeeb_message_status' && n !== 'mojeeb_lease_rate')).to.deep.equal([]);

    const other = server.anonymous.withKey((await (await newTenant(harness.db)).key()).plaintext);
    const foreign = await recording(() => other.get(`/v1/whatsapp/messages/${id}`));
    expect(foreign.result.status).to.equal(404);
    expect(foreign.result.body.error.code).to.equal('message_not_found');
    expect(foreign.queries.filter((q) => q.bindings.includes(id)).map((q) => q.name)).to.deep.equal(['mojeeb_message_status']);

    // The same organization, but another agent only, or the live environment: not found either.
    const otherAgent = await tenant.addAgent();
    const restricted = server.anonymous.withKey((await tenant.key({ agentIds: [otherAgent.id] })).plaintext);
    expect((await restricted.get(`/v1/whatsapp/messages/${id}`)).status).to.equal(404);
    const live = server.anonymous.withKey((await tenant.key({ environment: 'live' })).plaintext);
    expect((await live.get(`/v1/whatsapp/messages/${id}`)).status).to.equal(404);
    const allowed = server.anonymous.withKey((await tenant.key({ agentIds: [tenant.agent.id] })).plaintext);
    expect((await allowed.get(`/v1/whatsapp/messages/${id}`)).status).to.equal(200);

    // An id that cannot exist reads nothing.
    const malformed = await recording(() => owner.get('/v1/whatsapp/messages/not-a-uuid'));
    expect(malformed.result.status).to.be.oneOf([404, 422]);
    expect(malformed.queries.filter((q) => q.name === 'mojeeb_message_status')).to.deep.equal([]);
  });
});
