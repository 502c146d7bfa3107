/**
 * The committed schema (server/src/db/schema.sql) is what the migrations and the repeatable SQL
 * files produce: a change to either shows up as a diff of that file in review. After changing
 * them, `npm run db:schema` writes it again.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import { applyRepeatableSql, REPEATABLE_SQL_FILES, repeatableName, sha256 } from '../../server/src/db/repeatable.ts';
import { dumpSchema } from '../../server/src/db/schema-dump.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { createFreshDatabase } from '../support/postgres.ts';
import { harness } from '../support/harness.ts';
import { SCHEMA_FILE } from '../support/write-schema.ts';

/** A unified diff (diff -u when the machine has it; else the first differing line). */
function difference(expected: string, actual: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'schema-diff-'));
  try {
    writeFileSync(path.join(dir, 'schema.sql'), expected);
    writeFileSync(path.join(dir, 'migrated.sql'), actual);
    const run = spawnSync('diff', ['-u', 'schema.sql', 'migrated.sql'], { cwd: dir, encoding: 'utf8', timeout: 10_000 });
    if (typeof run.stdout === 'string' && run.stdout.length > 0) return run.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const a = expected.split('\n');
  const b = actual.split('\n');
  const i = a.findIndex((line, n) => line !== b[n]);
  return `first difference at line ${i + 1}:\n- ${a[i]}\n+ ${b[i]}`;
}

describe('database schema', () => {
  it('of a migrated database is the committed server/src/db/schema.sql', async function () {
    this.timeout(60_000);
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    // A database of its own: the shared one may hold what other tests added.
    const fresh = await createFreshDatabase(harness.postgres.adminUrl, 'schema');
    const db = createDatabase({ connectionString: fresh.connectionString, poolMax: 2, logger: silentLogger });
    let migrated: string;
    try {
      await migrateToLatest(db);
      migrated = await dumpSchema(db);
    } finally {
      await db.destroy();
      await fresh.drop();
    }
    if (migrated !== committed) {
      expect.fail(
        `the migrated schema differs from server/src/db/schema.sql; run npm run db:schema and commit it if the change is meant:\n${difference(committed, migrated)}`,
      );
    }
  });

  it('has every repeatable SQL file applied at its current checksum, and applying again is a no-op', async () => {
    const rows = (await harness.db('mojeeb_sql_files').select('name', 'sha256')) as Array<{ name: string; sha256: string }>;
    const current = REPEATABLE_SQL_FILES.map((file) => ({ name: repeatableName(file), sha256: sha256(readFileSync(file, 'utf8')) }));
    expect(rows.sort((x, y) => x.name.localeCompare(y.name))).to.deep.equal(current.sort((x, y) => x.name.localeCompare(y.name)));
    expect(await applyRepeatableSql(harness.db)).to.deep.equal([]);
  });

  it('re-applies a file whose recorded checksum differs (CREATE OR REPLACE), then records the new one', async () => {
    const name = repeatableName(REPEATABLE_SQL_FILES[1]!);
    await harness.db('mojeeb_sql_files').where({ name }).update({ sha256: 'stale' });
    await harness.db.raw(
      `CREATE OR REPLACE FUNCTION mojeeb_idempotency_ttl() RETURNS interval LANGUAGE sql IMMUTABLE AS $$ SELECT interval '1 hour' $$`,
    );
    try {
      expect(await applyRepeatableSql(harness.db)).to.deep.equal([name]);
    } finally {
      // Whatever happened above, the shared database gets the real function back.
      await harness.db('mojeeb_sql_files').where({ name }).update({ sha256: 'stale' });
      await applyRepeatableSql(harness.db);
    }
    const ttl = await harness.db.raw<{ rows: Array<{ ttl: string }> }>(`SELECT mojeeb_idempotency_ttl()::text AS ttl`);
    expect(ttl.rows[0]!.ttl).to.equal('24:00:00');
  });
});
