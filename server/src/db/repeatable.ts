/**
 * The database functions that hold the service's rules live in `.sql` files in the repository,
 * not in migrations: each file is applied (it is a series of `CREATE OR REPLACE`) after the
 * migrations whenever its sha256 differs from the one recorded in `mojeeb_sql_files`, so editing a
 * file is how a function changes. Schema changes (tables, columns, dropping or renaming a
 * function) still go in new migrations, which run first.
 *
 * Several processes may start at once: the step runs in one transaction under an advisory lock,
 * and a file is applied by whichever process gets there first.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { QUEUE_SQL_FILE } from '../delivery/queue.ts';

const SQL_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sql');

/** The files, in the order they are applied: each may use what the ones before it define. */
export const REPEATABLE_SQL_FILES: readonly string[] = [
  QUEUE_SQL_FILE,
  path.join(SQL_DIR, 'send_rules.sql'),
  path.join(SQL_DIR, 'accept_send.sql'),
  path.join(SQL_DIR, 'rate_limit.sql'),
];

/** The name a file is recorded under: its path from server/src. */
export function repeatableName(file: string): string {
  return path
    .relative(path.resolve(SQL_DIR, '..', '..'), file)
    .split(path.sep)
    .join('/');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const LOCK = "hashtextextended('mojeeb_sql_files', 0)";

/** Applies the files whose checksum changed; returns their names (empty when all are current). */
export async function applyRepeatableSql(db: Knex): Promise<string[]> {
  const files = REPEATABLE_SQL_FILES.map((file) => {
    const text = readFileSync(file, 'utf8');
    return { name: repeatableName(file), text, sha256: sha256(text) };
  });
  return db.transaction(async (trx) => {
    await trx.raw(`SELECT pg_advisory_xact_lock(${LOCK})`);
    const rows = (await trx('mojeeb_sql_files').select('name', 'sha256')) as Array<{ name: string; sha256: string }>;
    const recorded = new Map(rows.map((r) => [r.name, r.sha256]));
    const applied: string[] = [];
    for (const file of files) {
      if (recorded.get(file.name) === file.sha256) continue;
      // As written: knex would read `?` (a jsonb operator) as a placeholder unless escaped.
      await trx.raw(file.text.replace(/\?/g, '\\?'));
      await trx.raw(
        `INSERT INTO mojeeb_sql_files (name, sha256) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now()`,
        [file.name, file.sha256],
      );
      applied.push(file.name);
    }
    return applied;
  });
}
