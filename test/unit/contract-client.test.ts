/**
 * The safety net itself: the contract validator must reject what the contract does not allow,
 * or the contract tests prove nothing. Each case starts from a response the contract accepts and
 * changes one thing.
 */
import { expect } from 'chai';
import type { JsonObject, LoadedSpec } from '../../server/src/core/openapi.ts';
import { ContractValidator, type ObservedResponse } from '../support/contract.ts';
import { spec } from '../support/harness.ts';

const CID = 'req_01JD8X3V7Q2M4N6P8R0S2T4V6W';

function observed(partial: Partial<ObservedResponse> & { json?: unknown; headerValues?: Record<string, string> }): ObservedResponse {
  const headers = new Headers({ 'X-Correlation-ID': CID, 'Content-Type': 'application/json; charset=utf-8', ...partial.headerValues });
  const bytes = partial.bytes ?? (partial.json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(partial.json)));
  return { method: partial.method ?? 'GET', path: partial.path ?? '/healthz', status: partial.status ?? 200, headers, bytes };
}

function withDocument(change: (document: JsonObject) => void): LoadedSpec {
  const document = structuredClone(spec().document);
  change(document);
  return { ...spec(), document, jsonText: JSON.stringify(document) };
}

const envelope = (code: string, type: string, extra: JsonObject = {}) => ({
  error: { type, code, message: 'm', ...extra, correlation_id: CID },
});

describe('the contract validator (test support)', () => {
  const validator = () => new ContractValidator(spec());

  it('accepts documented responses (the baseline of the cases below)', () => {
    const v = validator();
    expect(v.validate(observed({ json: { status: 'ok' } })).operationId).to.equal('getHealth');
    expect(v.validate(observed({ method: 'HEAD' })).operationId).to.equal('getHealth');
    v.validate(observed({ path: '/v1/nope', status: 404, json: envelope('endpoint_not_found', 'not_found_error') }));
    v.validate(
      observed({
        method: 'DELETE',
        path: '/v1/whatsapp/messages',
        status: 405,
        headerValues: { Allow: 'POST' },
        json: envelope('method_not_allowed', 'not_found_error', { allowed_methods: ['POST'] }),
      }),
    );
  });

  it('rejects a status the operation does not document', () => {
    expect(() => validator().validate(observed({ status: 500, json: envelope('internal_error', 'internal_error') }))).to.throw(
      /status 500 is not documented for getHealth/,
    );
  });

  it('rejects a status outside x-unmatched-request-responses for unmatched requests', () => {
    expect(() =>
      validator().validate(observed({ path: '/v1/nope', status: 400, json: envelope('invalid_json', 'validation_error') })),
    ).to.throw(/status 400 is not documented for \(unmatched\)/);
  });

  it('rejects a field the contract does not document (strict mode)', () => {
    expect(() => validator().validate(observed({ json: { status: 'ok', uptime_seconds: 12 } }))).to.throw(/unevaluated/);
    expect(() =>
      validator().validate(
        observed({ path: '/v1/nope', status: 404, json: envelope('endpoint_not_found', 'not_found_error', { stack: 'at x' }) }),
      ),
    ).to.throw(/does not match the schema/);
  });

  it('fails a response that was valid once a property is removed from its schema', () => {
    const trimmed = withDocument((document) => {
      const health = ((document.components as JsonObject).schemas as Record<string, JsonObject>).HealthStatus!;
      delete (health.properties as JsonObject).status;
      health.required = [];
    });
    expect(() => new ContractValidator(trimmed).validate(observed({ json: { status: 'ok' } }))).to.throw(/does not match the schema/);
  });

  it('rejects a response without X-Correlation-ID', () => {
    const response = observed({ json: { status: 'ok' } });
    response.headers.delete('X-Correlation-ID');
    expect(() => validator().validate(response)).to.throw(/no X-Correlation-ID/);
  });

  it('rejects an error whose correlation_id differs from the header', () => {
    const json = envelope('endpoint_not_found', 'not_found_error');
    json.error.correlation_id = 'req_other';
    expect(() => validator().validate(observed({ path: '/v1/nope', status: 404, json }))).to.throw(/differs from X-Correlation-ID/);
  });

  it('rejects a missing required header (Allow on 405)', () => {
    expect(() =>
      validator().validate(
        observed({ method: 'DELETE', path: '/v1/whatsapp/messages', status: 405, json: envelope('method_not_allowed', 'not_found_error') }),
      ),
    ).to.throw(/required header Allow is missing/);
  });

  it('rejects a header that does not match its schema', () => {
    expect(() =>
      validator().validate(
        observed({
          path: '/v1/whatsapp/messages/x',
          status: 503,
          headerValues: { 'Retry-After': 'soon' },
          json: envelope('service_unavailable', 'upstream_error'),
        }),
      ),
    ).to.throw(/header Retry-After/);
  });

  it('rejects an undocumented Content-Type', () => {
    expect(() =>
      validator().validate(
        observed({ path: '/openapi.yaml', headerValues: { 'Content-Type': 'text/plain' }, bytes: Buffer.from('openapi: 3.1.0') }),
      ),
    ).to.throw(/Content-Type text\/plain is not documented/);
  });

  it('rejects a body on a HEAD response', () => {
    expect(() => validator().validate(observed({ method: 'HEAD', json: { status: 'ok' } }))).to.throw(/HEAD response carried a body/);
  });

  it('rejects a body that is not JSON where JSON is documented', () => {
    expect(() => validator().validate(observed({ bytes: Buffer.from('ok') }))).to.throw(/not valid JSON/);
  });
});
