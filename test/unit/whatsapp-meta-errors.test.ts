import { expect } from 'chai';
import { isObject } from '../../server/src/core/openapi.ts';
import { classifyMetaError, META_ERROR_TABLE, type MessageErrorCode, type RetryClass } from '../../server/src/whatsapp/meta-errors.ts';
import { spec } from '../support/harness.ts';

describe('Meta error classification', () => {
  const expectations: Array<[number, MessageErrorCode, RetryClass]> = [
    [131047, 'customer_service_window_closed', 'never'],
    [131026, 'recipient_unavailable', 'never'],
    [131050, 'recipient_opted_out', 'never'],
    [132000, 'template_error', 'never'],
    [132001, 'template_error', 'never'],
    [132012, 'template_error', 'never'],
    [132999, 'template_error', 'never'],
    [130429, 'rate_limited', 'backoff'],
    [80007, 'rate_limited', 'backoff'],
    [4, 'rate_limited', 'backoff'],
    [131056, 'rate_limited', 'backoff'],
    [131000, 'upstream_rejected', 'backoff'],
    [1, 'upstream_rejected', 'backoff'],
    [2, 'upstream_rejected', 'backoff'],
    [131016, 'upstream_rejected', 'backoff'],
    [133004, 'upstream_rejected', 'backoff'],
    [131057, 'upstream_rejected', 'backoff'],
    [0, 'sending_number_unavailable', 'operator'],
    [190, 'sending_number_unavailable', 'operator'],
    [10, 'sending_number_unavailable', 'operator'],
    [200, 'sending_number_unavailable', 'operator'],
    [250, 'sending_number_unavailable', 'operator'],
    [299, 'sending_number_unavailable', 'operator'],
    [3, 'sending_number_unavailable', 'operator'],
    [131005, 'sending_number_unavailable', 'operator'],
    [368, 'sending_number_unavailable', 'operator'],
    [131031, 'sending_number_unavailable', 'operator'],
    [131042, 'sending_number_unavailable', 'operator'],
    [133010, 'sending_number_unavailable', 'operator'],
    [131053, 'media_error', 'never'],
    [100, 'upstream_rejected', 'never'],
  ];
  for (const [code, messageErrorCode, retry] of expectations) {
    it(`${code} → ${messageErrorCode} / ${retry}`, () => {
      expect(classifyMetaError(code)).to.include({ messageErrorCode, retry });
    });
  }

  it('131056 (pair rate) backs off per recipient; 130429 per sending number; 80007 and 4 for the account', () => {
    expect(classifyMetaError(131056)).to.include({ perRecipient: true, scope: 'recipient' });
    expect(classifyMetaError(130429)).to.include({ perRecipient: false, scope: 'sending_number' });
    expect(classifyMetaError(80007)).to.include({ scope: 'account' });
    expect(classifyMetaError(4)).to.include({ scope: 'account' });
  });

  it('token and account errors alert operators; paused/disabled templates too, while the message fails as template_error', () => {
    expect(classifyMetaError(190)).to.include({ alertOperator: true, retry: 'operator' });
    expect(classifyMetaError(132015)).to.include({ messageErrorCode: 'template_error', retry: 'never', alertOperator: true });
    expect(classifyMetaError(132016)).to.include({ alertOperator: true });
    expect(classifyMetaError(131047)).to.include({ alertOperator: false });
  });

  it('an unknown code is final (upstream_rejected / never), unless Meta said it was transient or answered 5xx', () => {
    expect(classifyMetaError(999_999)).to.deep.equal({
      messageErrorCode: 'upstream_rejected',
      retry: 'never',
      perRecipient: false,
      scope: null,
      alertOperator: false,
      title: null,
    });
    expect(classifyMetaError(null)).to.include({ messageErrorCode: 'upstream_rejected', retry: 'never' });
    expect(classifyMetaError(undefined, 'details', { httpStatus: 502 })).to.include({ retry: 'backoff', scope: 'message' });
    expect(classifyMetaError(999_999, null, { isTransient: true })).to.include({ retry: 'backoff' });
    // a known code keeps its class whatever the hints say
    expect(classifyMetaError(131047, null, { httpStatus: 500, isTransient: true })).to.include({ retry: 'never' });
  });

  it("every failure code of the table is one of openapi.yaml's MessageErrorCode values", () => {
    const schema = (spec().document.components as { schemas: Record<string, unknown> }).schemas.MessageErrorCode;
    const known = isObject(schema) ? (schema['x-extensible-enum'] as string[]) : [];
    expect(known).to.include('customer_service_window_closed');
    for (const rule of META_ERROR_TABLE) expect(known, rule.title).to.include(rule.messageErrorCode);
  });

  it('no code is claimed by two rows, except the 132xxx range below its specific rows (first match wins)', () => {
    const seen = new Map<number, string>();
    for (const rule of META_ERROR_TABLE) {
      for (const code of rule.codes) {
        if (typeof code !== 'number') continue;
        expect(seen.has(code), `code ${code} in "${seen.get(code)}" and "${rule.title}"`).to.equal(false);
        seen.set(code, rule.title);
      }
    }
    const ranges = META_ERROR_TABLE.flatMap((rule) => rule.codes.filter((c): c is readonly [number, number] => typeof c !== 'number'));
    for (const [from, to] of ranges) for (const [code] of seen) if (code >= from && code <= to) expect([132015, 132016]).to.include(code);
    for (const rule of META_ERROR_TABLE) if (rule.scope) expect(rule.retry).to.equal('backoff');
  });
});
