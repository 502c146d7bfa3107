/**
 * The figures a fault run prints: each scenario records what it measured (counts, seconds,
 * outcomes), and the root hook prints one table at the end of the run. Figures are reported,
 * never asserted to the millisecond: the assertions in the scenarios are generous bounds.
 */
export interface FigureRow {
  readonly scenario: string;
  readonly figure: string;
  readonly value: string;
}

const rows: FigureRow[] = [];

export function recordFigure(scenario: string, figure: string, value: string | number): void {
  rows.push({ scenario, figure, value: typeof value === 'number' ? formatNumber(value) : value });
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** A Markdown table of every figure recorded so far, in recording order. */
export function figuresTable(): string {
  if (rows.length === 0) return '(no figures recorded)';
  const header = ['scenario', 'figure', 'value'];
  const body = rows.map((r) => [r.scenario, r.figure, r.value]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
