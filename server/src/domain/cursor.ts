/**
 * The cursor of every list: an opaque base64url token that holds the position of the last item
 * of a page, (created_at to the microsecond, id), and which list it belongs to. Lists are cut
 * by keyset on that position, newest first: an item inserted while a caller walks a list sorts
 * before its position or after it, never inside what is left, so no item that existed when the
 * walk began is skipped or repeated. A token that does not decode to a position of this list is
 * refused with `400 invalid_cursor`.
 */
import { ApiError } from '../core/errors.ts';

/** Which list a cursor belongs to: one letter, so a cursor of one list is refused by another. */
export type ListKind = 'messages' | 'conversations';

const PREFIX: Record<ListKind, string> = { messages: 'm', conversations: 'c' };

/** created_at as PostgreSQL writes it with `to_char(... 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, and a UUID. */
export interface ListPosition {
  readonly createdAt: string;
  readonly id: string;
}

const POSITION =
  /^([mc]):([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The SQL expression of a row's created_at in the cursor's text form (exact, microseconds). */
export function positionSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

export function encodeCursor(kind: ListKind, position: ListPosition): string {
  return Buffer.from(`${PREFIX[kind]}:${position.createdAt}_${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(kind: ListKind, cursor: string | undefined): ListPosition | null {
  if (cursor === undefined) return null;
  const refused = () =>
    new ApiError('invalid_cursor', 'The cursor is not one this list gave; start again without a cursor.', { param: 'cursor' });
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw refused();
  const match = POSITION.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match === null || match[1] !== PREFIX[kind] || Number.isNaN(Date.parse(match[2]!))) throw refused();
  return { createdAt: match[2]!, id: match[3]! };
}

export interface Page<T> {
  readonly object: 'list';
  readonly data: T[];
  readonly has_more: boolean;
  readonly next_cursor: string | null;
}

/** A page from `limit + 1` rows fetched in list order: the extra row only says there is more. */
export function toPage<R extends { pos: string; id: string }, T>(
  kind: ListKind,
  rows: readonly R[],
  limit: number,
  item: (row: R) => T,
): Page<T> {
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  const hasMore = rows.length > limit;
  return {
    object: 'list',
    data: kept.map(item),
    has_more: hasMore,
    next_cursor: hasMore && last ? encodeCursor(kind, { createdAt: last.pos, id: last.id }) : null,
  };
}
