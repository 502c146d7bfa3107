/**
 * Our own schema of the part of the Cloud API Mojeeb uses (cloud-api.schema.yaml, written by
 * this project, always present), compiled with the project's schema loader
 * (server/src/http/schemas.ts). The fake Meta validates everything against it, with or without
 * Meta's document beside the clone.
 *
 * The schema's `oneOf`s (text or template, the component and parameter kinds, status or inbound
 * webhook values) would report the errors of every branch; on failure each part is re-checked
 * against the branch its own `type` (or content) names, so the errors read as one list.
 */
import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { isObject, type JsonObject } from '../../../server/src/core/openapi.ts';
import { createSchemaSet } from '../../../server/src/http/schemas.ts';
import { formatErrors, passes, run, VALID, type CloudApiValidator, type MetaValidationResult } from './validation.ts';

export const OWN_SCHEMA_PATH = new URL('./cloud-api.schema.yaml', import.meta.url);

/** Which schema checks each parameter `type`, per component. */
const PARAMETERS: Record<string, Record<string, string>> = {
  header: { text: 'TextParameter', image: 'ImageParameter', video: 'VideoParameter', document: 'DocumentParameter' },
  body: { text: 'TextParameter' },
  button: { text: 'ButtonTextParameter', payload: 'ButtonPayloadParameter', coupon_code: 'ButtonCouponCodeParameter' },
};

let document: JsonObject | undefined;
let validator: CloudApiValidator | undefined;

/** The schema document (parsed once). Treat as read-only. */
export function ownSchemaDocument(): JsonObject {
  if (!document) {
    const parsed = parse(readFileSync(OWN_SCHEMA_PATH, 'utf8')) as unknown;
    if (!isObject(parsed) || !isObject(parsed.components)) throw new Error(`${OWN_SCHEMA_PATH.pathname} is not an OpenAPI fragment`);
    document = parsed;
  }
  return document;
}

/** The validator of our own schema (compiled once per process). */
export function ownValidator(): CloudApiValidator {
  return (validator ??= buildOwnValidator());
}

function buildOwnValidator(): CloudApiValidator {
  const set = createSchemaSet(ownSchemaDocument());
  const compiled = new Map<string, ValidateFunction>();
  const schema = (name: string): ValidateFunction => {
    let fn = compiled.get(name);
    if (!fn) compiled.set(name, (fn = set.compile({ $ref: `#/components/schemas/${name}` }, `#/own/${name}`)));
    return fn;
  };
  const check = (name: string, data: unknown, path = ''): string[] =>
    passes(schema(name), data) ? [] : formatErrors(schema(name).errors, `${name}: `, path);

  const explainTemplate = (body: JsonObject): string[] => {
    const template = isObject(body.template) ? body.template : undefined;
    const components = template?.components;
    if (!template || !Array.isArray(components) || components.length === 0) return check('TemplateSend', body);
    const { components: _c, ...rest } = template;
    const lines = check('TemplateSend', { ...body, template: rest });
    components.forEach((component, i) => {
      const at = `/template/components/${i}`;
      const kind = isObject(component) && typeof component.type === 'string' && component.type in PARAMETERS ? component.type : undefined;
      if (!kind || !isObject(component)) return lines.push(`TemplateSend: ${at}/type: must be header, body or button`);
      const name = `${kind.charAt(0).toUpperCase()}${kind.slice(1)}Component`;
      if (passes(schema(name), component)) return;
      lines.push(
        ...formatErrors(
          schema(name).errors?.filter((e) => !e.instancePath.startsWith('/parameters/')),
          `${name}: `,
          at,
        ),
      );
      (Array.isArray(component.parameters) ? component.parameters : []).forEach((parameter, j) => {
        const variant = isObject(parameter) && typeof parameter.type === 'string' ? PARAMETERS[kind]![parameter.type] : undefined;
        if (!variant) lines.push(`${name}: ${at}/parameters/${j}/type: must be one of ${Object.keys(PARAMETERS[kind]!).join(', ')}`);
        else lines.push(...check(variant, parameter, `${at}/parameters/${j}`));
      });
    });
    return lines.length > 0 ? lines : check('TemplateSend', body);
  };

  const explainWebhook = (payload: JsonObject): string[] => {
    const entries = Array.isArray(payload.entry) ? payload.entry : [];
    const lines: string[] = [];
    entries.forEach((entry, i) => {
      const changes = isObject(entry) && Array.isArray(entry.changes) ? entry.changes : [];
      changes.forEach((change, j) => {
        const value = isObject(change) && isObject(change.value) ? change.value : undefined;
        if (!value) return;
        const name = 'statuses' in value && !('messages' in value) ? 'StatusValue' : 'InboundValue';
        lines.push(...check(name, value, `/entry/${i}/changes/${j}/value`));
      });
    });
    return lines;
  };

  /** A webhook: errors inside change values come from the value's own schema, the others from the envelope's. */
  const validateWebhook = (payload: unknown): MetaValidationResult => {
    if (passes(schema('WebhookPayload'), payload)) return VALID;
    const inValues = isObject(payload) ? explainWebhook(payload) : [];
    const envelope = (schema('WebhookPayload').errors ?? []).filter(
      (e) => inValues.length === 0 || !/^\/entry\/\d+\/changes\/\d+\/value(\/|$)/.test(e.instancePath),
    );
    return { valid: false, errors: [...inValues, ...formatErrors(envelope, 'WebhookPayload: ')].slice(0, 20) };
  };

  return {
    validateSendBody(body) {
      if (isObject(body) && body.type === 'text') return run(schema('TextSend'), body, 'TextSend: ');
      if (isObject(body) && body.type === 'template')
        return passes(schema('TemplateSend'), body) ? VALID : { valid: false, errors: explainTemplate(body).slice(0, 20) };
      return { valid: false, errors: ['SendMessage: /type: must be text or template (the only messages Mojeeb sends)'] };
    },
    validateWebhookPayload: validateWebhook,
    validateSendResponse: (body) => run(schema('SendResponse'), body, 'SendResponse: '),
    validateGraphError: (body) => run(schema('GraphError'), body, 'GraphError: '),
    validateTemplateList: (body) => run(schema('TemplateList'), body, 'TemplateList: '),
  };
}
