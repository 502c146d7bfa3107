/**
 * Which documented (operationId, status) pairs the suite exercised. The contract client records
 * every validated response; the root hooks print the report at the end of the run and, when
 * CONTRACT_COVERAGE=required (the whole suite: `npm test`), fail the run if a documented pair
 * was never exercised (unexercisedPairs).
 */
import { deref, isObject, listOperations, type JsonObject } from '../../server/src/core/openapi.ts';

/** The pseudo-operation of requests that match no operation (x-unmatched-request-responses). */
export const UNMATCHED = '(unmatched)';

const exercised = new Map<string, number>();

export function recordExercised(operationId: string, status: number | string): void {
  const key = `${operationId} ${status}`;
  exercised.set(key, (exercised.get(key) ?? 0) + 1);
}

export interface CoverageRow {
  readonly operationId: string;
  readonly status: string;
  readonly exercised: boolean;
  readonly count: number;
}

/** Every documented pair, in document order, with whether the suite exercised it. */
export function coverageRows(document: JsonObject): CoverageRow[] {
  const rows: CoverageRow[] = [];
  const add = (operationId: string, statuses: string[]) => {
    for (const status of statuses) {
      const count = exercised.get(`${operationId} ${status}`) ?? 0;
      rows.push({ operationId, status, exercised: count > 0, count });
    }
  };
  for (const op of listOperations(document)) {
    add(op.operationId, Object.keys(isObject(op.operation.responses) ? op.operation.responses : {}));
  }
  const unmatched = isObject(document['x-unmatched-request-responses']) ? document['x-unmatched-request-responses'] : {};
  add(UNMATCHED, Object.keys(isObject(unmatched.responses) ? deref(document, unmatched.responses) : {}));
  return rows;
}

/** The documented pairs this run never exercised, as `operationId status`, in document order. */
export function unexercisedPairs(document: JsonObject): string[] {
  return coverageRows(document)
    .filter((row) => !row.exercised)
    .map((row) => `${row.operationId} ${row.status}`);
}

export function coverageReport(document: JsonObject): string {
  const rows = coverageRows(document);
  const width = Math.max(...rows.map((r) => r.operationId.length), 'operation'.length);
  const lines = [
    '',
    'Contract coverage: documented (operationId, status) pairs exercised by this run',
    `  ${'operation'.padEnd(width)}  status  exercised  responses`,
  ];
  for (const row of rows) {
    lines.push(`  ${row.operationId.padEnd(width)}  ${row.status.padEnd(6)}  ${(row.exercised ? 'yes' : 'no').padEnd(9)}  ${row.count}`);
  }
  const done = rows.filter((r) => r.exercised).length;
  const ops = new Set(rows.map((r) => r.operationId));
  const opsDone = new Set(rows.filter((r) => r.exercised).map((r) => r.operationId));
  lines.push(
    `  total: ${done} of ${rows.length} documented pairs exercised (${((100 * done) / Math.max(rows.length, 1)).toFixed(1)}%); ` +
      `${opsDone.size} of ${ops.size} operations (including ${UNMATCHED}) exercised at least once`,
    '',
  );
  return lines.join('\n');
}
