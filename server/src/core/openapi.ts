/**
 * The contract, loaded once: the exact bytes of openapi.yaml (served as-is by /openapi.yaml),
 * the parsed document (for validation and /openapi.json) and small helpers to walk it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isObject, resolveRef, type JsonObject } from './openapi-ref.mjs';

export type { JsonObject };

export interface LoadedSpec {
  /** Where the document was read from. */
  readonly path: string;
  /** The file's exact bytes. */
  readonly yamlBytes: Buffer;
  /** The parsed document. Treat as read-only: it is shared by the whole process. */
  readonly document: JsonObject;
  /** The document as JSON text, computed once. */
  readonly jsonText: string;
  /** SHA-256 of the file's bytes, hex. */
  readonly sha256: string;
  /** `info.version`. */
  readonly version: string;
}

export function loadSpec(path: string): LoadedSpec {
  const yamlBytes = readFileSync(path);
  const document = parse(yamlBytes.toString('utf8'), { maxAliasCount: 100 }) as unknown;
  if (!isObject(document) || typeof document.openapi !== 'string' || !isObject(document.paths)) {
    throw new Error(`${path} is not an OpenAPI document`);
  }
  const info = isObject(document.info) ? document.info : {};
  return {
    path,
    yamlBytes,
    document,
    jsonText: JSON.stringify(document),
    sha256: createHash('sha256').update(yamlBytes).digest('hex'),
    version: typeof info.version === 'string' ? info.version : 'unknown',
  };
}

export { isObject } from './openapi-ref.mjs';

/** Follows `$ref` chains of OpenAPI objects (responses, parameters, headers, …) to an object. */
export function deref(document: JsonObject, value: unknown): JsonObject {
  const node = resolveRef(document, value);
  if (!isObject(node)) throw new Error('reference does not resolve to an object');
  return node;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface SpecOperation {
  readonly operationId: string;
  readonly method: (typeof HTTP_METHODS)[number];
  /** The templated path, e.g. `/v1/whatsapp/messages/{id}`. */
  readonly path: string;
  readonly operation: JsonObject;
  /** Path-level and operation-level parameters, dereferenced (operation-level wins). */
  readonly parameters: readonly JsonObject[];
}

/** Every operation of the document, in document order. */
export function listOperations(document: JsonObject): SpecOperation[] {
  const result: SpecOperation[] = [];
  const paths = isObject(document.paths) ? document.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = deref(document, rawItem);
    const shared = Array.isArray(item.parameters) ? item.parameters.map((p) => deref(document, p)) : [];
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const own = Array.isArray(operation.parameters) ? operation.parameters.map((p) => deref(document, p)) : [];
      const key = (p: JsonObject) => `${String(p.in)}:${String(p.name).toLowerCase()}`;
      const merged = new Map<string, JsonObject>();
      for (const p of [...shared, ...own]) merged.set(key(p), p);
      result.push({ operationId: String(operation.operationId), method, path, operation, parameters: [...merged.values()] });
    }
  }
  return result;
}
