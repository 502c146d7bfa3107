import { expect } from 'chai';
import { ContractClient, type ContractResponse } from '../support/contract.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { startListeningServer, type ListeningServer } from '../support/processes.ts';
import { newTenant, randomE164 } from '../support/tenants.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';

const TEMPLATES = '/v1/whatsapp/templates';

describe('a server process killed in the middle of sends', () => {
  const processes: ListeningServer[] = [];
  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
  });

  it('leaves, per request, either nothing or exactly one message with a replayable result', async function () {
    this.timeout(120_000);
    const tenant = await newTenant(harness.db);
    const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
    await upsertTemplate(harness.db, connection.id, templateFromMeta(EXAMPLE_TEMPLATES[0]));
    const { plaintext, record } = await tenant.key({ rateLimitPerMinute: 1_000_000 });
    const requests = Array.from({ length: 300 }, (_, i) => ({
      key: `crash-${i}`,
      body: {
        agent_id: tenant.agent.id,
        from: tenant.from,
        to: randomE164(),
        template: { name: 'order_shipped', language: 'en', parameters: { customer_name: `C${i}`, tracking_url: 'https://t.example' } },
      },
    }));

    // Fire everything at one process and kill it (SIGKILL, no shutdown) while sends are in flight.
    const victim = await startListeningServer(harness.database.connectionString);
    processes.push(victim);
    const client = new ContractClient(victim.baseUrl, undefined, plaintext);
    let answered = 0;
    const inFlight = requests.map(async (r) => {
      try {
        const res = await client.post(TEMPLATES, r.body, { headers: { 'Idempotency-Key': r.key } });
        answered += 1;
        return res.status;
      } catch {
        return 'lost';
      }
    });
    while (answered < 20) await new Promise((resolve) => setTimeout(resolve, 5));
    victim.child.kill('SIGKILL');
    const outcomes = await Promise.all(inFlight);
    const lost = outcomes.filter((o) => o === 'lost').length;
    expect(lost, 'some requests were cut off by the kill').to.be.greaterThan(0);
    expect(outcomes.filter((o) => o !== 'lost' && o !== 202 && o !== 409)).to.deep.equal([]);

    // After the crash: per key, nothing, or one message with its stored response.
    const stored = await harness.db('idempotency_keys').where({ api_key_id: record.id }).select('idempotency_key', 'message_id');
    const messages = await harness.db('messages').where({ api_key_id: record.id }).select('id');
    const storedIds = new Set(stored.map((s) => s.message_id as string));
    expect(messages.length, 'every message has its stored response').to.equal(stored.length);
    for (const m of messages) expect(storedIds.has(m.id as string)).to.equal(true);
    const jobs = await harness.db.raw<{ rows: Array<{ n: string }> }>(`select count(*) as n from graphile_worker.jobs where key = any(?)`, [
      messages.map((m) => `deliver_message:${m.id}`),
    ]);
    expect(Number(jobs.rows[0]!.n), 'every message has its delivery job').to.equal(messages.length);

    // Retrying every request against a fresh process: the stored ones replay, the rest are sent once.
    const survivor = await startListeningServer(harness.database.connectionString);
    processes.push(survivor);
    const retryClient = new ContractClient(survivor.baseUrl, undefined, plaintext);
    const storedKeys = new Map(stored.map((s) => [s.idempotency_key as string, s.message_id as string]));
    const retries: ContractResponse[] = [];
    for (const r of requests) retries.push(await retryClient.post(TEMPLATES, r.body, { headers: { 'Idempotency-Key': r.key } }));
    retries.forEach((res, i) => {
      expect(res.status).to.equal(202);
      const earlier = storedKeys.get(requests[i]!.key);
      if (earlier !== undefined) {
        expect(res.headers.get('idempotent-replayed')).to.equal('true');
        expect(res.body.id).to.equal(earlier);
      } else {
        expect(res.headers.get('idempotent-replayed')).to.equal(null);
      }
    });
    const total = await harness.db('messages').where({ api_key_id: record.id }).count<{ count: string }[]>('id as count');
    expect(Number(total[0]!.count), 'exactly one message per logical send').to.equal(requests.length);
  });
});
