import { expect } from 'chai';
import { ApiError } from '../../server/src/core/errors.ts';
import type { ErrorCode } from '../../server/src/core/errors.ts';

describe('ApiError', () => {
  it('takes its status and type from the catalog', () => {
    const error = new ApiError('invalid_from_phone', 'bad from', { param: 'from' });
    expect(error.status).to.equal(422);
    expect(error.type).to.equal('validation_error');
    expect(new ApiError('not_implemented', 'x').status).to.equal(501);
    expect(new ApiError('method_not_allowed', 'x', { allowed_methods: ['POST'] }).type).to.equal('not_found_error');
  });

  it('builds the envelope: type, code, message, extras, correlation_id; undefined extras dropped', () => {
    const body = new ApiError('from_phone_not_found_for_agent', 'not a number of this agent', {
      param: 'from',
      available_phones: ['+15557654321'],
    }).toResponseBody('req_1');
    expect(body).to.deep.equal({
      error: {
        type: 'validation_error',
        code: 'from_phone_not_found_for_agent',
        message: 'not a number of this agent',
        param: 'from',
        available_phones: ['+15557654321'],
        correlation_id: 'req_1',
      },
    });
    expect(Object.keys(body.error)).to.deep.equal(['type', 'code', 'message', 'param', 'available_phones', 'correlation_id']);
    expect(new ApiError('invalid_field_value', 'x', { param: undefined }).toResponseBody('c').error).not.to.have.property('param');
  });

  it('cannot be created with a code the contract does not have', () => {
    // @ts-expect-error not a code of the catalog
    expect(() => new ApiError('teapot', 'x')).to.throw(/unknown error code 'teapot'/);
  });

  it('cannot carry an extra field its code does not have', () => {
    // @ts-expect-error `channel` is not an extra of invalid_json
    expect(() => new ApiError('invalid_json', 'x', { channel: 'messenger' })).to.throw(/does not carry the extra field 'channel'/);
  });

  it('types each extra by the ApiError schema', () => {
    // @ts-expect-error allowed_methods is a list of strings
    void new ApiError('method_not_allowed', 'x', { allowed_methods: 'POST' });
    const code: ErrorCode = 'rate_limit_exceeded';
    expect(new ApiError(code, 'x').status).to.equal(429);
  });
});
