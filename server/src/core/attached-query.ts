/**
 * A lookup made in the same statement as the API key's authentication
 * (domain/api-keys/authenticate.ts), so that an operation whose whole work is one read costs one
 * database round trip. The operation that needs it declares it next to its handler, with the
 * type of what it finds (see operations/getWhatsAppMessageStatus.ts).
 *
 * It runs only for a usable key (not revoked, not expired), and what it found reaches the
 * handler only once every check of the key (plan, scope, rate limit) passed.
 */

/**
 * The authenticated key's columns, as SQL expressions a lookup may use to restrict what it finds
 * to what the key may see. The key query passes them in; a lookup never names the key query's
 * own aliases.
 */
export interface KeyColumns {
  /** uuid: the key's organization. */
  readonly organizationId: string;
  /** text: `live` or `test`. */
  readonly environment: string;
  /** text[] or NULL: the agents the key is restricted to (NULL: every agent). */
  readonly agentIds: string;
}

/** A bound value of the lookup's SQL (`?` placeholders, in order). */
export type QueryValue = string | number | boolean | null;

export interface AttachedQuery<Row> {
  /** Names the combined prepared statement: one name per distinct `sql`. */
  readonly name: string;
  /**
   * A SELECT giving at most one row, written against the key's columns. It must give the same
   * text for the same `key`, so that the combined statement is prepared once per connection.
   */
  readonly sql: (key: KeyColumns) => string;
  readonly bindings: readonly QueryValue[];
  /** Turns the row (as `to_jsonb` gives it: timestamps as ISO text) into what the handler gets. */
  readonly decode: (row: Record<string, unknown>) => Row;
}
