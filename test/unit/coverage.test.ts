/** The contract coverage the whole suite must reach: which documented pairs a run left unexercised. */
import { expect } from 'chai';
import { coverageRows, recordExercised, unexercisedPairs } from '../support/coverage.ts';

describe('contract coverage', () => {
  // An operation of its own, so that what this test records never counts for openapi.yaml's.
  const document = {
    openapi: '3.1.0',
    info: { title: 'coverage', version: '0' },
    paths: {
      '/coverage-check': {
        get: { operationId: 'coverageSelfCheck', responses: { '200': { description: 'ok' }, '404': { description: 'no' } } },
      },
    },
    'x-unmatched-request-responses': { responses: { '405': { description: 'no such method' } } },
  };

  it('lists every documented pair no response exercised, unmatched requests included', () => {
    expect(unexercisedPairs(document)).to.deep.equal(['coverageSelfCheck 200', 'coverageSelfCheck 404', '(unmatched) 405']);
    recordExercised('coverageSelfCheck', 200);
    recordExercised('coverageSelfCheck', '200');
    expect(unexercisedPairs(document)).to.deep.equal(['coverageSelfCheck 404', '(unmatched) 405']);
    expect(coverageRows(document).find((row) => row.status === '200')?.count).to.equal(2);
  });
});
