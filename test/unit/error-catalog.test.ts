/**
 * The error catalog is written down four times in openapi.yaml — `x-error-catalog`, the
 * `x-extensible-enum` lists, the "Error codes"/"Error types" tables of the Errors guide, and the
 * response examples — and once more in the generated catalog the server raises errors from.
 * These tests make them agree.
 */
import { expect } from 'chai';
import { errorCatalog } from '../../server/src/generated/error-catalog.ts';
import { deref, isObject, listOperations, type JsonObject } from '../../server/src/core/openapi.ts';
import { createSchemaSet } from '../../server/src/http/schemas.ts';
import { strictTransform } from '../support/contract.ts';
import { spec } from '../support/harness.ts';

interface CatalogEntry {
  status: number;
  type: string;
  extras?: string[];
}

const document = () => spec().document;
const schemas = () => (document().components as { schemas: Record<string, JsonObject> }).schemas;
const catalog = () => schemas().ErrorCode!['x-error-catalog'] as Record<string, CatalogEntry>;
const description = () => String((document().info as JsonObject).description);

/** The rows of the markdown table under `heading` in info.description. */
function tableRows(heading: string): string[][] {
  const text = description();
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, `heading '${heading}' in info.description`).to.be.greaterThan(-1);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of text.slice(start + heading.length + 2).split('\n')) {
    if (line.startsWith('|')) {
      inTable = true;
      rows.push(
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    } else if (inTable) {
      break;
    }
  }
  return rows.slice(2); // header and separator
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '');
const backticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

interface ExampleUse {
  response: string;
  status: string;
  example: string;
  error: JsonObject;
}

/** Every example of an ErrorResponse in components.responses, with each status the response is used under. */
function errorExamples(): ExampleUse[] {
  const doc = document();
  const usage = new Map<string, Set<string>>();
  const note = (responses: unknown) => {
    for (const [status, value] of Object.entries(isObject(responses) ? responses : {})) {
      if (isObject(value) && typeof value.$ref === 'string' && value.$ref.startsWith('#/components/responses/')) {
        const name = value.$ref.slice('#/components/responses/'.length);
        if (!usage.has(name)) usage.set(name, new Set());
        usage.get(name)!.add(status);
      }
    }
  };
  for (const op of listOperations(doc)) note(op.operation.responses);
  note((doc['x-unmatched-request-responses'] as JsonObject).responses);

  const result: ExampleUse[] = [];
  const responses = (doc.components as { responses: Record<string, JsonObject> }).responses;
  for (const [name, raw] of Object.entries(responses)) {
    const response = deref(doc, raw);
    const content = isObject(response.content) ? response.content : {};
    for (const media of Object.values(content)) {
      const isEnvelope = isObject(media) && isObject(media.schema) && media.schema.$ref === '#/components/schemas/ErrorResponse';
      if (!isEnvelope) continue; // e.g. a Message whose `error` member is a delivery failure
      const examples = isObject(media.examples) ? media.examples : {};
      for (const [exampleName, example] of Object.entries(examples)) {
        const value = isObject(example) ? example.value : undefined;
        if (!isObject(value) || !isObject(value.error)) continue;
        for (const status of usage.get(name) ?? []) result.push({ response: name, status, example: exampleName, error: value.error });
      }
    }
  }
  return result;
}

describe('the error catalog of openapi.yaml', () => {
  it('lists the same codes in x-error-catalog and in ErrorCode x-extensible-enum', () => {
    expect(Object.keys(catalog())).to.have.members(schemas().ErrorCode!['x-extensible-enum'] as string[]);
  });

  it('uses only the types listed in ErrorType x-extensible-enum, and every listed type', () => {
    const types = schemas().ErrorType!['x-extensible-enum'] as string[];
    const used = new Set(Object.values(catalog()).map((e) => e.type));
    expect([...used]).to.have.members(types);
  });

  it('gives extras that are properties of the ApiError schema', () => {
    const properties = Object.keys(schemas().ApiError!.properties as JsonObject);
    for (const [code, entry] of Object.entries(catalog())) {
      for (const extra of entry.extras ?? []) expect(properties, `${code} extra ${extra}`).to.include(extra);
    }
  });

  it('agrees with the "Error codes" table of the Errors guide: same codes, statuses, types and extras', () => {
    const rows = tableRows('## Error codes');
    const table = new Map(rows.map((cells) => [unquote(cells[0]!), cells]));
    expect([...table.keys()]).to.have.members(Object.keys(catalog()));
    for (const [code, entry] of Object.entries(catalog())) {
      const cells = table.get(code)!;
      expect(Number(cells[1]), `${code} status`).to.equal(entry.status);
      expect(cells[2], `${code} type`).to.equal(entry.type);
      expect(backticked(cells[4] ?? ''), `${code} extras`).to.have.members(entry.extras ?? []);
    }
  });

  it('agrees with the "Error types" table: every (type, status) of the catalog is listed', () => {
    const rows = tableRows('## Error types');
    const statuses = new Map(rows.map((cells) => [unquote(cells[0]!), (cells[1]!.match(/\b\d{3}\b/g) ?? []).map(Number)]));
    expect([...statuses.keys()]).to.have.members(schemas().ErrorType!['x-extensible-enum'] as string[]);
    for (const [code, entry] of Object.entries(catalog())) {
      expect(statuses.get(entry.type), `${code}: ${entry.type} ${entry.status}`).to.include(entry.status);
    }
  });

  it('shows every code in at least one example of a response used with the code’s status', () => {
    const examples = errorExamples();
    for (const [code, entry] of Object.entries(catalog())) {
      const shown = examples.some((e) => e.error.code === code && e.status === String(entry.status));
      expect(shown, `an example of ${code} in a ${entry.status} response`).to.equal(true);
    }
  });

  it('has error examples that match the catalog (status, type, extras) and the ErrorResponse schema', () => {
    const validate = createSchemaSet(document(), { transform: strictTransform() }).compile(
      { $ref: '#/components/schemas/ErrorResponse' },
      '#/test/ErrorResponse',
    );
    const base = new Set(['type', 'code', 'message', 'correlation_id']);
    for (const use of errorExamples()) {
      const where = `${use.response} (${use.status}) example ${use.example}`;
      const entry = catalog()[String(use.error.code)];
      expect(entry, `${where}: code ${String(use.error.code)} in the catalog`).to.not.equal(undefined);
      expect(String(entry!.status), `${where}: status`).to.equal(use.status);
      expect(use.error.type, `${where}: type`).to.equal(entry!.type);
      const extras = Object.keys(use.error).filter((k) => !base.has(k));
      expect(entry!.extras ?? [], `${where}: extras`).to.include.members(extras);
      expect(validate({ error: use.error }), `${where}: ${JSON.stringify(validate.errors)}`).to.equal(true);
    }
  });

  it('is what the server raises errors from (the generated catalog)', () => {
    const generated = Object.fromEntries(
      Object.entries(errorCatalog).map(([code, e]) => [code, { status: e.status, type: e.type, extras: [...e.extras] }]),
    );
    const fromSpec = Object.fromEntries(
      Object.entries(catalog()).map(([code, e]) => [code, { status: e.status, type: e.type, extras: e.extras ?? [] }]),
    );
    expect(generated).to.deep.equal(fromSpec);
  });
});
