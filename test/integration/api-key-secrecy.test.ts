import { expect } from 'chai';
import type { Knex } from 'knex';
import { generateApiKey } from '../../server/src/domain/api-keys/key-format.ts';
import { requestExample } from '../support/contract.ts';
import { harness } from '../support/harness.ts';
import { newTenant } from '../support/tenants.ts';

const SOME_MESSAGE = '/v1/whatsapp/messages/01c45011-d803-4eb0-a762-3228a4c392f3';
const KEY_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-';

/** Every key one character away from `key`: each substitution, deletion and insertion. */
function singleCharacterChanges(key: string): string[] {
  const variants = new Set<string>();
  for (let i = 0; i <= key.length; i++) {
    for (const c of KEY_ALPHABET) {
      if (i < key.length && c !== key[i]) variants.add(key.slice(0, i) + c + key.slice(i + 1));
      variants.add(key.slice(0, i) + c + key.slice(i));
    }
    if (i < key.length) variants.add(key.slice(0, i) + key.slice(i + 1));
  }
  variants.delete(key);
  return [...variants];
}

async function countQueries<T>(db: Knex, action: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  const queries: string[] = [];
  const listener = (q: { sql: string }) => queries.push(q.sql);
  db.on('query', listener);
  try {
    return { result: await action(), queries };
  } finally {
    db.removeListener('query', listener);
  }
}

describe('API key secrecy', () => {
  it('rejects every single-character change of a valid key without a database query', async function () {
    this.timeout(120_000);
    const tenant = await newTenant(harness.db);
    const { plaintext } = await tenant.key();
    const variants = singleCharacterChanges(plaintext);
    expect(variants.length).to.be.greaterThan(5000);

    const client = harness.server.anonymous;
    // The valid key itself does reach the database (so the counter below can see queries).
    const baseline = await countQueries(harness.db, () => client.withKey(plaintext).get(SOME_MESSAGE));
    expect(baseline.queries.length, 'a valid key is looked up').to.be.greaterThan(0);

    const { result: statuses, queries } = await countQueries(harness.db, async () => {
      const seen = new Map<string, number>();
      const queue = [...variants];
      const worker = async () => {
        for (let variant = queue.pop(); variant !== undefined; variant = queue.pop()) {
          const res = await client.get(SOME_MESSAGE, { headers: { Authorization: `Bearer ${variant}` } });
          const key = `${res.status} ${res.body?.error?.code}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      return seen;
    });
    expect(Object.fromEntries(statuses)).to.deep.equal({ '401 invalid_api_key': variants.length });
    expect(queries, 'no database query for a mistyped key').to.deep.equal([]);
  });

  it('keeps a created key out of the database and the logs', async () => {
    const tenant = await newTenant(harness.db);
    const { plaintext, record } = await tenant.key();
    const secretPart = plaintext.split('_')[2]!;
    const client = harness.server.anonymous.withKey(plaintext);
    await client.get(SOME_MESSAGE);
    await client.post('/v1/whatsapp/templates', {
      ...(requestExample('sendWhatsAppTemplate', 'named') as object),
      agent_id: tenant.agent.id,
      from: tenant.from,
    });
    await client.post('/v1/whatsapp/messages', { nonsense: true });
    await client.get(SOME_MESSAGE, { headers: { Authorization: `Bearer ${plaintext}x` } });

    const tables = await harness.db.raw<{ rows: Array<{ table_name: string }> }>(
      `select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`,
    );
    expect(tables.rows.map((t) => t.table_name)).to.include('api_keys');
    for (const { table_name } of tables.rows) {
      const dump = await harness.db.raw<{ rows: Array<{ row: string }> }>(`select row_to_json(t)::text as row from ?? t`, [table_name]);
      const text = dump.rows.map((r) => r.row).join('\n');
      expect(text, `table ${table_name}`).not.to.include(secretPart);
    }
    const stored = await harness.db('api_keys').where({ id: record.id }).first();
    expect(stored.key_hash).to.match(/^[0-9a-f]{64}$/);
    expect(stored.display_prefix).to.equal(plaintext.slice(0, 14));
    expect(stored.last_four).to.equal(plaintext.slice(-4));

    const logs = harness.server.logs.raw.join('\n');
    expect(logs, 'the requests were logged').to.include('"msg":"request"');
    expect(logs).not.to.include(secretPart);
  });

  it('generates keys that pass their own checksum and differ every time', () => {
    const keys = Array.from({ length: 200 }, () => generateApiKey('live').plaintext);
    expect(new Set(keys).size).to.equal(200);
    for (const key of keys) expect(key).to.match(/^mk_live_[0-9A-Za-z]{22}_[0-9a-f]{10}$/);
  });
});
