/**
 * The suite's own instrument: the throwaway cluster really stops (connections are refused) and
 * starts again on the same port with its data kept.
 */
import { expect } from 'chai';
import pg from 'pg';
import { startCluster, type Cluster } from './support/cluster.ts';

describe('fault suite: the throwaway PostgreSQL cluster', function () {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.destroy();
  });

  const query = async (sql: string) => {
    const client = new pg.Client({ connectionString: cluster.url(), connectionTimeoutMillis: 2_000 });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };

  it('stops (connections refused) and starts again with its data kept', async () => {
    await query('CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)');
    await cluster.stop();
    const refused = await query('SELECT 1').then(
      () => null,
      (error: Error & { code?: string }) => error.code ?? error.message,
    );
    expect(refused).to.equal('ECONNREFUSED');
    await cluster.start();
    const { rows } = await query('SELECT v FROM kept');
    expect(rows).to.deep.equal([{ v: 42 }]);
  });
});
