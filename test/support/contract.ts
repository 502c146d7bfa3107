/**
 * The contract client: every test talks to the server through it, and it validates EVERY
 * response against openapi.yaml before the test sees it. A violation throws, failing the test.
 *
 * For the operation the request matches (method + path template; HEAD is checked as the GET
 * operation without a body):
 * - the status must be documented for that operation;
 * - every required response header must be present, and every documented header that is
 *   present must match its schema;
 * - the Content-Type must be one of the documented media types;
 * - the body must match the schema in a STRICT mode: an object schema that does not declare
 *   `additionalProperties` gets `unevaluatedProperties: false`, so a field the server sends but
 *   the contract does not document fails (remove a property from a response schema and the
 *   tests that receive it fail).
 * A request matching no operation is checked against `x-unmatched-request-responses` (404/405).
 * On every response: `X-Correlation-ID` is present, and on every error body it equals
 * `error.correlation_id`.
 *
 * Paths outside the contract that the server serves on purpose (the reference page's assets)
 * are listed in ASSET_PATHS; for them only the correlation header is checked. Meta's webhook
 * endpoint (OPERATOR_PATHS) is not part of the public API either: same, whatever the status.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import {
  deref,
  isObject,
  listOperations,
  loadSpec,
  type JsonObject,
  type LoadedSpec,
  type SpecOperation,
} from '../../server/src/core/openapi.ts';
import { createSchemaSet, type SchemaSet } from '../../server/src/http/schemas.ts';
import { recordExercised, UNMATCHED } from './coverage.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SPEC_PATH = path.join(repoRoot, 'openapi.yaml');

/** Served by the server, deliberately not API operations (see server/src/http/docs-assets.ts). */
export const ASSET_PATHS: ReadonlySet<string> = new Set(['/docs/redoc.standalone.js']);

/** For Meta and operators, not integrators: Meta's webhook (http/whatsapp-webhook.ts) and Prometheus metrics. */
export const OPERATOR_PATHS: ReadonlySet<string> = new Set(['/webhooks/whatsapp', '/metrics']);

/**
 * Schemas left open in strict mode, by JSON pointer prefix. Empty: an open-ended schema says so
 * in the contract with `additionalProperties`, which strict mode respects.
 */
export const STRICT_MODE_EXEMPTIONS: readonly string[] = [];

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/**
 * Adds `unevaluatedProperties: false` to object schemas that do not say what extra members may
 * do, and closes open enumerations: a string with `x-extensible-enum` (and no `enum`) must be
 * one of the listed values. Clients must accept values added later; this server must only
 * send the values its own contract lists.
 */
export function strictTransform(exemptions: readonly string[] = STRICT_MODE_EXEMPTIONS) {
  return (schema: JsonObject, location: string): JsonObject => {
    if (exemptions.some((prefix) => location === prefix || location.startsWith(`${prefix}/`))) return schema;
    const known = schema['x-extensible-enum'];
    if (Array.isArray(known) && schema.type === 'string' && !('enum' in schema)) return { ...schema, enum: known };
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const isObjectSchema = types.includes('object') || isObject(schema.properties);
    if (!isObjectSchema || 'additionalProperties' in schema || 'unevaluatedProperties' in schema) return schema;
    return { ...schema, unevaluatedProperties: false };
  };
}

export interface ObservedResponse {
  readonly method: string;
  /** The request path, without query string. */
  readonly path: string;
  readonly status: number;
  readonly headers: Headers;
  /** The body as received (empty for HEAD). */
  readonly bytes: Buffer;
}

export interface ValidationResult {
  /** The operationId, UNMATCHED, or 'asset'. */
  readonly operationId: string;
  /** The parsed JSON body, when the response is JSON. */
  readonly json: unknown;
}

/** Validates observed responses against one loaded document. */
export class ContractValidator {
  readonly spec: LoadedSpec;
  private readonly schemas: SchemaSet;
  private readonly operations: Array<SpecOperation & { regex: RegExp }>;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(spec: LoadedSpec, options: { exemptions?: readonly string[] } = {}) {
    this.spec = spec;
    this.schemas = createSchemaSet(spec.document, { transform: strictTransform(options.exemptions) });
    this.operations = listOperations(spec.document).map((op) => ({ ...op, regex: templateRegex(op.path) }));
  }

  /** The operation a request matches, if any (HEAD matches the GET operation). */
  match(method: string, requestPath: string): SpecOperation | undefined {
    const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    return this.operations.find((op) => op.method === m && op.regex.test(requestPath));
  }

  pathExists(requestPath: string): boolean {
    return this.operations.some((op) => op.regex.test(requestPath));
  }

  validate(observed: ObservedResponse): ValidationResult {
    const where = `${observed.method} ${observed.path} → ${observed.status}`;
    const fail = (message: string): never => {
      throw new ContractViolation(`contract violation for ${where}: ${message}`);
    };

    const correlationId = observed.headers.get('x-correlation-id');
    if (correlationId === null) fail('no X-Correlation-ID header');

    if (OPERATOR_PATHS.has(observed.path) && !this.pathExists(observed.path)) {
      recordExercised('operator', observed.status);
      return { operationId: 'operator', json: undefined };
    }
    if (ASSET_PATHS.has(observed.path) && !this.pathExists(observed.path) && observed.status < 400) {
      recordExercised('asset', observed.status);
      return { operationId: 'asset', json: undefined };
    }

    const op = this.match(observed.method, observed.path);
    let responses: JsonObject;
    let operationId: string;
    let location: string;
    if (op) {
      operationId = op.operationId;
      responses = isObject(op.operation.responses) ? op.operation.responses : {};
      location = `#/paths/${op.path.replace(/~/g, '~0').replace(/\//g, '~1')}/${op.method}/responses`;
    } else {
      operationId = UNMATCHED;
      const unmatched = this.spec.document['x-unmatched-request-responses'];
      if (!isObject(unmatched) || !isObject(unmatched.responses)) return fail('the contract has no x-unmatched-request-responses');
      responses = unmatched.responses;
      location = '#/x-unmatched-request-responses/responses';
    }

    const statusKey = String(observed.status);
    const wildcard = `${statusKey[0]}XX`;
    const key = statusKey in responses ? statusKey : wildcard in responses ? wildcard : 'default' in responses ? 'default' : undefined;
    if (key === undefined) {
      fail(`status ${observed.status} is not documented for ${operationId} (documented: ${Object.keys(responses).join(', ')})`);
    }
    const response = deref(this.spec.document, responses[key!]);
    const responseLocation =
      isObject(responses[key!]) && typeof (responses[key!] as JsonObject).$ref === 'string'
        ? String((responses[key!] as JsonObject).$ref)
        : `${location}/${key}`;

    // headers
    const headers = isObject(response.headers) ? response.headers : {};
    for (const [name, rawHeader] of Object.entries(headers)) {
      if (name.toLowerCase() === 'content-type') continue; // ignored by OpenAPI
      const header = deref(this.spec.document, rawHeader);
      const value = observed.headers.get(name);
      if (value === null) {
        if (header.required === true) fail(`required header ${name} is missing`);
        continue;
      }
      if (isObject(header.schema)) {
        const validate = this.compile(header.schema, `${responseLocation}/headers/${name}/schema`);
        const candidate = coerceHeader(value, this.schemas.resolve(header.schema));
        if (!validate(candidate)) fail(`header ${name}: '${value}' does not match its schema: ${errorsText(validate)}`);
      }
    }

    // content
    const content = isObject(response.content) ? response.content : {};
    const mediaTypes = Object.keys(content);
    const contentType = observed.headers.get('content-type');
    let json: unknown;
    if (mediaTypes.length === 0) {
      if (observed.bytes.length > 0) fail('the contract documents no body, but one was sent');
    } else {
      if (contentType === null) fail(`no Content-Type (documented: ${mediaTypes.join(', ')})`);
      const mediaType = contentType!.split(';')[0]!.trim().toLowerCase();
      const documented = mediaTypes.find((m) => m.toLowerCase() === mediaType);
      if (documented === undefined) fail(`Content-Type ${contentType} is not documented (documented: ${mediaTypes.join(', ')})`);
      const media = deref(this.spec.document, content[documented!]);
      const isHead = observed.method.toUpperCase() === 'HEAD';
      if (isHead) {
        if (observed.bytes.length > 0) fail('a HEAD response carried a body');
      } else {
        const isJson = mediaType === 'application/json' || mediaType.endsWith('+json');
        const text = observed.bytes.toString('utf8');
        let value: unknown = text;
        if (isJson) {
          try {
            value = JSON.parse(text);
          } catch {
            fail('the body is not valid JSON');
          }
          json = value;
        }
        if (isObject(media.schema)) {
          const validate = this.compile(media.schema, `${responseLocation}/content/${documented!.replace(/\//g, '~1')}/schema`);
          if (!validate(value)) fail(`the body does not match the schema: ${errorsText(validate)}\nbody: ${text.slice(0, 2000)}`);
        }
      }
    }

    // the error envelope's correlation id is the header's
    if (isObject(json) && isObject(json.error) && 'correlation_id' in json.error) {
      if (json.error.correlation_id !== correlationId) {
        fail(`error.correlation_id '${String(json.error.correlation_id)}' differs from X-Correlation-ID '${correlationId}'`);
      }
    }

    recordExercised(operationId, key!);
    return { operationId, json };
  }

  private compile(schema: unknown, location: string): ValidateFunction {
    let validate = this.compiled.get(location);
    if (validate === undefined) {
      validate = this.schemas.compile(schema, location);
      this.compiled.set(location, validate);
    }
    return validate;
  }
}

function templateRegex(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

function coerceHeader(value: string, schema: JsonObject): unknown {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function errorsText(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
    .join('; ');
}

// ── the client ─────────────────────────────────────────────────────────────────────────────

let sharedValidator: ContractValidator | undefined;

/** The validator for openapi.yaml, built once per run. */
export function contractValidator(): ContractValidator {
  sharedValidator ??= new ContractValidator(loadSpec(SPEC_PATH));
  return sharedValidator;
}

export interface RequestOptions {
  readonly headers?: Record<string, string>;
  /** Sent as JSON with `Content-Type: application/json`. */
  readonly json?: unknown;
  /** Sent as is; no Content-Type is added for a Buffer. */
  readonly body?: string | Buffer | ReadableStream<Uint8Array>;
  readonly signal?: AbortSignal;
}

export interface ContractResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Buffer;
  readonly text: string;
  /** The parsed body of a JSON response (undefined otherwise). */
  readonly body: any;
  readonly operationId: string;
  readonly correlationId: string;
}

export class ContractClient {
  constructor(
    readonly baseUrl: string,
    private readonly validator: ContractValidator = contractValidator(),
    /** Sent as `Authorization: Bearer …` unless the request names its own Authorization header. */
    readonly apiKey?: string,
  ) {}

  /** The same client, sending another key (or none). */
  withKey(apiKey: string | undefined): ContractClient {
    return new ContractClient(this.baseUrl, this.validator, apiKey);
  }

  async request(method: string, requestPath: string, options: RequestOptions = {}): Promise<ContractResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.apiKey !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
      headers.Authorization = `Bearer ${this.apiKey}`;
    }
    let body: RequestInit['body'] | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    } else if (options.body !== undefined) {
      body = options.body as RequestInit['body'];
    }
    const init: RequestInit & { duplex?: 'half' } = {
      method,
      headers,
      redirect: 'manual',
      signal: options.signal ?? AbortSignal.timeout(15_000),
    };
    if (body !== undefined) init.body = body;
    if (options.body instanceof ReadableStream) init.duplex = 'half';
    const response = await fetch(new URL(requestPath, this.baseUrl), init);
    const bytes = Buffer.from(await response.arrayBuffer());
    const pathOnly = requestPath.split('?')[0]!;
    const result = this.validator.validate({ method, path: pathOnly, status: response.status, headers: response.headers, bytes });
    return {
      status: response.status,
      headers: response.headers,
      bytes,
      text: bytes.toString('utf8'),
      body: result.json,
      operationId: result.operationId,
      correlationId: response.headers.get('x-correlation-id') ?? '',
    };
  }

  get(requestPath: string, options?: RequestOptions) {
    return this.request('GET', requestPath, options);
  }

  head(requestPath: string, options?: RequestOptions) {
    return this.request('HEAD', requestPath, options);
  }

  post(requestPath: string, json: unknown, options: Omit<RequestOptions, 'json'> = {}) {
    return this.request('POST', requestPath, { ...options, json });
  }
}

/** The spec's own example request bodies, so tests follow the contract when it changes. */
export function requestExample(operationId: string, name: string): unknown {
  const found = listOperations(contractValidator().spec.document).find((o) => o.operationId === operationId);
  const requestBody = found && isObject(found.operation.requestBody) ? found.operation.requestBody : undefined;
  const media = requestBody && isObject(requestBody.content) ? requestBody.content['application/json'] : undefined;
  const examples = isObject(media) && isObject(media.examples) ? media.examples : {};
  const example = examples[name];
  if (!isObject(example) || !('value' in example)) throw new Error(`no request example '${name}' for ${operationId}`);
  return structuredClone(example.value);
}

export function readRepoFile(relative: string): Buffer {
  return readFileSync(path.join(repoRoot, relative));
}
