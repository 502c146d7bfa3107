/**
 * JSON Schema validation of the contract's schemas with Ajv (draft 2020-12, which is what
 * OpenAPI 3.1 uses), shared by the server's request validation and the tests' response
 * validation so that both read openapi.yaml the same way.
 *
 * How the document is made digestible for Ajv, once, at start-up:
 * - `components.schemas` become the `$defs` of one schema resource (SCHEMA_BASE) and every
 *   `#/components/schemas/X` reference is rewritten to `SCHEMA_BASE#/$defs/X`;
 * - `discriminator.mapping` is stripped (Ajv rejects it);
 * - keywords Ajv does not know (`x-*` extensions, `discriminator`, `example`, `xml`,
 *   `externalDocs`) are registered as annotations, so they neither break compilation nor
 *   validate anything;
 * - an optional `transform` can rewrite each object schema (the tests use it to forbid
 *   undocumented response fields).
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import type { AnySchemaObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isObject, type JsonObject } from '../core/openapi.ts';

const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;
type Ajv = InstanceType<typeof Ajv2020>;

export const SCHEMA_BASE = 'https://schemas.mojeeb.invalid/openapi-components.json';
const COMPONENT_REF = '#/components/schemas/';

/** Keywords whose value is one subschema. */
const SCHEMA_KEYWORDS = [
  'items',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'propertyNames',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'contentSchema',
];
/** Keywords whose value is a map of name → subschema. */
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
/** Keywords whose value is an array of subschemas. */
const SCHEMA_ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** OpenAPI keywords that may sit in a schema and that Ajv does not know. */
const OPENAPI_ANNOTATIONS = ['discriminator', 'example', 'xml', 'externalDocs'];

/** Rewrites one object schema; `location` is its JSON pointer in openapi.yaml. */
export type SchemaTransform = (schema: JsonObject, location: string) => JsonObject;

export interface SchemaSetOptions {
  readonly transform?: SchemaTransform;
  /** Keep each error's schema and data (Ajv `verbose`); the request validator uses them for messages. */
  readonly verbose?: boolean;
}

export interface SchemaSet {
  /** Compiles a schema found at `location` of the document (it may `$ref` components). */
  compile(schema: unknown, location: string): ValidateFunction;
  /** The prepared schema of a component, `$ref`s rewritten (for walking, not for validating). */
  component(name: string): JsonObject | undefined;
  /** Follows `$ref`s (as written in the document, or rewritten) to the prepared component they name. */
  resolve(schema: JsonObject): JsonObject;
}

export function createSchemaSet(document: JsonObject, options: SchemaSetOptions = {}): SchemaSet {
  const components = isObject(document.components) ? document.components : {};
  const rawSchemas = isObject(components.schemas) ? components.schemas : {};
  const unknownKeywords = new Set<string>(OPENAPI_ANNOTATIONS);

  const prepare = (schema: unknown, location: string): unknown => prepareSchema(schema, location, options.transform, unknownKeywords);
  const defs: JsonObject = {};
  for (const [name, schema] of Object.entries(rawSchemas)) {
    defs[name] = prepare(schema, `${COMPONENT_REF}${escapePointer(name)}`);
  }

  const ajv: Ajv = new Ajv2020({
    strict: true,
    strictTypes: false, // OpenAPI documents often put `required` next to `oneOf` without a `type`
    strictTuples: false,
    allowUnionTypes: true,
    allErrors: true,
    verbose: options.verbose ?? false,
    validateFormats: true,
  });
  addFormats(ajv);
  for (const keyword of unknownKeywords) ajv.addKeyword({ keyword });
  ajv.addSchema({ $id: SCHEMA_BASE, $defs: defs } as AnySchemaObject);

  return {
    compile(schema, location) {
      const prepared = prepare(schema, location);
      // A bare `$ref` compiles to the referenced resource's own function; wrap it so each call
      // site gets its own, with errors reported relative to this location.
      return ajv.compile((isObject(prepared) ? prepared : { const: prepared }) as AnySchemaObject);
    },
    component(name) {
      const value = defs[name];
      return isObject(value) ? value : undefined;
    },
    resolve(schema) {
      let node: JsonObject = schema;
      for (let hops = 0; hops <= 20 && typeof node.$ref === 'string'; hops++) {
        const ref: string = node.$ref;
        const prefix = [`${SCHEMA_BASE}#/$defs/`, COMPONENT_REF].find((p) => ref.startsWith(p));
        if (prefix === undefined) break;
        const target = defs[unescapePointer(ref.slice(prefix.length))];
        if (!isObject(target)) break;
        node = target;
      }
      return node;
    },
  };
}

function prepareSchema(schema: unknown, location: string, transform: SchemaTransform | undefined, unknownKeywords: Set<string>): unknown {
  if (typeof schema === 'boolean') return schema;
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-')) {
      unknownKeywords.add(key);
      out[key] = value;
    } else if (key === '$ref' && typeof value === 'string') {
      out[key] = value.startsWith(COMPONENT_REF) ? `${SCHEMA_BASE}#/$defs/${value.slice(COMPONENT_REF.length)}` : value;
    } else if (key === 'discriminator' && isObject(value)) {
      const { mapping: _mapping, ...rest } = value;
      out[key] = rest;
    } else if (SCHEMA_KEYWORDS.includes(key)) {
      out[key] = prepareSchema(value, `${location}/${key}`, transform, unknownKeywords);
    } else if (SCHEMA_MAP_KEYWORDS.includes(key) && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [
          name,
          prepareSchema(sub, `${location}/${key}/${escapePointer(name)}`, transform, unknownKeywords),
        ]),
      );
    } else if (SCHEMA_ARRAY_KEYWORDS.includes(key) && Array.isArray(value)) {
      out[key] = value.map((sub, i) => prepareSchema(sub, `${location}/${key}/${i}`, transform, unknownKeywords));
    } else {
      out[key] = value; // data (enum, const, examples, default, …): never rewritten
    }
  }
  return transform ? transform(out, location) : out;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
