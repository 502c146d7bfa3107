import { expect } from 'chai';
import type { OperationHandlers } from '../../server/src/generated/handlers.ts';
import { createSchemaSet } from '../../server/src/http/schemas.ts';
import type { Implementations, OperationContext } from '../../server/src/operations/context.ts';
import { strictTransform } from '../support/contract.ts';

// Type-level: the generated handler interface fits the implementation map createApp takes.
const generatedShape: Partial<OperationHandlers<OperationContext>> = {};
const accepted: Implementations = generatedShape;
void accepted;

const document = {
  openapi: '3.1.0',
  components: {
    schemas: {
      Pet: {
        type: 'object',
        required: ['kind'],
        properties: { kind: { type: 'string' }, tags: { $ref: '#/components/schemas/Tags' } },
        discriminator: { propertyName: 'kind', mapping: { cat: '#/components/schemas/Cat' } },
        example: { kind: 'cat' },
        examples: [{ kind: 'cat', anything: { nested: true } }],
        'x-internal-note': { owner: 'team' },
      },
      Tags: { type: 'array', items: { type: 'string' }, 'x-extensible-enum': ['a', 'b'] },
      Open: { type: 'object', additionalProperties: true, properties: { a: { type: 'string' } } },
    },
  },
};

describe('schema compilation (Ajv 2020 over OpenAPI 3.1)', () => {
  it('accepts x- extensions, discriminator (mapping stripped) and example without breaking compilation', () => {
    const set = createSchemaSet(document);
    const validate = set.compile({ $ref: '#/components/schemas/Pet' }, '#/test');
    expect(validate({ kind: 'cat', tags: ['a'] })).to.equal(true);
    expect(validate({ tags: [1] })).to.equal(false);
  });

  it('strict mode closes object schemas that do not declare additionalProperties, and only those', () => {
    const set = createSchemaSet(document, { transform: strictTransform([]) });
    expect(set.compile({ $ref: '#/components/schemas/Pet' }, '#/t1')({ kind: 'cat', extra: 1 })).to.equal(false);
    expect(set.compile({ $ref: '#/components/schemas/Open' }, '#/t2')({ a: 'x', extra: 1 })).to.equal(true);
    // data keywords (examples) are left alone
    expect(set.component('Pet')?.examples).to.deep.equal([{ kind: 'cat', anything: { nested: true } }]);
  });

  it('strict mode honours exemptions by location', () => {
    const set = createSchemaSet(document, { transform: strictTransform(['#/components/schemas/Pet']) });
    expect(set.compile({ $ref: '#/components/schemas/Pet' }, '#/t3')({ kind: 'cat', extra: 1 })).to.equal(true);
  });
});
