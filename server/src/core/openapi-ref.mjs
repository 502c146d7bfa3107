// Local references of an OpenAPI document ('#/components/…'), in plain JavaScript so that both
// the server (through openapi.ts) and scripts/generate.mjs (run by node without a TypeScript
// loader) follow `$ref`s the same way.

/** A JSON object (not null, not an array). */
export function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a local JSON pointer such as `#/components/responses/NotFound`, or undefined. */
export function atPointer(document, pointer) {
  if (!pointer.startsWith('#')) throw new Error(`only local references are supported: ${pointer}`);
  let node = document;
  for (const raw of pointer.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

/**
 * Follows a chain of `$ref`s from `value` to what it finally names; a value without `$ref`
 * (including a non-object) is returned as it is. Throws on a non-local, circular or
 * unresolvable reference.
 */
export function resolveRef(document, value) {
  let node = value;
  const seen = new Set();
  while (isObject(node) && typeof node.$ref === 'string') {
    const ref = node.$ref;
    if (seen.has(ref)) throw new Error(`reference cycle at ${ref}`);
    seen.add(ref);
    node = atPointer(document, ref);
    if (node === undefined) throw new Error(`unresolvable $ref '${ref}'`);
  }
  return node;
}
