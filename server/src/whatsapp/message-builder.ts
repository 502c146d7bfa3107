/**
 * Our stored message content → the JSON body of Meta's `POST /{version}/{phone-number-id}/messages`.
 *
 * A message row holds `content` = `{ text: { body } }` or `{ template: TemplateContent }` (the
 * request's own `template` object, openapi.yaml `TemplateContent`). Templates are translated
 * with the number's approved definition (`templates` table, parsed by `templateFromMeta`):
 *
 * - body and text-header values become `{ type: 'text', text }` parameters — for NAMED templates
 *   each carries `parameter_name` (Meta answers `(#100) Parameter name is missing or empty`
 *   otherwise), for POSITIONAL templates they go in placeholder order {{1}} … {{n}} (numeric
 *   order, not order of appearance: Meta fills {{i}} with the i-th value);
 * - a media header becomes `{ type: 'image'|'video'|'document', <type>: { link } }`;
 * - each dynamic button value becomes its own `button` component (`index` is a string, as Meta
 *   wants): url → `text` (the URL suffix), quick_reply → `payload`, copy_code → `coupon_code`.
 *
 * Every body carries our message id in `biz_opaque_callback_data`: Meta echoes it in the status
 * webhooks of that message, so a send whose outcome was unknown (timeout after the request left)
 * can be matched to its wamid without sending it again. (Meta's message reference documents the
 * field for `/messages`; the v23.0 OpenAPI document only declares it for calls — see
 * test/support/fake-meta/README.md.)
 *
 * The builder re-checks the content against the definition because the template may have been
 * re-synced between the 202 and the send: a mismatch throws `MessageBuildError`, which the
 * worker records as a `template_error` without calling Meta.
 */
import type { HeaderFormat, ParameterFormat, TemplateButtonDefinition, TemplateRequest } from '../domain/templates.ts';

/** `messages.content` as stored. */
export type StoredMessageContent = { readonly text: { readonly body: string } } | { readonly template: TemplateRequest };

/** The parts of an approved template the builder needs (a `StoredTemplate` fits). */
export interface TemplateShape {
  readonly name: string;
  readonly language: string;
  readonly parameterFormat: ParameterFormat;
  readonly bodyParameters: readonly string[];
  readonly headerFormat: HeaderFormat;
  readonly headerParameters: readonly string[];
  readonly buttons: readonly TemplateButtonDefinition[];
}

export interface BuildMetaMessageInput {
  /** Our message id (UUID); sent as `biz_opaque_callback_data`. */
  readonly messageId: string;
  /** The recipient, E.164 (`+15551234567`); passed to Meta as given (Meta accepts the `+`). */
  readonly to: string;
  readonly content: StoredMessageContent;
  /** The approved template, for template content. Without it, only text-parameter templates build (format inferred from the keys). */
  readonly template?: TemplateShape | null;
}

export interface MetaTextParameter {
  readonly type: 'text';
  readonly text: string;
  readonly parameter_name?: string;
}
export interface MetaMediaParameter {
  readonly type: 'image' | 'video' | 'document';
  readonly image?: { readonly link: string };
  readonly video?: { readonly link: string };
  readonly document?: { readonly link: string };
}
export type MetaButtonParameter =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'payload'; readonly payload: string }
  | { readonly type: 'coupon_code'; readonly coupon_code: string };

export type MetaTemplateComponent =
  | { readonly type: 'header'; readonly parameters: ReadonlyArray<MetaTextParameter | MetaMediaParameter> }
  | { readonly type: 'body'; readonly parameters: readonly MetaTextParameter[] }
  | {
      readonly type: 'button';
      readonly sub_type: 'url' | 'quick_reply' | 'copy_code';
      readonly index: string;
      readonly parameters: readonly MetaButtonParameter[];
    };

interface MetaMessageBase {
  readonly messaging_product: 'whatsapp';
  readonly recipient_type: 'individual';
  readonly to: string;
  readonly biz_opaque_callback_data: string;
}
export interface MetaTextMessage extends MetaMessageBase {
  readonly type: 'text';
  readonly text: { readonly body: string; readonly preview_url: boolean };
}
export interface MetaTemplateMessage extends MetaMessageBase {
  readonly type: 'template';
  readonly template: {
    readonly name: string;
    readonly language: { readonly policy: 'deterministic'; readonly code: string };
    readonly components?: readonly MetaTemplateComponent[];
  };
}
export type MetaMessageBody = MetaTextMessage | MetaTemplateMessage;

/** The content cannot be turned into a valid Meta request (never retry: the same input fails again). */
export class MessageBuildError extends Error {
  override name = 'MessageBuildError';
  constructor(
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

const MEDIA_TYPES: Partial<Record<HeaderFormat, MetaMediaParameter['type']>> = { IMAGE: 'image', VIDEO: 'video', DOCUMENT: 'document' };
const POSITIONAL_KEY = /^[1-9][0-9]*$/;

export function buildMetaMessage(input: BuildMetaMessageInput): MetaMessageBody {
  const base: MetaMessageBase = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: input.to,
    biz_opaque_callback_data: input.messageId,
  };
  const content = input.content as Record<string, unknown>;
  if (isRecord(content.text)) {
    const body = content.text.body;
    if (typeof body !== 'string' || body.length === 0) throw new MessageBuildError('text.body must be a non-empty string', 'text.body');
    // preview_url stays off: a link preview is fetched by WhatsApp and changes what the customer sees.
    return { ...base, type: 'text', text: { body, preview_url: false } };
  }
  if (isRecord(content.template)) {
    return { ...base, type: 'template', template: buildTemplate(content.template as unknown as TemplateRequest, input.template ?? null) };
  }
  throw new MessageBuildError('content must hold `text` or `template`');
}

function buildTemplate(request: TemplateRequest, shape: TemplateShape | null): MetaTemplateMessage['template'] {
  if (shape && (shape.name !== request.name || shape.language !== request.language)) {
    throw new MessageBuildError(
      `the template definition is ${shape.name} (${shape.language}), the message asks for ${request.name} (${request.language})`,
      'template.name',
    );
  }
  const format = shape?.parameterFormat ?? inferFormat(request);
  const components: MetaTemplateComponent[] = [];

  const header = buildHeader(request, shape, format);
  if (header) components.push(header);

  const bodyNames = shape ? shape.bodyParameters : Object.keys(request.parameters ?? {});
  const body = textParameters(bodyNames, request.parameters, format, 'template.parameters');
  if (body.length > 0) components.push({ type: 'body', parameters: body });

  components.push(...buildButtons(request, shape));

  return {
    name: request.name,
    language: { policy: 'deterministic', code: request.language },
    ...(components.length > 0 ? { components } : {}),
  };
}

function buildHeader(request: TemplateRequest, shape: TemplateShape | null, format: ParameterFormat): MetaTemplateComponent | null {
  const headerFormat: HeaderFormat = shape ? shape.headerFormat : request.header_media_url !== undefined ? 'IMAGE' : 'TEXT';
  if (request.header_media_url !== undefined && !shape) {
    throw new MessageBuildError('a media header needs the template definition (image, video or document?)', 'template.header_media_url');
  }
  if (headerFormat === 'LOCATION') {
    throw new MessageBuildError('templates with a location header cannot be sent through this API', 'template');
  }
  const mediaType = MEDIA_TYPES[headerFormat];
  if (mediaType) {
    const link = request.header_media_url;
    if (typeof link !== 'string' || link.length === 0) {
      throw new MessageBuildError(`the template has a ${mediaType} header: header_media_url is required`, 'template.header_media_url');
    }
    return { type: 'header', parameters: [{ type: mediaType, [mediaType]: { link } } as MetaMediaParameter] };
  }
  if (request.header_media_url !== undefined) {
    throw new MessageBuildError('the template has no media header', 'template.header_media_url');
  }
  const names = shape ? shape.headerParameters : Object.keys(request.header_parameters ?? {});
  if (headerFormat !== 'TEXT' && names.length > 0)
    throw new MessageBuildError('the template has no text header', 'template.header_parameters');
  const parameters = textParameters(names, request.header_parameters, format, 'template.header_parameters');
  return parameters.length > 0 ? { type: 'header', parameters } : null;
}

/** Text parameters for the template's placeholders, checked against the values given (both ways). */
function textParameters(
  names: readonly string[],
  values: Readonly<Record<string, string>> | undefined,
  format: ParameterFormat,
  field: string,
): MetaTextParameter[] {
  const given = values ?? {};
  for (const key of Object.keys(given)) {
    if (!names.includes(key)) throw new MessageBuildError(`the template has no parameter '${key}'`, `${field}.${key}`);
  }
  const ordered = format === 'POSITIONAL' ? [...names].sort((a, b) => Number(a) - Number(b)) : [...names];
  if (format === 'POSITIONAL') {
    ordered.forEach((name, i) => {
      if (name !== String(i + 1))
        throw new MessageBuildError(`positional parameters must be 1 … ${ordered.length}; found '${name}'`, `${field}.${name}`);
    });
  }
  return ordered.map((name) => {
    const text = given[name];
    if (typeof text !== 'string' || text.length === 0)
      throw new MessageBuildError(`a value for parameter '${name}' is required`, `${field}.${name}`);
    return format === 'NAMED' ? { type: 'text', parameter_name: name, text } : { type: 'text', text };
  });
}

function buildButtons(request: TemplateRequest, shape: TemplateShape | null): MetaTemplateComponent[] {
  const given = [...(request.buttons ?? [])].sort((a, b) => a.index - b.index);
  const seen = new Set<number>();
  const components = given.map((button, i): MetaTemplateComponent => {
    const param = `template.buttons[${i}]`;
    if (!Number.isInteger(button.index) || button.index < 0 || button.index > 9)
      throw new MessageBuildError('a button index is 0 … 9', `${param}.index`);
    if (seen.has(button.index)) throw new MessageBuildError(`button ${button.index} is given twice`, `${param}.index`);
    seen.add(button.index);
    if (shape) {
      const definition = shape.buttons.find((b) => b.index === button.index);
      if (!definition || !definition.dynamic)
        throw new MessageBuildError(`the template has no dynamic button at index ${button.index}`, `${param}.index`);
      if (definition.type !== button.type)
        throw new MessageBuildError(`button ${button.index} is a ${definition.type} button`, `${param}.type`);
    }
    const index = String(button.index);
    switch (button.type) {
      case 'url':
        return { type: 'button', sub_type: 'url', index, parameters: [{ type: 'text', text: button.value }] };
      case 'quick_reply':
        return { type: 'button', sub_type: 'quick_reply', index, parameters: [{ type: 'payload', payload: button.value }] };
      case 'copy_code':
        return { type: 'button', sub_type: 'copy_code', index, parameters: [{ type: 'coupon_code', coupon_code: button.value }] };
      default:
        throw new MessageBuildError(`unknown button type '${String(button.type)}'`, `${param}.type`);
    }
  });
  for (const definition of shape?.buttons ?? []) {
    if (definition.type === 'url' && definition.dynamic && !seen.has(definition.index)) {
      throw new MessageBuildError(`the template's url button at index ${definition.index} needs a value`, 'template.buttons');
    }
  }
  return components;
}

/** Without a definition: all-numeric keys ("1", "2") mean a positional template. */
function inferFormat(request: TemplateRequest): ParameterFormat {
  const keys = [...Object.keys(request.parameters ?? {}), ...Object.keys(request.header_parameters ?? {})];
  return keys.length > 0 && !keys.every((k) => POSITIONAL_KEY.test(k)) ? 'NAMED' : 'POSITIONAL';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
