/**
 * Planted contract bugs for the breaking-change gate (test/tools/breaking.sh: oasdiff plus the
 * x-extensible-enum check) — each a patched copy of openapi.yaml, compared with the released
 * v1 contract; each must make the gate exit 1 and name the change. The first is the one the
 * issue asks for (a removed response field); the others cover the rest of the stability
 * promise: a removed optional field, a renamed request field, a removed path, a removed enum
 * value (also of a released enum that became x-extensible-enum), a removed error code, a newly
 * required field, a changed type (also 3.1's type lists).
 */
import { test } from 'node:test';
import { assertCaught } from './helpers.mjs';
import { at, gateWith } from './gate.mjs';

const schemas = (document) => at(document, 'components', 'schemas');

const cases = [
  {
    name: 'a removed (required) response field: Message.platform_message_id',
    patch: (d) => {
      const message = at(schemas(d), 'Message');
      at(message, 'properties', 'platform_message_id');
      delete message.properties.platform_message_id;
      message.required = message.required.filter((name) => name !== 'platform_message_id');
    },
    evidence: [/platform_message_id/, /response-required-property-removed/],
  },
  {
    name: 'a removed optional response field: ApiError.param',
    patch: (d) => {
      at(schemas(d), 'ApiError', 'properties', 'param');
      delete schemas(d).ApiError.properties.param;
    },
    evidence: [/error\/param/, /response-optional-property-removed/],
  },
  {
    name: 'a renamed request field: template.header_media_url → header_media_link',
    patch: (d) => {
      const properties = at(schemas(d), 'TemplateContent', 'properties');
      properties.header_media_link = at(properties, 'header_media_url');
      delete properties.header_media_url;
    },
    evidence: [/header_media_url/, /request-property-removed/],
  },
  {
    name: 'a removed path: POST /v1/whatsapp/templates',
    patch: (d) => {
      at(d, 'paths', '/v1/whatsapp/templates');
      delete d.paths['/v1/whatsapp/templates'];
    },
    evidence: [/api-path-removed-without-deprecation/],
  },
  {
    // MessageStatus was a closed enum in the released contract and is x-extensible-enum now:
    // oasdiff no longer sees its values, the extensible-enum check compares them with the release.
    name: "a removed enum value: MessageStatus 'failed' (released as enum, open now)",
    patch: (d) => {
      const status = at(schemas(d), 'MessageStatus');
      if (!at(status, 'x-extensible-enum').includes('failed')) throw new Error('MessageStatus has no failed');
      status['x-extensible-enum'] = status['x-extensible-enum'].filter((value) => value !== 'failed');
    },
    evidence: [/components\.schemas\.MessageStatus: known value 'failed' removed/],
  },
  {
    name: 'a list of known values dropped: MessageType x-extensible-enum removed',
    patch: (d) => {
      const type = at(schemas(d), 'MessageType');
      at(type, 'x-extensible-enum');
      delete type['x-extensible-enum'];
    },
    evidence: [/components\.schemas\.MessageType: enum removed \(had 2 values\)/],
  },
  {
    name: 'a retyped id: Message.id string → integer (the reviewed format change excuses nothing else)',
    patch: (d) => {
      const id = at(schemas(d), 'Message', 'properties', 'id');
      delete id.$ref;
      Object.assign(id, { type: 'integer' });
    },
    evidence: [/`id`/, /response-property-type-changed/],
  },
  {
    name: "a removed request enum value: TemplateButtonType 'copy_code'",
    patch: (d) => {
      const type = at(schemas(d), 'TemplateButtonType');
      if (!at(type, 'enum').includes('copy_code')) throw new Error('TemplateButtonType has no copy_code');
      type.enum = type.enum.filter((value) => value !== 'copy_code');
    },
    evidence: [/copy_code/, /request-property-enum-value-removed/],
  },
  {
    name: "a removed error code: 'template_not_approved' (x-extensible-enum and x-error-catalog)",
    patch: (d) => {
      const code = at(schemas(d), 'ErrorCode');
      if (!at(code, 'x-extensible-enum').includes('template_not_approved')) throw new Error('no template_not_approved');
      code['x-extensible-enum'] = code['x-extensible-enum'].filter((value) => value !== 'template_not_approved');
      delete at(code, 'x-error-catalog').template_not_approved;
    },
    evidence: [/x-extensible-enum value 'template_not_approved' removed/, /x-error-catalog entry 'template_not_approved' removed/],
  },
  {
    name: 'a newly required request field: template.parameters',
    patch: (d) => {
      const content = at(schemas(d), 'TemplateContent');
      at(content, 'properties', 'parameters');
      content.required = [...at(content, 'required'), 'parameters'];
    },
    evidence: [/template\/parameters/, /request-property-became-required/],
  },
  {
    name: 'a changed type: TemplateButton.index integer → string',
    patch: (d) => {
      at(schemas(d), 'TemplateButton', 'properties', 'index').type = 'string';
    },
    evidence: [/index/, /request-property-type-changed/],
  },
  {
    name: "a changed 3.1 type list: MessageError.meta_error_code [integer, 'null'] → [string, 'null']",
    patch: (d) => {
      const property = at(schemas(d), 'MessageError', 'properties', 'meta_error_code');
      if (JSON.stringify(property.type) !== JSON.stringify(['integer', 'null']))
        throw new Error(`meta_error_code is ${JSON.stringify(property.type)}`);
      property.type = ['string', 'null'];
    },
    evidence: [/meta_error_code/, /response-property-type-changed/],
  },
];

for (const { name, patch, evidence } of cases) {
  test(`the breaking-change gate catches ${name}`, async (t) => {
    assertCaught(t, await gateWith(patch), evidence, `breaking.sh with ${name}`);
  });
}
