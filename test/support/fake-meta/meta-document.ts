/**
 * Meta's own OpenAPI document for the WhatsApp Cloud API (v23.0), loaded from ../shared at run
 * time (never copied into the project), compiled with the project's schema loader
 * (server/src/http/schemas.ts: Ajv 2020, `discriminator.mapping` stripped, `x-` keywords
 * tolerated), plus the short list of documented overrides where the published document is wrong
 * for real-world traffic (meta-overrides.ts).
 *
 * Optional: a fresh clone has no ../shared beside it. The fake Meta always validates against our
 * own schema (own-schema.ts) and, when this document is available, against it as well
 * (validators.ts); test/unit/whatsapp-meta-document.test.ts cross-checks the two.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { isObject, type JsonObject } from '../../../server/src/core/openapi.ts';
import { createSchemaSet } from '../../../server/src/http/schemas.ts';
import { META_SCHEMA_OVERRIDES, type MetaSchemaOverride, objectAt, ref, SEND_VARIANTS } from './meta-overrides.ts';
import { formatErrors as format, passes, run, type CloudApiValidator, type MetaValidationResult } from './validation.ts';

export type { MetaValidationResult } from './validation.ts';

/** `META_OPENAPI_DOCUMENT` overrides the default `../shared/reference/…` next to the repository. */
export const META_DOCUMENT_PATH =
  process.env.META_OPENAPI_DOCUMENT ||
  fileURLToPath(new URL('../../../../shared/reference/meta-business-messaging-api_v23.0.yaml', import.meta.url));

/**
 * Whether Meta's document can be used. Absent at the default place (a fresh clone): false.
 * Named by `META_OPENAPI_DOCUMENT` but missing: an error, since someone asked for it.
 */
export function metaDocumentAvailable(): boolean {
  if (existsSync(META_DOCUMENT_PATH)) return true;
  if (process.env.META_OPENAPI_DOCUMENT) throw new Error(`META_OPENAPI_DOCUMENT=${process.env.META_OPENAPI_DOCUMENT}: no such file`);
  return false;
}

/** Why the checks against Meta's document do not run (for pending tests and logs). */
export const META_DOCUMENT_ABSENT =
  `Meta's OpenAPI document is not beside the clone (${META_DOCUMENT_PATH}) and META_OPENAPI_DOCUMENT is unset: ` +
  'only our own schema (test/support/fake-meta/cloud-api.schema.yaml) is checked';

export interface MetaValidator extends CloudApiValidator {
  /** `#/components/schemas/Message`: the body of `POST /{version}/{phone-number-id}/messages`. */
  validateSendBody(body: unknown): MetaValidationResult;
  /** `#/components/schemas/WebhookPayload`. */
  validateWebhookPayload(payload: unknown): MetaValidationResult;
  /** `#/components/schemas/MessageResponsePayload`. */
  validateSendResponse(body: unknown): MetaValidationResult;
  /** `#/components/schemas/GraphAPIError`. */
  validateGraphError(body: unknown): MetaValidationResult;
  /** The 200 schema of `GET /{Version}/{WABA-ID}/message_templates`. */
  validateTemplateList(body: unknown): MetaValidationResult;
  /** Which overrides are applied (none for the raw validator). */
  readonly overrides: readonly string[];
}

let parsed: JsonObject | undefined;
const validators = new Map<string, MetaValidator>();

/** The document as published, parsed once per process (≈1.5 s). Treat as read-only. */
export function metaDocument(): JsonObject {
  if (!parsed) {
    if (!existsSync(META_DOCUMENT_PATH)) {
      throw new Error(`Meta's OpenAPI document is not at ${META_DOCUMENT_PATH}; set META_OPENAPI_DOCUMENT`);
    }
    const document = parse(readFileSync(META_DOCUMENT_PATH, 'utf8'), { maxAliasCount: 1000 }) as unknown;
    if (!isObject(document) || !isObject(document.components)) throw new Error(`${META_DOCUMENT_PATH} is not an OpenAPI document`);
    parsed = document;
  }
  return parsed;
}

/**
 * The validator with every override (default), none (`overrides: false`: the document as
 * published), or a chosen subset by id (to show, one by one, why each is needed). Cached.
 */
export function metaValidator(options: { overrides?: boolean | readonly string[] } = {}): MetaValidator {
  const wanted = options.overrides ?? true;
  const ids = wanted === true ? META_SCHEMA_OVERRIDES.map((o) => o.id) : wanted === false ? [] : [...wanted];
  for (const id of ids) if (!META_SCHEMA_OVERRIDES.some((o) => o.id === id)) throw new Error(`unknown Meta schema override ${id}`);
  const key = ids.join(',');
  let validator = validators.get(key);
  if (!validator) {
    validator = buildValidator(META_SCHEMA_OVERRIDES.filter((o) => ids.includes(o.id)));
    validators.set(key, validator);
  }
  return validator;
}

function buildValidator(overrides: readonly MetaSchemaOverride[]): MetaValidator {
  const document = structuredClone(metaDocument());
  const schemas = objectAt(document, 'components', 'schemas');
  for (const override of overrides) override.apply(schemas);
  const set = createSchemaSet(document, { transform: toolingTransform });

  const lazy = (schema: () => unknown, location: string) => {
    let fn: ValidateFunction | undefined;
    return () => (fn ??= set.compile(schema(), location));
  };
  const message = lazy(() => ref('Message'), '#/meta/Message');
  const variants = new Map(SEND_VARIANTS.map((name) => [name, lazy(() => ref(name), `#/meta/${name}`)]));
  const components = new Map(
    ['header', 'body', 'button'].map((type) => [
      type,
      lazy(() => ref(`${type.charAt(0).toUpperCase()}${type.slice(1)}Component`), `#/meta/${type}Component`),
    ]),
  );
  const webhook = lazy(() => ref('WebhookPayload'), '#/meta/WebhookPayload');

  const parameterVariant = (base: string, type: unknown) => {
    const target = typeof type === 'string' ? objectAt(schemas, base, 'discriminator', 'mapping')[type] : undefined;
    return typeof target === 'string' ? lazy(() => ({ $ref: target }), `#/meta/${base}/${type as string}`)() : undefined;
  };

  /**
   * Template components and their parameters sit in oneOfs (see enforce-discriminators), whose
   * errors list every variant. Re-check each component and parameter against the variant its own
   * `type` names, for errors a person can read.
   */
  const explainTemplate = (body: JsonObject, errors: ErrorObject[] | null | undefined): string[] => {
    const lines = format(
      errors?.filter((e) => !e.instancePath.startsWith('/template/components')),
      'TemplateMessage: ',
    );
    const template = isObject(body.template) ? body.template : {};
    const list = Array.isArray(template.components) ? template.components : [];
    list.forEach((component, i) => {
      const at = `/template/components/${i}`;
      const label = 'TemplateMessage: ';
      const validate = isObject(component) && typeof component.type === 'string' ? components.get(component.type)?.() : undefined;
      if (!isObject(component) || !validate) {
        lines.push(`${label}${at}/type: must be header, body or button`);
        return;
      }
      if (passes(validate, component)) return;
      lines.push(
        ...format(
          validate.errors?.filter((e) => !e.instancePath.startsWith('/parameters/')),
          label,
          at,
        ),
      );
      const base = component.type === 'button' ? 'ButtonParameterObject' : 'ParameterObject';
      (Array.isArray(component.parameters) ? component.parameters : []).forEach((parameter, j) => {
        const check = parameterVariant(base, isObject(parameter) ? parameter.type : undefined);
        if (!check) lines.push(`${label}${at}/parameters/${j}/type: not a ${base} type`);
        else if (!passes(check, parameter)) lines.push(...format(check.errors, label, `${at}/parameters/${j}`));
      });
    });
    if (lines.length === 0) lines.push(...format(errors, 'TemplateMessage: '));
    return lines.slice(0, 20);
  };
  const sendResponse = lazy(() => ref('MessageResponsePayload'), '#/meta/MessageResponsePayload');
  const graphError = lazy(() => ref('GraphAPIError'), '#/meta/GraphAPIError');
  const templateListLocation = '#/paths/~1{Version}~1{WABA-ID}~1message_templates/get/responses/200/content/application~1json/schema';
  const templateList = lazy(() => templateListSchema(document), templateListLocation);

  return {
    overrides: overrides.map((o) => o.id),
    validateSendBody(body) {
      const validate = message();
      if (passes(validate, body)) return { valid: true, errors: [] };
      // Message is a oneOf of eleven variants: report the errors of the variant the body claims to be.
      const claimed = isObject(body) && typeof body.type === 'string' ? variantName(body.type) : undefined;
      const variant = claimed ? variants.get(claimed)?.() : undefined;
      if (variant && !passes(variant, body)) {
        return {
          valid: false,
          errors:
            claimed === 'TemplateMessage' ? explainTemplate(body as JsonObject, variant.errors) : format(variant.errors, `${claimed}: `),
        };
      }
      if (variant) return { valid: false, errors: [`matches ${claimed} but not exactly one of Message.oneOf`, ...format(validate.errors)] };
      return { valid: false, errors: format(validate.errors) };
    },
    validateWebhookPayload: (payload) => run(webhook(), payload),
    validateSendResponse: (body) => run(sendResponse(), body),
    validateGraphError: (body) => run(graphError(), body),
    validateTemplateList: (body) => run(templateList(), body),
  };
}

function variantName(type: string): string | undefined {
  const name = `${type.charAt(0).toUpperCase()}${type.slice(1)}Message`;
  return SEND_VARIANTS.includes(name) ? name : undefined;
}

/**
 * Adjustments that only make the document compile under the project's Ajv settings (strict
 * mode), with no effect on what validates:
 * - `format: url` is not a JSON Schema format (strict Ajv refuses unknown formats) → `uri`;
 * - `required` names missing from `properties` (strictRequired; three places: two ActionObject
 *   flow parameter variants and IncomingMessageValueSystem's `not`) → declared as `true`,
 *   which is what an undeclared property means anyway (only where the object is not closed).
 */
function toolingTransform(schema: JsonObject): JsonObject {
  let out = schema;
  if (out.format === 'url') out = { ...out, format: 'uri' };
  if (Array.isArray(out.required) && out.additionalProperties !== false) {
    const properties = isObject(out.properties) ? out.properties : {};
    const missing = (out.required as unknown[]).filter((n): n is string => typeof n === 'string' && !(n in properties));
    if (missing.length > 0) out = { ...out, properties: { ...properties, ...Object.fromEntries(missing.map((n) => [n, true])) } };
  }
  return out;
}

function templateListSchema(document: JsonObject): unknown {
  const paths = objectAt(document, 'paths');
  return objectAt(paths, '/{Version}/{WABA-ID}/message_templates', 'get', 'responses', '200', 'content', 'application/json').schema;
}
