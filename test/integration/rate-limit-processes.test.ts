import { expect } from 'chai';
import { ContractClient } from '../support/contract.ts';
import { harness } from '../support/harness.ts';
import { startListeningServer, type ListeningServer } from '../support/processes.ts';
import { awayFromMinuteBoundary, newTenant } from '../support/tenants.ts';

const SOME_MESSAGE = '/v1/whatsapp/messages/01c45011-d803-4eb0-a762-3228a4c392f3';

describe('rate limits across server processes', () => {
  const processes: ListeningServer[] = [];

  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
  });

  it('enforces one limit per key when two processes share the database', async function () {
    this.timeout(90_000);
    const url = harness.database.connectionString;
    processes.push(...(await Promise.all([startListeningServer(url), startListeningServer(url)])));
    const tenant = await newTenant(harness.db);
    const { plaintext } = await tenant.key({ rateLimitPerMinute: 10 });
    const clients = processes.map((p) => new ContractClient(p.baseUrl, undefined, plaintext));

    await awayFromMinuteBoundary(harness.db, 15);
    const statuses: number[] = [];
    // Concurrent bursts against both processes at once.
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const res = await clients[i % 2]!.get(SOME_MESSAGE);
        statuses.push(res.status);
      }),
    );
    const refused = statuses.filter((s) => s === 429).length;
    expect(statuses.length).to.equal(30);
    expect(30 - refused, `accepted across both processes (statuses: ${statuses.join(',')})`).to.equal(10);
    expect(refused).to.equal(20);
  });

  it('serves exactly the limit of a busier key from leased blocks, never more, across two processes', async function () {
    this.timeout(120_000);
    const tenant = await newTenant(harness.db);
    const limit = 300;
    const { record, plaintext } = await tenant.key({ rateLimitPerMinute: limit });
    const clients = processes.slice(0, 2).map((p) => new ContractClient(p.baseUrl, undefined, plaintext));
    expect(clients).to.have.length(2);

    await awayFromMinuteBoundary(harness.db, 40);
    const total = 700;
    const statuses: number[] = [];
    const remaining: number[] = [];
    let next = 0;
    // 16 requests in flight at a time, alternating between the processes.
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < total) {
          const i = next++;
          const res = await clients[i % 2]!.get(SOME_MESSAGE);
          statuses.push(res.status);
          if (res.status !== 429) remaining.push(Number(res.headers.get('x-ratelimit-remaining')));
        }
      }),
    );
    const accepted = statuses.filter((s) => s !== 429).length;
    const window = await harness.db('rate_limit_windows').where({ api_key_id: record.id });
    console.log(
      `      limit ${limit}: ${accepted} of ${total} served, ${statuses.length - accepted} refused; granted in the window's row: ${window.map((w) => w.request_count).join(', ')}`,
    );
    expect(statuses.length).to.equal(total);
    expect(accepted, 'served across both processes').to.equal(limit);
    expect(window).to.have.length(1);
    expect(window[0].request_count).to.equal(limit);
    expect(Math.min(...remaining)).to.equal(0);
    expect(Math.max(...remaining)).to.be.below(limit);
  });
});
