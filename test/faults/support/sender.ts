/**
 * A fresh database on a fault cluster, migrated, with a tenant that can send the example
 * `order_shipped` template with a test key of a limit no scenario reaches: what the scenarios
 * send through a real server process.
 */
import type { Knex } from 'knex';
import { createDatabase, migrateToLatest } from '../../../server/src/db/knex.ts';
import { templateFromMeta, upsertTemplate } from '../../../server/src/domain/templates.ts';
import { silentLogger } from '../../../server/src/logger.ts';
import { EXAMPLE_TEMPLATES } from '../../support/fixtures.ts';
import { createFreshDatabase, type FreshDatabase } from '../../support/postgres.ts';
import { newTenant, randomE164 } from '../../support/tenants.ts';

export const TEMPLATES_PATH = '/v1/whatsapp/templates';

export interface Sender {
  readonly database: FreshDatabase;
  /** The test's own pool (no timeouts), for checks and for holding locks. */
  readonly db: Knex;
  readonly apiKey: string;
  readonly apiKeyId: string;
  /** A valid template send to a new random number. */
  body(i: number): Record<string, unknown>;
  close(): Promise<void>;
}

export async function prepareSender(adminUrl: string, purpose: string): Promise<Sender> {
  const database = await createFreshDatabase(adminUrl, purpose);
  const db = createDatabase({ connectionString: database.connectionString, poolMax: 4, logger: silentLogger });
  await migrateToLatest(db);
  const tenant = await newTenant(db, { quota: 1_000_000 });
  const connection = await db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
  await upsertTemplate(db, connection.id, templateFromMeta(EXAMPLE_TEMPLATES[0]));
  const { plaintext, record } = await tenant.key({ rateLimitPerMinute: 1_000_000 });
  return {
    database,
    db,
    apiKey: plaintext,
    apiKeyId: record.id,
    body: (i) => ({
      agent_id: tenant.agent.id,
      from: tenant.from,
      to: randomE164(),
      template: { name: 'order_shipped', language: 'en', parameters: { customer_name: `C${i}`, tracking_url: 'https://t.example' } },
    }),
    async close() {
      await db.destroy();
      await database.drop().catch(() => undefined);
    },
  };
}
