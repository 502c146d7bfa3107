/**
 * The documented overrides of Meta's OpenAPI document (meta-document.ts), where the published
 * document is wrong for real-world traffic. Each says what is wrong, how we know, and what we
 * change; test/unit/whatsapp-meta-document.test.ts proves that each one is needed (the raw
 * document rejects a real request or Meta's own example) and that validation stays strict
 * (unknown fields and wrong shapes are still rejected).
 */
import { isObject, type JsonObject } from '../../../server/src/core/openapi.ts';

const REF = '#/components/schemas/';
export const ref = (name: string) => ({ $ref: `${REF}${name}` });

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
export const SEND_VARIANTS = [
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
/** The variants whose own `allOf` branch is closed (`additionalProperties: false`). */
const CLOSED_SEND_VARIANTS = SEND_VARIANTS.filter((name) => name !== 'TemplateMessage' && name !== 'ContactsMessage');
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
export function objectAt(root: JsonObject, ...path: Array<string | number>): JsonObject {
  let node: unknown = root;
  for (const key of path) {
    node = Array.isArray(node) ? node[Number(key)] : isObject(node) ? node[String(key)] : undefined;
  }
  if (!isObject(node)) throw new Error(`Meta document: nothing at ${path.join('/')}; an override needs review`);
  return node;
}
