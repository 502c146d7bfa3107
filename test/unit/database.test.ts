import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Knex } from 'knex';
import { createDatabase, migrateToLatest, MIGRATIONS_DIR } from '../../server/src/db/knex.ts';
import { pingDatabase } from '../../server/src/db/ping.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { harness, unreachableDatabase } from '../support/harness.ts';
import { createFreshDatabase, freePort, type FreshDatabase } from '../support/postgres.ts';

describe('database layer', () => {
  describe('migrations', () => {
    let fresh: FreshDatabase;
    let db: Knex;

    before(async function () {
      this.timeout(30_000);
      fresh = await createFreshDatabase(harness.postgres.adminUrl, 'migrations');
      db = createDatabase({ connectionString: fresh.connectionString, poolMax: 2, logger: silentLogger });
    });
    after(async function () {
      this.timeout(30_000);
      await db?.destroy();
      await fresh?.drop();
    });

    it('are timestamped TypeScript files with up and down', async () => {
      const files = readdirSync(MIGRATIONS_DIR);
      expect(files.length).to.be.greaterThan(0);
      for (const file of files) {
        expect(file).to.match(/^\d{14}_[a-z0-9_]+\.ts$/);
        const migration = (await import(path.join(MIGRATIONS_DIR, file))) as { up?: unknown; down?: unknown };
        expect(migration.up, `${file} up`).to.be.a('function');
        expect(migration.down, `${file} down`).to.be.a('function');
      }
    });

    it('apply on an empty database (knex loads the .ts files under tsx), then are a no-op', async () => {
      const applied = await migrateToLatest(db);
      expect(applied).to.deep.equal(readdirSync(MIGRATIONS_DIR).sort());
      expect(await migrateToLatest(db)).to.deep.equal([]);
      const row = await db('service_metadata').where({ key: 'schema_created_at' }).first();
      expect(new Date(String(row.value)).getTime()).to.be.closeTo(Date.now(), 10 * 60_000);
    });

    it('roll back completely and apply again', async () => {
      await db.migrate.rollback(undefined, true);
      expect(await db.schema.hasTable('service_metadata')).to.equal(false);
      expect((await migrateToLatest(db)).length).to.be.greaterThan(0);
      expect(await db.schema.hasTable('service_metadata')).to.equal(true);
    });

    it('left the shared test database fully migrated', async () => {
      const [, pending] = (await harness.db.migrate.list()) as [unknown[], unknown[]];
      expect(pending).to.deep.equal([]);
    });
  });

  describe('pingDatabase (readiness probe)', () => {
    it('is true for a database that answers', async () => {
      expect(await pingDatabase(harness.db, 1_000)).to.equal(true);
    });

    it('is false, at once, when nothing listens', async () => {
      const db = unreachableDatabase(await freePort());
      try {
        const started = Date.now();
        expect(await pingDatabase(db, 2_000)).to.equal(false);
        expect(Date.now() - started).to.be.below(1_500);
      } finally {
        await db.destroy();
      }
    });

    it('is false within its timeout when the server accepts but never answers', async () => {
      const sockets = new Set<net.Socket>();
      const blackhole = net.createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => {});
      });
      await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
      const db = unreachableDatabase((blackhole.address() as net.AddressInfo).port);
      try {
        const started = Date.now();
        expect(await pingDatabase(db, 300)).to.equal(false);
        expect(Date.now() - started).to.be.within(250, 1_000);
      } finally {
        for (const socket of sockets) socket.destroy();
        await db.destroy();
        await new Promise<void>((resolve) => blackhole.close(() => resolve()));
      }
    });
  });
});

describe('database timeouts of the API pool', () => {
  let fresh: FreshDatabase;
  let db: Knex;

  before(async function () {
    this.timeout(30_000);
    fresh = await createFreshDatabase(harness.postgres.adminUrl, 'timeouts');
    db = createDatabase({
      connectionString: fresh.connectionString,
      poolMax: 2,
      statementTimeoutMs: 300,
      lockTimeoutMs: 200,
      logger: silentLogger,
    });
  });
  after(async function () {
    this.timeout(30_000);
    await db?.destroy();
    await fresh?.drop();
  });

  it('migrations are not cut by them (they run on a pool of their own)', async function () {
    this.timeout(60_000);
    const slow = createDatabase({ connectionString: fresh.connectionString, poolMax: 1, statementTimeoutMs: 1, logger: silentLogger });
    try {
      expect((await migrateToLatest(slow)).length).to.be.greaterThan(0);
    } finally {
      await slow.destroy();
    }
  });

  it('are set on every connection, and cut a long statement (57014) and a lock wait (55P03)', async () => {
    const settings = await db.raw<{ rows: Array<{ s: string; l: string }> }>(
      `select current_setting('statement_timeout') as s, current_setting('lock_timeout') as l`,
    );
    expect(settings.rows[0]).to.deep.equal({ s: '300ms', l: '200ms' });
    const sleep = await db.raw('select pg_sleep(2)').then(
      () => null,
      (error: { code?: string }) => error.code,
    );
    expect(sleep).to.equal('57014');
    const holder = createDatabase({ connectionString: fresh.connectionString, poolMax: 1, logger: silentLogger });
    try {
      await holder.transaction(async (trx) => {
        await trx.raw('lock table service_metadata in access exclusive mode');
        const waited = await db('service_metadata')
          .first()
          .then(
            () => null,
            (error: { code?: string }) => error.code,
          );
        expect(waited).to.equal('55P03');
      });
    } finally {
      await holder.destroy();
    }
    // The pool serves again afterwards.
    expect((await db.raw('select 1 as ok')).rows).to.deep.equal([{ ok: 1 }]);
  });
});
