/**
 * The one `$ref` resolver of the project (server/src/core/openapi-ref.mjs), used by the server
 * (openapi.ts) and by scripts/generate.mjs.
 */
import { expect } from 'chai';
import { deref } from '../../server/src/core/openapi.ts';
import { atPointer, resolveRef } from '../../server/src/core/openapi-ref.mjs';

const document = {
  components: {
    responses: { NotFound: { description: 'not found' }, Missing: { $ref: '#/components/responses/NotFound' } },
    parameters: {
      'a/b~c': { name: 'escaped' },
      Loop: { $ref: '#/components/parameters/Loop2' },
      Loop2: { $ref: '#/components/parameters/Loop' },
    },
    schemas: { List: { enum: ['x', 'y'] }, Name: { type: 'string' } },
  },
};

describe('openapi-ref: following local $refs', () => {
  it('follows a chain of references to what it finally names', () => {
    expect(resolveRef(document, { $ref: '#/components/responses/Missing' })).to.equal(document.components.responses.NotFound);
    expect(deref(document, { $ref: '#/components/responses/Missing' })).to.equal(document.components.responses.NotFound);
  });

  it('returns a value without $ref as it is, objects and others', () => {
    const plain = { description: 'inline' };
    expect(resolveRef(document, plain)).to.equal(plain);
    expect(resolveRef(document, undefined)).to.equal(undefined);
    expect(resolveRef(document, 'text')).to.equal('text');
  });

  it('unescapes ~1 and ~0 and indexes arrays', () => {
    expect(atPointer(document, '#/components/parameters/a~1b~0c')).to.deep.equal({ name: 'escaped' });
    expect(atPointer(document, '#/components/schemas/List/enum/1')).to.equal('y');
    expect(atPointer(document, '#/components/schemas/Nope')).to.equal(undefined);
  });

  it('refuses circular, unresolvable and non-local references', () => {
    expect(() => resolveRef(document, { $ref: '#/components/parameters/Loop' })).to.throw(
      'reference cycle at #/components/parameters/Loop',
    );
    expect(() => resolveRef(document, { $ref: '#/components/schemas/Nope' })).to.throw("unresolvable $ref '#/components/schemas/Nope'");
    expect(() => resolveRef(document, { $ref: 'other.yaml#/x' })).to.throw('only local references are supported: other.yaml#/x');
  });

  it("the server's deref insists on an object", () => {
    expect(() => deref(document, { $ref: '#/components/schemas/List/enum/0' })).to.throw('reference does not resolve to an object');
    expect(deref(document, { $ref: '#/components/schemas/Name' })).to.deep.equal({ type: 'string' });
  });
});
