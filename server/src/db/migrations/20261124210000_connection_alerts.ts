/**
 * The last account- or token-level error WhatsApp reported for a number (an expired access
 * token, a locked account…), for operators: shown by `npm run admin -- connection list`, cleared
 * by the next successful send. Never edit once landed.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('whatsapp_connections', (t) => {
    t.jsonb('last_delivery_error');
    t.timestamp('last_delivery_error_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('whatsapp_connections', (t) => {
    t.dropColumn('last_delivery_error');
    t.dropColumn('last_delivery_error_at');
  });
}
