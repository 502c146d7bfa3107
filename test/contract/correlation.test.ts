import { expect } from 'chai';
import { harness } from '../support/harness.ts';

const GENERATED = /^req_[0-9A-HJKMNP-TV-Z]{26}$/;

const validMessage = {
  agent_id: '12345678-1234-1234-1234-123456789012',
  from: '+15557654321',
  to: '+15551234567',
  text: { body: 'Hello' },
};

describe('correlation ids', () => {
  it('generates req_ + ULID when the caller sends none', async () => {
    const res = await harness.api.get('/healthz');
    expect(res.correlationId).to.match(GENERATED);
  });

  it('generates a different id for every request', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await harness.api.get('/healthz')).correlationId);
    expect(ids.size).to.equal(5);
  });

  it('echoes a sane caller id on success and on every kind of error', async () => {
    const id = 'crm-ticket_9001:a.B';
    const headers = { 'X-Correlation-ID': id };
    const responses = [
      await harness.api.get('/healthz', { headers }),
      await harness.api.get('/v1/whatsapp/nothing', { headers }),
      await harness.api.request('DELETE', '/v1/whatsapp/messages', { headers }),
      await harness.api.post('/v1/whatsapp/messages', { ...validMessage, to: 'x' }, { headers }),
      await harness.api.post('/v1/whatsapp/messages', validMessage, { headers }),
    ];
    expect(responses.map((r) => r.status)).to.deep.equal([200, 404, 405, 422, 202]);
    for (const res of responses) {
      expect(res.correlationId).to.equal(id);
      if (res.status >= 400) expect(res.body.error.correlation_id).to.equal(id);
    }
  });

  it('accepts exactly 128 characters', async () => {
    const id = 'a'.repeat(128);
    const res = await harness.api.get('/healthz', { headers: { 'X-Correlation-ID': id } });
    expect(res.correlationId).to.equal(id);
  });

  for (const [label, value] of [
    ['129 characters', 'a'.repeat(129)],
    ['a space', 'bad id'],
    ['a slash', 'a/b'],
    ['non-ASCII letters', 'caf\u00e9'],
    ['an empty value', ''],
  ] as const) {
    it(`replaces a caller id with ${label} by a generated one`, async () => {
      const res = await harness.api.get('/v1/unknown', { headers: { 'X-Correlation-ID': value } });
      expect(res.status).to.equal(404);
      expect(res.correlationId).to.match(GENERATED);
      expect(res.body.error.correlation_id).to.equal(res.correlationId);
    });
  }

  it('puts the correlation id on the request log line, which has no headers or body', async () => {
    const secret = harness.fixture.apiKey;
    const res = await harness.api.post('/v1/whatsapp/messages', { ...validMessage, text: { body: 'top-secret-text' } });
    const lines = harness.server.logs.withCorrelationId(res.correlationId);
    const request = lines.find((l) => l.msg === 'request');
    expect(request).to.include({ method: 'POST', path: '/v1/whatsapp/messages', status: 202, operation_id: 'sendWhatsAppMessage' });
    expect(request?.duration_ms).to.be.a('number');
    const all = harness.server.logs.raw.join('\n');
    expect(all).not.to.include(secret);
    expect(all).not.to.include('top-secret-text');
  });
});
