// The document and what the koa-stubs templates and the generated catalogs rely on: loaded once
// and checked before anything is rendered, so that a spec the templates cannot render fails
// with a list of problems instead of an uncompilable or wrong route table. (That the rendered
// route table says what the document says is checked by test/unit/generated-routes.test.ts.)
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

import { resolveRef as deref } from '../../server/src/core/openapi-ref.mjs';
import { ROOT } from '../fetch-generator.mjs';

export const SPEC_FILE = 'openapi.yaml';
/** PathItem.readOperations() order, which the templates iterate. */
export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SUPPORTED_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

export class SpecProblems extends Error {
  constructor(title, problems) {
    super(`${title}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SpecProblems';
  }
}

export function loadSpec() {
  const bytes = readFileSync(join(ROOT, SPEC_FILE));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const text = bytes.toString('utf8');
  const doc = parseYaml(text, { uniqueKeys: true, maxAliasCount: -1 });
  if (!doc || typeof doc !== 'object') throw new Error(`${SPEC_FILE} is not a YAML mapping`);
  return { text, sha256, doc };
}

const isQuotable = (s) => typeof s === 'string' && !/['\\\n\r\u2028\u2029]/.test(s);

/**
 * Collects every problem of the operations that would make the templates render something wrong
 * or uncompilable; returns how many operations the document has.
 */
export function checkOperations(doc) {
  const problems = [];
  let operations = 0;
  const seenIds = new Map();
  const schemes = doc.components?.securitySchemes ?? {};

  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = deref(doc, rawItem);
    if (!isQuotable(path)) problems.push(`path ${JSON.stringify(path)} contains a quote, backslash or line break`);
    for (const method of Object.keys(item)) {
      if (
        !METHODS.includes(method) &&
        !['parameters', 'summary', 'description', 'servers', '$ref'].includes(method) &&
        !method.startsWith('x-')
      ) {
        problems.push(`${path}: unknown path item field '${method}'`);
      }
    }
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const id = op.operationId;
      if (typeof id !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(id)) {
        problems.push(`${where}: operationId ${JSON.stringify(id)} must be present and a JavaScript identifier`);
        continue;
      }
      if (seenIds.has(id)) problems.push(`${where}: operationId '${id}' is also used by ${seenIds.get(id)}`);
      seenIds.set(id, where);
      if (!SUPPORTED_METHODS.has(method)) problems.push(`${where} (${id}): method '${method}' is not in RouteDefinition's HttpMethod`);

      // Tags: the generator groups operations by tag, so an operation with two tags would be
      // rendered twice (duplicate keys); one without tags would be put under 'default'.
      const tags = op.tags ?? [];
      if (tags.length !== 1)
        problems.push(`${id}: needs exactly one tag (the koa-stubs templates group operations by tag), has ${tags.length}`);
      for (const tag of tags) if (!isQuotable(tag)) problems.push(`${id}: tag ${JSON.stringify(tag)} contains a quote or backslash`);

      if (typeof op.summary === 'string' && (op.summary.includes('*/') || /[\n\r]/.test(op.summary.trim()))) {
        problems.push(`${id}: summary must be one line without '*/' (it becomes a JSDoc comment)`);
      }

      // Security: authenticated when the effective requirement list demands a scheme.
      const security = op.security ?? doc.security ?? [];
      const requirements = Array.isArray(security) ? security : [];
      const empty = requirements.filter((r) => Object.keys(r ?? {}).length === 0).length;
      if (empty > 0 && empty < requirements.length) {
        problems.push(`${id}: security mixes {} (anonymous) with schemes; optional authentication is not supported by the route table`);
      }
      for (const requirement of requirements) {
        for (const scheme of Object.keys(requirement ?? {})) {
          if (!schemes[scheme])
            problems.push(
              `${id}: security names the undefined scheme '${scheme}' (openapi-generator would drop it and the operation would look unauthenticated)`,
            );
        }
      }
      const authenticated = requirements.length > 0 && empty === 0;

      const scopes = op['x-required-scopes'] ?? [];
      if (!Array.isArray(scopes) || !scopes.every(isQuotable)) {
        problems.push(`${id}: x-required-scopes must be a list of strings`);
      } else if (scopes.length > 0 && !authenticated) {
        problems.push(`${id}: x-required-scopes on an operation without authentication`);
      }

      // Parameters: operation-level first, then the path item's ones it does not override.
      const opParams = (op.parameters ?? []).map((p) => deref(doc, p));
      const itemParams = (item.parameters ?? []).map((p) => deref(doc, p));
      const params = [...opParams, ...itemParams.filter((p) => !opParams.some((q) => q.name === p.name && q.in === p.in))];
      for (const p of params) {
        if (!isQuotable(p.name)) problems.push(`${id}: parameter name ${JSON.stringify(p.name)} contains a quote or backslash`);
      }
      const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
      const templated = [...path.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]);
      if ([...templated].sort().join() !== [...pathParams].sort().join()) {
        problems.push(
          `${id}: path template parameters {${templated.join('}, {')}} do not match its path parameters [${pathParams.join(', ')}]`,
        );
      }

      // Request body: JSON only (the runtime parses JSON; other media types would need templates).
      const body = op.requestBody ? deref(doc, op.requestBody) : undefined;
      if (body) {
        const types = Object.keys(body.content ?? {});
        if (types.length !== 1 || types[0] !== 'application/json') {
          problems.push(`${id}: request body media types [${types.join(', ')}]; only application/json is supported`);
        }
      }

      // Responses: at least one 2xx, each a concrete status code.
      const codes = Object.keys(op.responses ?? {});
      const success = codes.filter((c) => /^2/.test(c));
      for (const code of success) {
        if (!/^2\d\d$/.test(code)) problems.push(`${id}: response '${code}': 2xx ranges are not supported, list concrete statuses`);
        const response = deref(doc, op.responses[code]);
        for (const type of Object.keys(response?.content ?? {})) {
          if (!isQuotable(type)) problems.push(`${id}: media type ${JSON.stringify(type)} contains a quote or backslash`);
        }
      }
      const numeric = success.filter((c) => /^2\d\d$/.test(c)).map(Number);
      if (numeric.length === 0) problems.push(`${id}: documents no 2xx response`);

      operations++;
    }
  }
  if (operations === 0) problems.push('the document has no operations');
  if (problems.length) throw new SpecProblems(`${SPEC_FILE} cannot be turned into the route table`, problems);
  return operations;
}

/** The error catalog and the known-value lists, checked against each other. */
export function analyseErrors(doc) {
  const schemas = doc.components?.schemas ?? {};
  const problems = [];
  const list = (name) => {
    const values = schemas[name]?.['x-extensible-enum'];
    if (!Array.isArray(values) || values.length === 0) {
      problems.push(`components.schemas.${name} has no x-extensible-enum list`);
      return [];
    }
    const seen = new Set();
    for (const value of values) {
      if (typeof value !== 'string' || !/^[a-z][a-z0-9_]*$/.test(value))
        problems.push(`${name} x-extensible-enum: ${JSON.stringify(value)} is not a snake_case string`);
      if (seen.has(value)) problems.push(`${name} x-extensible-enum: '${value}' is listed twice`);
      seen.add(value);
    }
    return values;
  };
  const errorCodes = list('ErrorCode');
  const errorTypes = list('ErrorType');
  const messageErrorCodes = list('MessageErrorCode');
  const messageStatuses = list('MessageStatus');
  const messageTypes = list('MessageType');

  const catalog = schemas.ErrorCode?.['x-error-catalog'];
  const apiErrorProperties = Object.keys(deref(doc, schemas.ApiError)?.properties ?? {});
  if (!catalog || typeof catalog !== 'object' || Array.isArray(catalog)) {
    problems.push('components.schemas.ErrorCode has no x-error-catalog mapping');
  } else {
    const keys = Object.keys(catalog);
    const notInCatalog = errorCodes.filter((c) => !keys.includes(c));
    const notInEnum = keys.filter((c) => !errorCodes.includes(c));
    if (notInCatalog.length)
      problems.push(`ErrorCode x-extensible-enum lists codes missing from x-error-catalog: ${notInCatalog.join(', ')}`);
    if (notInEnum.length) problems.push(`ErrorCode x-error-catalog has codes missing from x-extensible-enum: ${notInEnum.join(', ')}`);
    for (const [code, entry] of Object.entries(catalog)) {
      const unknown = Object.keys(entry ?? {}).filter((k) => !['status', 'type', 'extras'].includes(k));
      if (unknown.length) problems.push(`x-error-catalog.${code}: unknown field(s) ${unknown.join(', ')}`);
      if (!Number.isInteger(entry?.status) || entry.status < 400 || entry.status > 599)
        problems.push(`x-error-catalog.${code}: status must be an integer 400–599, got ${JSON.stringify(entry?.status)}`);
      if (!errorTypes.includes(entry?.type))
        problems.push(`x-error-catalog.${code}: type ${JSON.stringify(entry?.type)} is not in ErrorType's x-extensible-enum`);
      const extras = entry?.extras ?? [];
      if (!Array.isArray(extras)) problems.push(`x-error-catalog.${code}: extras must be a list`);
      else {
        for (const extra of extras) {
          if (!apiErrorProperties.includes(extra))
            problems.push(`x-error-catalog.${code}: extra '${extra}' is not a property of the ApiError schema`);
        }
      }
    }
  }
  if (problems.length) throw new SpecProblems(`${SPEC_FILE}: the error catalog and the x-extensible-enum lists disagree`, problems);
  const entries = errorCodes.map((code) => [
    code,
    { status: catalog[code].status, type: catalog[code].type, extras: catalog[code].extras ?? [] },
  ]);
  return { entries, errorTypes, messageErrorCodes, messageStatuses, messageTypes };
}

// ---------------------------------------------------------------------------------------------
