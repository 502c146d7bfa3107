/**
 * The first migration: a small key/value table for facts about the installation itself (not
 * about any customer), e.g. when the schema was first created. It gives the migration machinery
 * something real to apply on an empty database, and later work can keep facts here (such as
 * whether the demo data of `npm start` was created) without a migration of its own.
 *
 * Never edit a migration once it has landed: add a new one.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('service_metadata', (table) => {
    table.text('key').primary();
    table.text('value').notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex('service_metadata').insert({ key: 'schema_created_at', value: new Date().toISOString() });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('service_metadata');
}
