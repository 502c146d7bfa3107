/**
 * Mocha root hooks (loaded through .mocharc.json `require`): one PostgreSQL and one fresh,
 * migrated database for the whole run, the app listening on 127.0.0.1:0, and at the end the
 * contract coverage report (a failure when CONTRACT_COVERAGE=required and a documented pair was
 * never exercised). Teardown runs even when set-up failed half-way.
 */
import type { Knex } from 'knex';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import { createLogger } from '../../server/src/logger.ts';
import { coverageReport, coverageRows, unexercisedPairs } from './coverage.ts';
import { seedContractFixture } from './fixtures.ts';
import { setEnvironment, spec, startServer, type TestServer } from './harness.ts';
import { createFreshDatabase, startTestPostgres, type FreshDatabase, type TestPostgres } from './postgres.ts';

let postgres: TestPostgres | undefined;
let database: FreshDatabase | undefined;
let db: Knex | undefined;
let server: TestServer | undefined;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(180_000);
    const started = Date.now();
    postgres = await startTestPostgres();
    database = await createFreshDatabase(postgres.adminUrl);
    db = createDatabase({ connectionString: database.connectionString, poolMax: 5, logger: createLogger({ level: 'warn' }) });
    await migrateToLatest(db);
    const fixture = await seedContractFixture(db);
    server = await startServer({ db, apiKey: fixture.apiKey });
    setEnvironment({ fixture, postgres, database, db, server });
    if (process.env.TEST_QUIET !== '1') {
      console.log(
        `  test environment: PostgreSQL ${postgres.kind}, database ${database.name}, app ${server.baseUrl} (${Date.now() - started} ms)`,
      );
    }
  },

  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    setEnvironment(undefined);
    const steps: Array<[string, (() => Promise<unknown>) | undefined]> = [
      ['close the app', server?.close],
      ['close the pool', db ? () => db!.destroy() : undefined],
      ['drop the test database', database?.drop],
      ['stop PostgreSQL', postgres?.stop],
    ];
    const failures: string[] = [];
    for (const [what, step] of steps) {
      if (!step) continue;
      try {
        await step();
      } catch (error) {
        failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (coverageRows(spec().document).some((row) => row.count > 0)) console.log(coverageReport(spec().document));
    // The whole suite (npm test) must exercise every documented (operation, status) pair.
    if (process.env.CONTRACT_COVERAGE === 'required') {
      const missing = unexercisedPairs(spec().document);
      if (missing.length > 0)
        failures.push(`contract coverage: ${missing.length} documented pair(s) never exercised: ${missing.join(', ')}`);
    }
    if (failures.length > 0) throw new Error(`test teardown failed: ${failures.join('; ')}`);
  },
};
