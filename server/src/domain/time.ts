/** ISO 8601 in UTC with second precision and a `Z` (openapi.yaml `Timestamp`). */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function formatNullable(date: Date | null | undefined): string | null {
  return date ? formatTimestamp(date) : null;
}
