/**
 * Meta's own OpenAPI document for the WhatsApp Cloud API (v23.0), loaded from ../shared at run
 * time (never copied into the project), compiled with the project's schema loader
 * (server/src/http/schemas.ts: Ajv 2020, `discriminator.mapping` stripped, `x-` keywords
 * tolerated), plus a short list of documented overrides where the published document is wrong
 * for real-world traffic. Each override says what is wrong, how we know, and what we change; a
 * unit test (test/unit/whatsapp-meta-document.test.ts) proves that each one is needed (the raw
 * document rejects a real request or Meta's own example) and that validation stays strict
 * (unknown fields and wrong shapes are still rejected).
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

const REF = '#/components/schemas/';
const ref = (name: string) => ({ $ref: `${REF}${name}` });

export interface MetaSchemaOverride {
  readonly id: string;
  /** `fix`: the document rejects valid traffic; `strengthen`: it accepts what Meta would refuse. */
  readonly kind: 'fix' | 'strengthen';
  /** Component schemas changed. */
  readonly schemas: readonly string[];
  readonly problem: string;
  readonly evidence: string;
  readonly change: string;
  apply(schemas: JsonObject): void;
}

/** Names of the send-side message variants in `Message.oneOf`. */
const SEND_VARIANTS = [
  'TextMessage',
  'AudioMessage',
  'DocumentMessage',
  'ImageMessage',
  'LocationMessage',
  'VideoMessage',
  'StickerMessage',
  'ReactionMessage',
  'InteractiveMessage',
  'TemplateMessage',
  'ContactsMessage',
];
const CLOSED_SEND_VARIANTS = [
  'TextMessage',
  'AudioMessage',
  'DocumentMessage',
  'ImageMessage',
  'LocationMessage',
  'VideoMessage',
  'StickerMessage',
  'ReactionMessage',
  'InteractiveMessage',
];
/** The inbound-webhook schemas whose `$ref`s name the send-side twins of their suffixed names. */
const INBOUND_SCHEMAS = [
  'IncomingMessage',
  'TextMessage_2',
  'ReactionMessage_1',
  'AudioMessage_1',
  'DocumentMessage_1',
  'ImageMessage_1',
  'StickerMessage_1',
  'VideoMessage_1',
  'LocationMessage_1',
  'ContactSharingMessage',
  'UnsupportedMessage',
  'ButtonMessage',
  'InteractiveMessageReply',
  'OrderMessage',
  'SystemMessage',
];
const INBOUND_RENAMES: Record<string, string> = {
  BaseMessageProperties: 'BaseMessageProperties_1',
  TextMessage: 'TextMessage_2',
  ReactionMessage: 'ReactionMessage_1',
  AudioMessage: 'AudioMessage_1',
  DocumentMessage: 'DocumentMessage_1',
  ImageMessage: 'ImageMessage_1',
  StickerMessage: 'StickerMessage_1',
  VideoMessage: 'VideoMessage_1',
  LocationMessage: 'LocationMessage_1',
  ContactObject: 'ContactObject_1',
  ErrorObject: 'ErrorObject_2',
};

/**
 * The override list. Short on purpose: each entry fixes one documented defect, nothing is
 * loosened wholesale (no `additionalProperties: true`, no dropped `oneOf`).
 */
export const META_SCHEMA_OVERRIDES: readonly MetaSchemaOverride[] = [
  // Order matters: closed-message-variants copies BaseMessageProperties' names, biz_opaque_callback_data included.
  {
    id: 'biz-opaque-callback-data',
    kind: 'fix',
    schemas: ['BaseMessageProperties'],
    problem: 'BaseMessageProperties does not declare biz_opaque_callback_data; the document only has it on calls (CallRequestPayload).',
    evidence:
      "Meta's message reference documents it for /messages (≤512 characters, echoed in the statuses of status webhooks); " +
      'SDKs send it (e.g. the WhatsApp Node SDK, "@since November 14, 2023"). Without it, the closed text variant would refuse it.',
    change: 'Declare biz_opaque_callback_data: string, maxLength 512 (as on CallRequestPayload).',
    apply(schemas) {
      objectAt(schemas, 'BaseMessageProperties', 'properties').biz_opaque_callback_data = { type: 'string', maxLength: 512 };
    },
  },
  {
    id: 'closed-message-variants',
    kind: 'fix',
    schemas: CLOSED_SEND_VARIANTS,
    problem:
      'TextMessage (and the audio, document, image, location, video, sticker, reaction and interactive variants) is ' +
      '`allOf: [BaseMessageProperties, {additionalProperties: false, properties: {type, text}}]`. In JSON Schema ' +
      '`additionalProperties` only sees its own branch, so messaging_product, recipient_type and to count as ' +
      'unknown: every real text message is rejected.',
    evidence: "The document's own request example 'Send Text Message' fails its own schema.",
    change: "Declare BaseMessageProperties' property names in each closed branch, so the branch stays closed to anything else.",
    apply(schemas) {
      const base = objectAt(schemas, 'BaseMessageProperties');
      const names = Object.keys(objectAt(base, 'properties'));
      for (const variant of CLOSED_SEND_VARIANTS) {
        const branch = objectAt(schemas, variant, 'allOf', 1);
        if (branch.additionalProperties !== false)
          throw new Error(`override closed-message-variants: ${variant} is no longer closed; re-check the document`);
        const properties = objectAt(branch, 'properties');
        for (const name of names) properties[name] ??= true;
      }
    },
  },
  {
    id: 'button-index-pattern',
    kind: 'fix',
    schemas: ['TemplateComponent', 'ButtonComponent'],
    problem:
      'The button `index` pattern is `^[2-6, 11-14]$`: a character class that accepts one of "1"-"6", "," or " " and rejects ' +
      '"0", "7", "8" and "9" — the first button of every template is index "0".',
    evidence:
      "The field's own description says 0-9, and the document's examples ('Send Message Template Interactive', 'Send Flow Template Message') use index \"0\".",
    change: 'Pattern ^[0-9]$ in both places.',
    apply(schemas) {
      objectAt(schemas, 'TemplateComponent', 'properties', 'index').pattern = '^[0-9]$';
      objectAt(schemas, 'ButtonComponent', 'allOf', 1, 'properties', 'index').pattern = '^[0-9]$';
    },
  },
  {
    id: 'button-sub-types',
    kind: 'fix',
    schemas: ['TemplateComponent', 'ButtonComponent'],
    problem: 'Button `sub_type` is limited to quick_reply, url and catalog.',
    evidence:
      "Meta's template docs send copy_code buttons (coupon codes); the document's own 'Send Flow Template Message' example uses sub_type flow.",
    change: 'Add copy_code and flow to both enums.',
    apply(schemas) {
      for (const node of [
        objectAt(schemas, 'TemplateComponent', 'properties', 'sub_type'),
        objectAt(schemas, 'ButtonComponent', 'allOf', 1, 'properties', 'sub_type'),
      ]) {
        const values = node.enum as string[];
        for (const v of ['copy_code', 'flow']) if (!values.includes(v)) values.push(v);
      }
    },
  },
  {
    id: 'coupon-code-parameter',
    kind: 'fix',
    schemas: ['ButtonParameterObject', 'ButtonCouponCodeParameter (added)'],
    problem: 'Button parameters may only be payload or text; a copy_code button takes {type: coupon_code, coupon_code}.',
    evidence: "Meta's coupon-code template docs (send step) and BSP docs that mirror them.",
    change: 'Add coupon_code to ButtonParameterObject.type and a ButtonCouponCodeParameter variant (coupon_code: string, required).',
    apply(schemas) {
      const base = objectAt(schemas, 'ButtonParameterObject');
      (objectAt(base, 'properties', 'type').enum as string[]).push('coupon_code');
      objectAt(base, 'discriminator', 'mapping').coupon_code = `${REF}ButtonCouponCodeParameter`;
      schemas.ButtonCouponCodeParameter = {
        allOf: [
          ref('ButtonParameterObject'),
          {
            type: 'object',
            required: ['coupon_code'],
            properties: { type: { enum: ['coupon_code'] }, coupon_code: { type: 'string', minLength: 1 } },
          },
        ],
      };
    },
  },
  {
    id: 'enforce-discriminators',
    kind: 'strengthen',
    schemas: ['TemplateObject', 'HeaderComponent', 'BodyComponent', 'ButtonComponent'],
    problem:
      'TemplateComponent, ParameterObject and ButtonParameterObject name their variants only in `discriminator.mapping` (no oneOf). ' +
      'JSON Schema ignores discriminators, so only the `type` enum is checked: {type: "text"} without text, or an image without a link, passes.',
    evidence: 'Meta refuses such parameters ((#131008) Required parameter is missing, (#100) Invalid parameter).',
    change:
      "Where those bases are used (template components, header/body/button parameters), validate against oneOf the discriminator's mapped variants.",
    apply(schemas) {
      const variants = (base: string) =>
        Object.values(objectAt(schemas, base, 'discriminator', 'mapping')).map((target) => ({ $ref: String(target) }));
      objectAt(schemas, 'TemplateObject', 'properties', 'components').items = { oneOf: variants('TemplateComponent') };
      objectAt(schemas, 'HeaderComponent', 'allOf', 1, 'properties', 'parameters').items = { oneOf: variants('ParameterObject') };
      objectAt(schemas, 'BodyComponent', 'allOf', 1, 'properties', 'parameters').items = { oneOf: variants('ParameterObject') };
      objectAt(schemas, 'ButtonComponent', 'allOf', 1, 'properties', 'parameters').items = { oneOf: variants('ButtonParameterObject') };
    },
  },
  {
    id: 'inbound-webhook-refs',
    kind: 'fix',
    schemas: INBOUND_SCHEMAS,
    problem:
      'The inbound-message webhook schemas were merged into the document under suffixed names (TextMessage_2, BaseMessageProperties_1, ' +
      'ImageMessage_1, ContactObject_1, ErrorObject_2, …) but their $refs still name the send-side schemas: IncomingMessage.oneOf points ' +
      'at TextMessage (a send body), and every inbound variant extends BaseMessageProperties (which requires messaging_product, ' +
      'recipient_type and to). Every inbound message webhook is rejected.',
    evidence: "All the document's own /whatsapp/webhooks message examples ('Text Message', 'Image Message', …) fail its own schema.",
    change: 'Inside the inbound schemas, point those $refs at the suffixed twins.',
    apply(schemas) {
      for (const name of INBOUND_SCHEMAS) renameRefs(objectAt(schemas, name), INBOUND_RENAMES);
    },
  },
  {
    id: 'reply-context',
    kind: 'fix',
    schemas: ['ContextObject'],
    problem: 'ContextObject (context of an inbound text) requires referred_product, so a plain reply to one of our messages is rejected.',
    evidence: "Meta's webhook reference: context carries from and id for replies; referred_product only for product inquiries.",
    change: 'Require from and id only.',
    apply(schemas) {
      objectAt(schemas, 'ContextObject').required = ['from', 'id'];
    },
  },
];

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

function renameRefs(node: unknown, renames: Record<string, string>): void {
  if (Array.isArray(node)) {
    for (const item of node) renameRefs(item, renames);
  } else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(REF)) {
        const target = renames[value.slice(REF.length)];
        if (target) node.$ref = `${REF}${target}`;
      } else if (key !== 'example' && key !== 'examples') {
        renameRefs(value, renames);
      }
    }
  }
}

/** The object at a path of keys/indexes; throws when the document no longer has that shape (the override needs review). */
function objectAt(root: JsonObject, ...path: Array<string | number>): JsonObject {
  let node: unknown = root;
  for (const key of path) {
    node = Array.isArray(node) ? node[Number(key)] : isObject(node) ? node[String(key)] : undefined;
  }
  if (!isObject(node)) throw new Error(`Meta document: nothing at ${path.join('/')}; an override needs review`);
  return node;
}
