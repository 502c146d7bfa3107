/**
 * Named statements on the connections of the knex pool, for the hot paths (key lookup, send,
 * status): PostgreSQL parses and plans each once per connection, and the query skips knex's
 * builder and formatter. `?` placeholders, as in knex.raw; statements are cached by name, so one
 * name must always have the same text. Like knex's own queries, each emits knex's `query` event.
 */
import type { Knex } from 'knex';
import type pg from 'pg';

interface PoolClient {
  acquireConnection(): Promise<pg.Client>;
  releaseConnection(connection: pg.Client): Promise<void>;
  emit(event: 'query', query: { method: 'raw'; sql: string; bindings: readonly unknown[]; options: { name: string } }): boolean;
}

const statements = new Map<string, { readonly sql: string; readonly text: string }>();

/** `?` → `$1`, `$2`, … (the statements given here have no `?` in literals or operators). */
function positional(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** When the statement left for the server and when its answer was back (local clock, ms), for callers that relate the server's clock to theirs. */
export interface QueryTiming {
  sentAt: number;
  receivedAt: number;
}

/** The local clock the timings use: milliseconds since the epoch, monotonic (not stepped by NTP). */
export function localNow(): number {
  return performance.timeOrigin + performance.now();
}

export async function preparedQuery<Row>(
  db: Knex,
  name: string,
  sql: string,
  values: readonly unknown[],
  timing?: QueryTiming,
): Promise<Row[]> {
  let statement = statements.get(name);
  if (statement === undefined) {
    statement = { sql, text: positional(sql) };
    statements.set(name, statement);
  } else if (statement.sql !== sql) {
    throw new Error(`the statement ${name} was prepared with another text`);
  }
  const text = statement.text;
  const client = db.client as unknown as PoolClient;
  const connection = await client.acquireConnection();
  client.emit('query', { method: 'raw', sql: text, bindings: values, options: { name } });
  try {
    if (timing) timing.sentAt = localNow();
    const result = await connection.query<Row & pg.QueryResultRow>({ name, text, values: values as unknown[] });
    if (timing) timing.receivedAt = localNow();
    return result.rows;
  } finally {
    await client.releaseConnection(connection);
  }
}
