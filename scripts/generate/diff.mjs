// A short unified diff of a generated file against the work tree's copy, for generate:check.

import { SPEC_FILE } from './spec.mjs';

/** Myers' O((N+M)D) line diff: a list of ['=', i, j] | ['-', i] | ['+', j], or null when D is large. */
export function diffLines(a, b, maxEdits = 1000) {
  const n = a.length;
  const m = b.length;
  const offset = n + m + 1;
  const v = new Int32Array(2 * offset + 1);
  const trace = [];
  for (let d = 0; d <= n + m; d++) {
    if (d > maxEdits) return null;
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        // Walk the trace back from (n, m).
        const ops = [];
        let [cx, cy] = [n, m];
        for (let e = trace.length - 1; e >= 0; e--) {
          const w = trace[e];
          const ck = cx - cy;
          const pk = ck === -e || (ck !== e && w[offset + ck - 1] < w[offset + ck + 1]) ? ck + 1 : ck - 1;
          const px = w[offset + pk];
          const py = px - pk;
          while (cx > px && cy > py) ops.push(['=', --cx, --cy]);
          if (e > 0) ops.push(cx === px ? ['+', --cy] : ['-', --cx]);
          [cx, cy] = [px, py];
        }
        return ops.reverse();
      }
    }
  }
  return null;
}

/** The first hunks of a unified diff (2 lines of context), capped at maxLines lines. */
export function shortDiff(name, before, after, maxLines = 30) {
  const a = before.split('\n');
  const b = after.split('\n');
  const ops = diffLines(a, b) ?? [
    // Too different for a short diff: show it as one replacement.
    ...a.map((_, i) => ['-', i]),
    ...b.map((_, j) => ['+', j]),
  ];
  const out = [`--- ${name} (work tree)`, `+++ ${name} (generated from ${SPEC_FILE})`];
  const context = 2;
  let i = 0;
  while (i < ops.length) {
    if (ops[i][0] === '=') {
      i++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is at most 2 * context unchanged lines further.
    let start = i;
    while (start > 0 && i - start < context && ops[start - 1][0] === '=') start--;
    let end = i;
    for (let j = i, gap = 0; j < ops.length && gap <= 2 * context; j++) {
      if (ops[j][0] === '=') gap++;
      else {
        gap = 0;
        end = j;
      }
    }
    const stop = Math.min(ops.length, end + 1 + context);
    const hunk = ops.slice(start, stop);
    const firstA = (hunk.find((o) => o[0] !== '+')?.[1] ?? 0) + 1;
    const inB = hunk.find((o) => o[0] !== '-');
    const firstB = (inB ? (inB[0] === '=' ? inB[2] : inB[1]) : 0) + 1;
    const countA = hunk.filter((o) => o[0] !== '+').length;
    const countB = hunk.filter((o) => o[0] !== '-').length;
    out.push(`@@ -${firstA},${countA} +${firstB},${countB} @@`);
    for (const op of hunk) {
      if (op[0] === '=') out.push(` ${a[op[1]]}`);
      else if (op[0] === '-') out.push(`-${a[op[1]]}`);
      else out.push(`+${b[op[1]]}`);
    }
    i = stop;
  }
  const shown = out.slice(0, maxLines);
  if (out.length > shown.length) shown.push(`... (${out.length - shown.length} more diff lines)`);
  return shown.map((l) => `    ${l}`).join('\n');
}
