import { expect } from 'chai';
import { harness } from '../support/harness.ts';

describe('routing of requests that match no operation', () => {
  describe('404 endpoint_not_found', () => {
    for (const [method, path] of [
      ['GET', '/v1/whatsapp/contacts'],
      ['POST', '/v1/whatsapp/message'],
      ['GET', '/v1'],
      ['GET', '/v2/whatsapp/messages'],
      ['GET', '/v1/messengers'],
      ['GET', '/nothing-here'],
      ['POST', '/v1/whatsapp/messages/'],
      ['POST', '/V1/whatsapp/messages'],
    ] as const) {
      it(`${method} ${path}`, async () => {
        const res = await harness.api.request(method, path, method === 'POST' ? { json: {} } : {});
        expect(res.status).to.equal(404);
        expect(res.body.error).to.include({ type: 'not_found_error', code: 'endpoint_not_found' });
        expect(res.body.error.message).to.include(path);
        expect(res.operationId).to.equal('(unmatched)');
      });
    }
  });

  describe('404 channel_not_available for the reserved channels', () => {
    for (const channel of ['messenger', 'instagram']) {
      for (const [method, path] of [
        ['POST', `/v1/${channel}/messages`],
        ['GET', `/v1/${channel}/messages/01c45011-d803-4eb0-a762-3228a4c392f3`],
        ['GET', `/v1/${channel}`],
        ['DELETE', `/v1/${channel}/anything/else`],
      ] as const) {
        it(`${method} ${path} → channel ${channel}`, async () => {
          const res = await harness.api.request(method, path, method === 'POST' ? { json: { to: '+15551234567' } } : {});
          expect(res.status).to.equal(404);
          expect(res.body.error).to.include({ type: 'not_found_error', code: 'channel_not_available', channel });
        });
      }
    }
  });

  describe('405 method_not_allowed on a known path', () => {
    for (const [method, path, allowed] of [
      ['DELETE', '/v1/whatsapp/messages', ['GET', 'HEAD', 'POST']],
      ['GET', '/v1/whatsapp/templates', ['POST']],
      ['PUT', '/v1/whatsapp/templates', ['POST']],
      ['POST', '/v1/whatsapp/conversations', ['GET', 'HEAD']],
      ['POST', '/v1/whatsapp/messages/01c45011-d803-4eb0-a762-3228a4c392f3', ['GET', 'HEAD']],
      ['POST', '/healthz', ['GET', 'HEAD']],
      ['OPTIONS', '/v1/whatsapp/messages', ['GET', 'HEAD', 'POST']],
      ['PATCH', '/openapi.yaml', ['GET', 'HEAD']],
    ] as const) {
      it(`${method} ${path} → Allow: ${allowed.join(', ')}`, async () => {
        const res = await harness.api.request(method, path);
        expect(res.status).to.equal(405);
        expect(res.headers.get('allow')).to.equal(allowed.join(', '));
        expect(res.body.error).to.include({ type: 'not_found_error', code: 'method_not_allowed' });
        expect(res.body.error.allowed_methods).to.deep.equal(allowed);
      });
    }

    it('answers 405 before looking at the body (routing comes first)', async () => {
      const res = await harness.api.request('PUT', '/v1/whatsapp/messages', {
        body: Buffer.from('{not json'),
        headers: { 'Content-Type': 'text/plain' },
      });
      expect(res.status).to.equal(405);
    });
  });
});
