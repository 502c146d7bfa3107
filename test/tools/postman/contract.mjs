/**
 * What the contract says about the responses of an operation, in the form the Postman collection's
 * test scripts check (test-script.mjs): per status, the media types, the required headers and the
 * body schema, translated from OpenAPI 3.1 to JSON Schema draft-07 for the ajv 6 that Postman's
 * sandbox ships (3.1's `type: [x, 'null']`, `oneOf` with `type: 'null'`, `examples`,
 * `propertyNames` all mean the same there; `$ref` siblings are kept through `allOf`).
 */

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Follows a local `#/…` reference. */
function resolvePointer(document, ref) {
  if (!ref.startsWith('#/')) throw new Error(`only local references are supported: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((node, key) => (node === undefined ? undefined : node[key]), document);
}

export function deref(document, value) {
  let current = value;
  const seen = new Set();
  while (isObject(current) && typeof current.$ref === 'string') {
    if (seen.has(current.$ref)) throw new Error(`reference cycle at ${current.$ref}`);
    seen.add(current.$ref);
    current = resolvePointer(document, current.$ref);
  }
  return current;
}

const ANNOTATIONS = new Set(['description', 'examples', 'example', 'title', '$comment', 'deprecated', 'readOnly', 'writeOnly']);

/**
 * An OpenAPI 3.1 schema as a draft-07 schema for ajv 6: component references point into
 * `definitions`, annotations and `x-` extensions are dropped (they do not validate), and a
 * `$ref` with validating siblings keeps them through `allOf` (draft-07 ignores `$ref` siblings).
 */
function toDraft07(schema, used) {
  if (Array.isArray(schema)) return schema.map((item) => toDraft07(item, used));
  if (!isObject(schema)) return schema;
  const out = {};
  let ref;
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref') {
      const match = /^#\/components\/schemas\/([^/]+)$/.exec(value);
      if (!match) throw new Error(`unsupported schema reference ${value}`);
      used.add(match[1]);
      ref = `#/definitions/${match[1]}`;
    } else if (ANNOTATIONS.has(key) || key.startsWith('x-')) {
      continue;
    } else if (['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'].includes(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toDraft07(sub, used)]));
    } else if (isObject(value) || Array.isArray(value)) {
      out[key] = key === 'enum' || key === 'const' || key === 'required' || key === 'type' ? value : toDraft07(value, used);
    } else {
      out[key] = value;
    }
  }
  if (ref === undefined) return out;
  return Object.keys(out).length === 0 ? { $ref: ref } : { allOf: [{ $ref: ref }], ...out };
}

/** The definitions a set of used component names needs, transitively. */
function definitionsFor(document, used) {
  const definitions = {};
  const pending = [...used];
  while (pending.length > 0) {
    const name = pending.pop();
    if (definitions[name]) continue;
    const more = new Set();
    definitions[name] = toDraft07(document.components.schemas[name], more);
    for (const next of more) if (!definitions[next]) pending.push(next);
  }
  return definitions;
}

/** What the contract says about the responses of one operation (or of unmatched requests). */
export function responseContract(document, label, responses) {
  const used = new Set();
  const statuses = {};
  for (const [status, raw] of Object.entries(responses ?? {})) {
    const response = deref(document, raw);
    const requiredHeaders = Object.entries(response.headers ?? {})
      .filter(([, header]) => deref(document, header).required === true)
      .map(([name]) => name.toLowerCase());
    const content = response.content ?? {};
    const mediaTypes = Object.keys(content);
    const first = mediaTypes[0];
    const schema = first && content[first].schema ? toDraft07(content[first].schema, used) : undefined;
    statuses[status] = { mediaTypes, requiredHeaders, ...(schema ? { schema } : {}) };
  }
  return { operation: label, statuses, definitions: definitionsFor(document, used) };
}
