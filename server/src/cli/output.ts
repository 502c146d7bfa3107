// Human-readable output of the admin CLI: aligned tables and key/value blocks. `--json` output
// is built by the commands themselves (snake_case, like the API).

/** `2026-11-24T16:00:00Z` (second precision, like the API), or `-`. */
export function when(value: Date | null | undefined): string {
  return value ? value.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

export function iso(value: Date | null | undefined): string | null {
  return value ? value.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, empty = '(none)'): string {
  if (rows.length === 0) return empty;
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `label   value` lines, labels padded. */
export function fields(pairs: ReadonlyArray<readonly [string, string]>, indent = '  '): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`).join('\n');
}
