/** The contract coverage the whole suite must reach: which documented pairs a run left unexercised. */
import { expect } from 'chai';
import { coverageRows, recordExercised, unexercisedPairs } from '../support/coverage.ts';

describe('contract coverage', () => {
  // An operation and an unmatched status of its own (no request of the suite is answered 418), so
  // that what this test records never counts for openapi.yaml's, and the rest of the run does not
  // change what it sees.
  const document = {
    openapi: '3.1.0',
    info: { title: 'coverage', version: '0' },
    paths: {
      '/coverage-check': {
        get: { operationId: 'coverageSelfCheck', responses: { '200': { description: 'ok' }, '404': { description: 'no' } } },
      },
    },
    'x-unmatched-request-responses': { responses: { '418': { description: 'never answered' } } },
  };

  it('lists every documented pair no response exercised, unmatched requests included', () => {
    expect(unexercisedPairs(document)).to.deep.equal(['coverageSelfCheck 200', 'coverageSelfCheck 404', '(unmatched) 418']);
    recordExercised('coverageSelfCheck', 200);
    recordExercised('coverageSelfCheck', '200');
    expect(unexercisedPairs(document)).to.deep.equal(['coverageSelfCheck 404', '(unmatched) 418']);
    expect(coverageRows(document).find((row) => row.status === '200')?.count).to.equal(2);
  });
});
