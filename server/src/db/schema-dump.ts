/**
 * The schema of a migrated database as text, read from PostgreSQL's catalog: tables (columns,
 * constraints, indexes, triggers), sequences, views and functions of the `public` schema, each
 * sorted by name, in PostgreSQL's own words (pg_get_constraintdef, pg_get_indexdef,
 * pg_get_triggerdef, pg_get_functiondef). The committed copy (schema.sql) is compared with a
 * freshly migrated database by test/integration/schema-dump.test.ts; `npm run db:schema` writes
 * it again.
 *
 * Read from the catalog rather than by pg_dump: the embedded PostgreSQL ships no pg_dump, and
 * another major version's pg_dump refuses the server, while the catalog answers the same on every
 * supported version. graphile-worker's own schema is not included (test/integration/
 * queue-canary.test.ts watches the parts of it we rely on).
 */
import type { Knex } from 'knex';

const HEADER = `-- The schema of a freshly migrated database (public schema), from server/src/db/schema-dump.ts.
-- Generated: npm run db:schema. A test compares it with the migrations and repeatable SQL files.
`;

type Rows<T> = { rows: T[] };

export async function dumpSchema(db: Knex): Promise<string> {
  const out: string[] = [HEADER];
  const tables = await db.raw<Rows<{ oid: number; name: string; persistence: string }>>(
    `SELECT c.oid::int AS oid, c.relname AS name, c.relpersistence AS persistence FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
  );
  for (const table of tables.rows) {
    const columns = await db.raw<Rows<{ line: string }>>(
      `SELECT format('  %I %s%s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                     CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                     coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')) AS line
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [table.oid],
    );
    const constraints = await db.raw<Rows<{ line: string }>>(
      `SELECT format('  CONSTRAINT %I %s', conname, pg_get_constraintdef(oid)) AS line FROM pg_constraint
        WHERE conrelid = ? ORDER BY conname`,
      [table.oid],
    );
    out.push(
      `\nCREATE ${table.persistence === 'u' ? 'UNLOGGED ' : ''}TABLE ${table.name} (\n${[...columns.rows, ...constraints.rows].map((r) => r.line).join(',\n')}\n);`,
    );
    const extras = await db.raw<Rows<{ line: string }>>(
      `SELECT line FROM (
         SELECT 1 AS kind, i.relname AS name, pg_get_indexdef(x.indexrelid) || ';' AS line
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
          WHERE x.indrelid = ? AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)
         UNION ALL
         SELECT 2, t.tgname, pg_get_triggerdef(t.oid) || ';' FROM pg_trigger t WHERE t.tgrelid = ? AND NOT t.tgisinternal
       ) e ORDER BY kind, name`,
      [table.oid, table.oid],
    );
    for (const { line } of extras.rows) out.push(line);
  }
  const others = await db.raw<Rows<{ line: string }>>(
    `SELECT line FROM (
       SELECT 1 AS kind, c.relname AS name, format('CREATE SEQUENCE %I;', c.relname) AS line FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'
       UNION ALL
       SELECT 2, c.relname, format(E'CREATE VIEW %I AS\\n%s', c.relname, pg_get_viewdef(c.oid)) FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v'
       UNION ALL
       SELECT 3, p.oid::regprocedure::text, rtrim(pg_get_functiondef(p.oid), E'\\n') || ';' FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
     ) o ORDER BY kind, name`,
  );
  for (const { line } of others.rows) out.push(`\n${line}`);
  return `${out.join('\n')}\n`;
}
