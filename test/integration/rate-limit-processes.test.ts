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
});
