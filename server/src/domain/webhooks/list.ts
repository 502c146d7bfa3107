/**
 * The list shape of the API: `{ object: "list", data, has_more, next_cursor }`, newest first,
 * with an opaque keyset cursor on (created_at, id) so that pages stay stable while rows are
 * inserted: an item is never skipped nor repeated.
 */
import type { Knex } from 'knex';
import { ApiError } from '../../core/errors.ts';

export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 20;

export interface Page<T> {
  readonly object: 'list';
  readonly data: T[];
  readonly has_more: boolean;
  readonly next_cursor: string | null;
}

interface Position {
  readonly us: string;
  readonly id: string;
}

export function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) {
    throw new ApiError('invalid_field_value', `The query parameter 'limit' must be an integer from 1 to ${MAX_LIMIT}.`, { param: 'limit' });
  }
  return Number(raw);
}

export function parseCursor(raw: string | undefined): Position | null {
  if (raw === undefined) return null;
  try {
    const decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      typeof decoded[0] === 'string' &&
      /^\d{1,20}$/.test(decoded[0]) &&
      typeof decoded[1] === 'string' &&
      decoded[1].length <= 64
    ) {
      return { us: decoded[0], id: decoded[1] };
    }
  } catch {
    // falls through
  }
  throw new ApiError('invalid_field_value', "The query parameter 'cursor' is not a cursor this API returned.", { param: 'cursor' });
}

/**
 * One page of `query` (already filtered), newest first. The query's table must be aliased `t`
 * and have `created_at` and `id`.
 */
export async function page<Row extends { id: string }, T>(
  query: Knex.QueryBuilder,
  options: { readonly limit: number; readonly cursor: Position | null },
  render: (row: Row) => T,
): Promise<Page<T>> {
  const q = query.clone();
  if (options.cursor !== null) {
    q.whereRaw(`(t.created_at, t.id::text) < (timestamptz 'epoch' + ?::bigint * interval '1 microsecond', ?)`, [
      options.cursor.us,
      options.cursor.id,
    ]);
  }
  const rows = (await q
    .select('t.*', q.client.raw(`(extract(epoch from t.created_at) * 1000000)::bigint::text AS position_us`))
    .orderByRaw('t.created_at DESC, t.id::text DESC')
    .limit(options.limit + 1)) as Array<Row & { position_us: string }>;
  const hasMore = rows.length > options.limit;
  const shown = rows.slice(0, options.limit);
  const last = shown[shown.length - 1];
  return {
    object: 'list',
    data: shown.map(render),
    has_more: hasMore,
    next_cursor: hasMore && last ? Buffer.from(JSON.stringify([last.position_us, String(last.id)])).toString('base64url') : null,
  };
}
