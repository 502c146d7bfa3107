/**
 * The other half of the breaking-change gate: what the stability promise allows must pass —
 * a new optional request field, a new (nullable) response field, a new error code, a new
 * optional header and a new endpoint, all at once, in a patched copy of openapi.yaml.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { at, gateWith } from './gate.mjs';

test('the breaking-change gate passes additive changes', async (t) => {
  const { code, output } = await gateWith((d) => {
    const schemas = at(d, 'components', 'schemas');
    at(schemas, 'TextContent', 'properties').preview_url = { type: 'boolean', description: 'Show a link preview.' };
    at(schemas, 'Message', 'properties').price = { type: ['integer', 'null'], description: 'What the message cost, in cents.' };
    at(schemas, 'ErrorCode', 'x-extensible-enum').push('recipient_blocked');
    at(schemas, 'ErrorCode', 'x-error-catalog').recipient_blocked = { status: 422, type: 'validation_error', extras: ['param'] };
    at(d, 'paths', '/v1/whatsapp/messages', 'post', 'parameters').push({
      name: 'X-Client-Version',
      in: 'header',
      required: false,
      description: 'The calling integration and its version.',
      schema: { type: 'string', maxLength: 64 },
    });
    d.paths['/v1/whatsapp/numbers'] = {
      get: {
        operationId: 'listWhatsAppNumbers',
        tags: ['WhatsApp'],
        summary: 'List the sending numbers',
        description: 'The WhatsApp numbers the key may send from.',
        responses: {
          200: {
            description: 'The numbers.',
            content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/E164PhoneNumber' } } } },
          },
        },
      },
    };
  });
  const tail = output.split('\n').slice(-30).join('\n');
  assert.equal(code, 0, `the gate refused additive changes:\n${tail}`);
  assert.match(output, /breaking-change gate: passed/);
  t.diagnostic('additive changes pass the gate');
});
