/**
 * Request validation against the contract: the JSON body, then header parameters, then path
 * parameters, then query parameters, each against its schema in openapi.yaml, compiled once at
 * start-up. Query values are text: a parameter whose schema is an integer is converted first
 * (`limit=20` → 20), so the handler gets the schema's type; a parameter sent twice is invalid.
 *
 * Exactly one problem is reported, deterministically: the first in field order, where a field's
 * position is its position in the schema's `properties` (the order the contract documents them
 * in), then, for fields the schema does not declare, the order they appear in the request, and
 * array items by index. Among problems of one field: a missing field, then an unknown field,
 * then a wrong type, then any other constraint.
 *
 * Codes: a missing required field → `missing_required_field`; a field the schema does not
 * accept → `unknown_field`; any other violation → `invalid_field_value`, except the fields with
 * their own code (FIELD_CODES). Body problems come before header problems: a bad
 * `Idempotency-Key` (an idempotency error) is reported only for an otherwise valid body,
 * following the precedence in the Errors guide (field validation before idempotency).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { IncomingHttpHeaders } from 'node:http';
import type { RouteDefinition } from '../generated/routes.ts';
import { ApiError, type ErrorCode } from '../core/errors.ts';
import { headerText } from './header-text.ts';
import { isObject, listOperations, type JsonObject, type LoadedSpec, type SpecOperation } from '../core/openapi.ts';
import type { SchemaSet } from './schemas.ts';

type FieldCode = Extract<
  ErrorCode,
  | 'invalid_agent_id'
  | 'invalid_phone_number'
  | 'invalid_from_phone'
  | 'invalid_text_body'
  | 'invalid_template_name'
  | 'invalid_template_language'
  | 'invalid_idempotency_key'
>;

/** Fields (dotted body paths, or header names) whose invalid values have their own code and message. */
const FIELD_CODES: Readonly<Record<string, { code: FieldCode; message: string }>> = {
  agent_id: { code: 'invalid_agent_id', message: "The 'agent_id' field must be a UUID." },
  to: { code: 'invalid_phone_number', message: "The 'to' field must be an E.164 phone number such as +15551234567." },
  from: { code: 'invalid_from_phone', message: "The 'from' field must be an E.164 phone number such as +15557654321." },
  'text.body': { code: 'invalid_text_body', message: "The 'text.body' field must be 1 to 4096 characters long." },
  'template.name': {
    code: 'invalid_template_name',
    message: "The 'template.name' field must be 1 to 512 lowercase letters, digits or underscores.",
  },
  'template.language': {
    code: 'invalid_template_language',
    message: "The 'template.language' field must be a language code such as en or pt_BR.",
  },
  'Idempotency-Key': {
    code: 'invalid_idempotency_key',
    message: 'The Idempotency-Key header must be 1 to 255 characters long.',
  },
};

export interface RequestParts {
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
  readonly params: Readonly<Record<string, string | undefined>>;
  /** The parsed query string (a repeated name gives an array). */
  readonly query?: Readonly<Record<string, string | string[] | undefined>>;
}

interface ParameterValidator {
  readonly name: string;
  readonly required: boolean;
  readonly validate: ValidateFunction;
}

export interface OperationValidator {
  /**
   * Throws the first problem as an ApiError (422); returns the documented query parameters,
   * converted to their schema's type, when the request is valid.
   */
  validate(parts: RequestParts): Record<string, unknown>;
}

/** Compiles one validator per route. Throws at start-up when a route is not in the document. */
export function compileValidators(
  spec: LoadedSpec,
  schemas: SchemaSet,
  routes: readonly RouteDefinition[],
): Map<string, OperationValidator> {
  const operations = new Map(listOperations(spec.document).map((op) => [op.operationId, op]));
  const result = new Map<string, OperationValidator>();
  for (const route of routes) {
    const op = operations.get(route.operationId);
    if (op === undefined) throw new Error(`operation ${route.operationId} of the route table is not in ${spec.path}`);
    result.set(route.operationId, compileOperation(op, schemas));
  }
  return result;
}

function compileOperation(op: SpecOperation, schemas: SchemaSet): OperationValidator {
  const location = `#/paths/${op.path.replace(/~/g, '~0').replace(/\//g, '~1')}/${op.method}`;
  const responses = isObject(op.operation.responses) ? op.operation.responses : {};
  const documents422 = '422' in responses;

  let bodyValidator: ValidateFunction | undefined;
  let bodySchema: JsonObject | undefined;
  const requestBody = isObject(op.operation.requestBody) ? op.operation.requestBody : undefined;
  const content = requestBody && isObject(requestBody.content) ? requestBody.content : undefined;
  const jsonMedia = content && isObject(content['application/json']) ? content['application/json'] : undefined;
  if (jsonMedia && isObject(jsonMedia.schema)) {
    bodySchema = jsonMedia.schema;
    bodyValidator = schemas.compile(bodySchema, `${location}/requestBody/content/application~1json/schema`);
  }

  const parameter = (where: 'header' | 'path' | 'query'): ParameterValidator[] =>
    op.parameters
      .filter((p) => p.in === where && isObject(p.schema))
      .map((p) => ({
        name: String(p.name),
        required: p.required === true,
        validate: schemas.compile(p.schema, `${location}/parameters/${String(p.name)}`),
      }));
  const headers = parameter('header');
  // Only an operation that documents 422 can answer one; for the others (a message id that is
  // too long, say) the handler answers, e.g. 404 message_not_found.
  const pathParams = documents422 ? parameter('path') : [];
  const queryParams = parameter('query').map((p) => {
    const declared = op.parameters.find((q) => q.in === 'query' && q.name === p.name);
    const schema = declared && isObject(declared.schema) ? schemas.resolve(declared.schema) : {};
    return { ...p, integer: schema.type === 'integer' };
  });

  return {
    validate(parts) {
      if (bodyValidator && bodySchema && !bodyValidator(parts.body)) {
        throw bodyError(bodyValidator.errors ?? [], schemas.resolve(bodySchema), schemas, parts.body);
      }
      for (const header of headers) {
        // Decoded as UTF-8 (header-text.ts): lengths count characters, not bytes.
        const value = headerText(parts.headers[header.name.toLowerCase()]);
        if (value === undefined) {
          if (header.required)
            throw new ApiError('missing_required_field', `The header '${header.name}' is required.`, { param: header.name });
          continue;
        }
        if (!header.validate(value)) throw parameterError(header.name, 'header');
      }
      for (const param of pathParams) {
        const value = parts.params[param.name];
        if (value !== undefined && !param.validate(value)) throw parameterError(param.name, 'path segment');
      }
      const query: Record<string, unknown> = {};
      for (const param of queryParams) {
        const raw = parts.query?.[param.name];
        if (raw === undefined) {
          if (param.required)
            throw new ApiError('missing_required_field', `The query parameter '${param.name}' is required.`, { param: param.name });
          continue;
        }
        if (Array.isArray(raw)) {
          throw new ApiError('invalid_field_value', `The query parameter '${param.name}' may be given once.`, { param: param.name });
        }
        // A phone number's `+` sent unencoded (`?to=+1555…`) arrives as a space: read it as the `+`.
        const text = /^ [1-9][0-9]{7,14}$/.test(raw) ? `+${raw.slice(1)}` : raw;
        const value = param.integer && /^-?[0-9]{1,15}$/.test(text) ? Number(text) : text;
        if (!param.validate(value)) throw parameterError(param.name, 'query parameter');
        query[param.name] = value;
      }
      return query;
    },
  };
}

function parameterError(name: string, kind: string): ApiError {
  const special = FIELD_CODES[name];
  if (special) return new ApiError(special.code, special.message, { param: name });
  return new ApiError('invalid_field_value', `The ${kind} '${name}' has an invalid value.`, { param: name });
}

// ── body errors ────────────────────────────────────────────────────────────────────────────

type Segment = string | number;

interface Candidate {
  readonly segments: Segment[];
  readonly rank: number[];
  readonly priority: number;
  readonly order: number;
  readonly error: ErrorObject;
}

const KEYWORD_PRIORITY: Readonly<Record<string, number>> = { required: 0, additionalProperties: 1, unevaluatedProperties: 1, type: 2 };

function bodyError(errors: readonly ErrorObject[], rootSchema: JsonObject, schemas: SchemaSet, body: unknown): ApiError {
  const candidates: Candidate[] = [];
  errors.forEach((error, order) => {
    if (error.keyword === 'propertyNames') return; // its inner error (with `propertyName`) says more
    const segments = paramSegments(error, body);
    candidates.push({
      segments,
      rank: rankOf(segments, rootSchema, schemas, body),
      priority: KEYWORD_PRIORITY[error.keyword] ?? 3,
      order,
      error,
    });
  });
  candidates.sort((a, b) => compareRanks(a.rank, b.rank) || a.priority - b.priority || a.order - b.order);
  const first = candidates[0];
  if (first === undefined) return new ApiError('invalid_field_value', 'The request body is not valid.');
  return toApiError(first.error, first.segments);
}

/**
 * The path of the field an error is about: the missing/unknown property itself, not its parent.
 * A segment is an array index only where the request has an array (`"1"` may be a map key).
 */
function paramSegments(error: ErrorObject, body: unknown): Segment[] {
  const segments: Segment[] = [];
  let data: unknown = body;
  for (const raw of error.instancePath.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(data)) {
      segments.push(Number(key));
      data = data[Number(key)];
    } else {
      segments.push(key);
      data = isObject(data) ? data[key] : undefined;
    }
  }
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') segments.push(params.missingProperty);
  else if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string')
    segments.push(params.additionalProperty);
  else if (error.keyword === 'unevaluatedProperties' && typeof params.unevaluatedProperty === 'string')
    segments.push(params.unevaluatedProperty);
  else if (typeof error.propertyName === 'string') segments.push(error.propertyName);
  return segments;
}

/**
 * A sortable position for a field path: per segment, the index of the property in the schema
 * (declared fields), or 10000 + its index in the request object (undeclared ones), or the array
 * index. Numeric-looking segments under objects are property names, not indices.
 */
function rankOf(segments: readonly Segment[], rootSchema: JsonObject, schemas: SchemaSet, body: unknown): number[] {
  const rank: number[] = [];
  let schema: JsonObject | undefined = rootSchema;
  let data: unknown = body;
  for (const segment of segments) {
    if (Array.isArray(data) && typeof segment === 'number') {
      rank.push(segment);
      data = data[segment];
      schema = schema && isObject(schema.items) ? schemas.resolve(schema.items) : undefined;
      continue;
    }
    const key = String(segment);
    const declared = schema && isObject(schema.properties) ? Object.keys(schema.properties) : [];
    const index = declared.indexOf(key);
    if (index >= 0) {
      rank.push(index);
    } else {
      const present = isObject(data) ? Object.keys(data).indexOf(key) : -1;
      rank.push(10_000 + (present >= 0 ? present : 9_999));
    }
    const properties: JsonObject | undefined = schema && isObject(schema.properties) ? schema.properties : undefined;
    const next: unknown = properties && key in properties ? properties[key] : schema?.additionalProperties;
    schema = isObject(next) ? schemas.resolve(next) : undefined;
    data = isObject(data) ? data[key] : undefined;
  }
  return rank;
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}

/**
 * `template.buttons[0].index`, `template.parameters.customer_name`. A key that would make the
 * dotted form ambiguous (empty, or with `.`, `[`, `]`, `"` or whitespace) is quoted instead:
 * `template.parameters["a.b"]`.
 */
export function formatParam(segments: readonly Segment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[^.[\]"\s]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function toApiError(error: ErrorObject, segments: readonly Segment[]): ApiError {
  const param = formatParam(segments);
  if (param === '') {
    return new ApiError('invalid_field_value', 'The request body must be a JSON object.');
  }
  if (error.keyword === 'required') {
    return new ApiError('missing_required_field', `The field '${param}' is required.`, { param });
  }
  if (error.keyword === 'additionalProperties' || error.keyword === 'unevaluatedProperties') {
    return new ApiError('unknown_field', `The field '${param}' is not accepted by this operation.`, { param });
  }
  const special = segments.every((s) => typeof s === 'string') ? FIELD_CODES[param] : undefined;
  if (special) return new ApiError(special.code, special.message, { param });
  return new ApiError('invalid_field_value', describe(error, param), { param });
}

const ARTICLES: Readonly<Record<string, string>> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
};

/** A human sentence for one violation. Messages may be reworded at any time (the code is the contract). */
function describe(error: ErrorObject, param: string): string {
  const params = error.params as Record<string, unknown>;
  const parent = (isObject(error.parentSchema) ? error.parentSchema : {}) as JsonObject;
  const field = `The field '${param}'`;
  if (typeof error.propertyName === 'string') {
    const pattern = typeof params.pattern === 'string' ? ` (keys must match ${params.pattern})` : '';
    return `The key '${error.propertyName}' is not allowed here${pattern}.`;
  }
  switch (error.keyword) {
    case 'type': {
      const types = Array.isArray(params.type) ? params.type : String(params.type).split(',');
      return `${field} must be ${types.map((t) => ARTICLES[String(t)] ?? String(t)).join(' or ')}.`;
    }
    case 'minLength':
    case 'maxLength':
      if (typeof parent.minLength === 'number' && typeof parent.maxLength === 'number') {
        return `${field} must be ${parent.minLength} to ${parent.maxLength} characters long.`;
      }
      return error.keyword === 'minLength'
        ? `${field} must be at least ${String(params.limit)} characters long.`
        : `${field} must be at most ${String(params.limit)} characters long.`;
    case 'minimum':
    case 'maximum': {
      const kind = parent.type === 'integer' ? 'an integer' : 'a number';
      if (typeof parent.minimum === 'number' && typeof parent.maximum === 'number') {
        return `${field} must be ${kind} from ${parent.minimum} to ${parent.maximum}.`;
      }
      return `${field} must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}.`;
    }
    case 'pattern':
      return `${field} does not have the expected format (${String(params.pattern)}).`;
    case 'format':
      return `${field} must be a valid ${params.format === 'uri' ? 'URL' : String(params.format)}.`;
    case 'enum':
      return `${field} must be one of: ${(Array.isArray(params.allowedValues) ? params.allowedValues : []).map(String).join(', ')}.`;
    case 'maxItems':
      return `${field} must have at most ${String(params.limit)} items.`;
    case 'minItems':
      return `${field} must have at least ${String(params.limit)} items.`;
    case 'maxProperties':
      return `${field} must have at most ${String(params.limit)} entries.`;
    case 'minProperties':
      return `${field} must have at least ${String(params.limit)} entries.`;
    default:
      return `${field} has an invalid value.`;
  }
}
