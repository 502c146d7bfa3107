import { expect } from 'chai';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164 } from '../support/tenants.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';

// GET /v1/whatsapp/messages/{id} is one round trip: the operation's attached lookup runs in the
// key's authentication statement, and sees only what that key may see.

interface Recorded {
  readonly name: string | undefined;
  readonly bindings: readonly unknown[];
}

async function recording<T>(run: () => Promise<T>): Promise<{ result: T; queries: Recorded[] }> {
  const queries: Recorded[] = [];
  const listener = (q: { bindings?: readonly unknown[]; options?: { name?: string } }) =>
    queries.push({ name: q.options?.name, bindings: q.bindings ?? [] });
  harness.db.on('query', listener);
  try {
    return { result: await run(), queries };
  } finally {
    harness.db.removeListener('query', listener);
  }
}

describe('GET status: the lookup attached to the key query', () => {
  it('answers with one statement, and only to a key that may see the message', async function () {
    this.timeout(30_000);
    const tenant = await newTenant(harness.db);
    const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
    await upsertTemplate(harness.db, connection.id, templateFromMeta(EXAMPLE_TEMPLATES[0]));
    const owner = harness.server.anonymous.withKey((await tenant.key()).plaintext);
    const sent = await owner.post('/v1/whatsapp/templates', {
      agent_id: tenant.agent.id,
      from: tenant.from,
      to: randomE164(),
      template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'S', tracking_url: 'u' } },
    });
    expect(sent.status).to.equal(202);
    const id = sent.body.id as string;

    const own = await recording(() => owner.get(`/v1/whatsapp/messages/${id}`));
    expect(own.result.status).to.equal(200);
    expect(own.result.body.id).to.equal(id);
    const keyQueries = own.queries.filter((q) => q.name?.startsWith('mojeeb_authenticate_key'));
    expect(keyQueries.map((q) => q.name)).to.deep.equal(['mojeeb_authenticate_key+get_message']);
    // No other statement of the request read the message.
    expect(own.queries.filter((q) => q.bindings.includes(id))).to.have.length(1);

    const other = harness.server.anonymous.withKey((await (await newTenant(harness.db)).key()).plaintext);
    const foreign = await recording(() => other.get(`/v1/whatsapp/messages/${id}`));
    expect(foreign.result.status).to.equal(404);
    expect(foreign.result.body.error.code).to.equal('message_not_found');
    expect(foreign.queries.filter((q) => q.bindings.includes(id)).map((q) => q.name)).to.deep.equal([
      'mojeeb_authenticate_key+get_message',
    ]);

    // The same organization, but another agent only, or the live environment: not found either.
    const otherAgent = await tenant.addAgent();
    const restricted = harness.server.anonymous.withKey((await tenant.key({ agentIds: [otherAgent.id] })).plaintext);
    expect((await restricted.get(`/v1/whatsapp/messages/${id}`)).status).to.equal(404);
    const live = harness.server.anonymous.withKey((await tenant.key({ environment: 'live' })).plaintext);
    expect((await live.get(`/v1/whatsapp/messages/${id}`)).status).to.equal(404);
    const allowed = harness.server.anonymous.withKey((await tenant.key({ agentIds: [tenant.agent.id] })).plaintext);
    expect((await allowed.get(`/v1/whatsapp/messages/${id}`)).status).to.equal(200);

    // An id that cannot exist attaches nothing: the key query alone.
    const malformed = await recording(() => owner.get('/v1/whatsapp/messages/not-a-uuid'));
    expect(malformed.result.status).to.be.oneOf([404, 422]);
    expect(malformed.queries.filter((q) => q.name?.startsWith('mojeeb_authenticate_key')).map((q) => q.name)).to.deep.equal([
      'mojeeb_authenticate_key',
    ]);
  });
});
