import { expect } from 'chai';
import { harness } from '../support/harness.ts';

const MESSAGES = '/v1/whatsapp/messages';
const TEMPLATES = '/v1/whatsapp/templates';
const LIMIT = 64 * 1024;

function raw(body: Buffer | string | ReadableStream<Uint8Array>, contentType?: string, extra: Record<string, string> = {}) {
  return { body, headers: { ...(contentType ? { 'Content-Type': contentType } : {}), ...extra } };
}

/** A JSON object of exactly `size` bytes (an unknown field carries the padding). */
function jsonOfSize(size: number): Buffer {
  const skeleton = JSON.stringify({ padding: '' });
  return Buffer.from(JSON.stringify({ padding: 'x'.repeat(size - skeleton.length) }));
}

describe('request bodies', () => {
  describe('400 invalid_json', () => {
    for (const [label, body] of [
      ['truncated JSON', Buffer.from('{"agent_id": "12345678-1234-1234-1234-123456789012",')],
      ['a trailing comma', Buffer.from('{"a": 1,}')],
      ['single quotes', Buffer.from("{'a': 1}")],
      ['an empty body', Buffer.alloc(0)],
      ['bytes that are not UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ] as const) {
      it(label, async () => {
        const res = await harness.api.request('POST', MESSAGES, raw(body, 'application/json'));
        expect(res.status).to.equal(400);
        expect(res.body.error).to.include({ type: 'validation_error', code: 'invalid_json' });
        expect(res.body.error).not.to.have.property('param');
      });
    }

    it('names the position without echoing the body', async () => {
      const res = await harness.api.request('POST', TEMPLATES, raw('{"template": {"name": "x", oops}}', 'application/json'));
      expect(res.status).to.equal(400);
      expect(res.body.error.message).to.match(/position \d+/);
      expect(res.body.error.message).not.to.include('oops');
    });
  });

  describe('413 request_body_too_large', () => {
    it('refuses a declared Content-Length over 64 KiB', async () => {
      const res = await harness.api.request('POST', MESSAGES, raw(jsonOfSize(LIMIT + 1), 'application/json'));
      expect(res.status).to.equal(413);
      expect(res.body.error).to.include({ type: 'validation_error', code: 'request_body_too_large' });
      expect(res.headers.get('connection')).to.equal('close');
    });

    it('stops reading a chunked body as soon as it passes 64 KiB', async () => {
      let sent = 0;
      const chunk = new Uint8Array(16 * 1024).fill(0x20);
      const total = 1024 * 1024 * 1024; // 1 GiB offered; the server must not wait for it
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= total) return controller.close();
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
      const started = Date.now();
      const res = await harness.api.request('POST', MESSAGES, raw(stream, 'application/json'));
      expect(res.status).to.equal(413);
      expect(res.body.error.code).to.equal('request_body_too_large');
      expect(sent).to.be.below(total / 16);
      expect(Date.now() - started).to.be.below(5_000);
    });

    it('accepts a body of exactly 64 KiB (and validates it)', async () => {
      const res = await harness.api.request('POST', MESSAGES, raw(jsonOfSize(LIMIT), 'application/json'));
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('missing_required_field');
    });
  });

  describe('415 unsupported_media_type', () => {
    const body = Buffer.from(JSON.stringify({ a: 1 }));
    for (const [label, contentType, extra] of [
      ['no Content-Type', undefined, {}],
      ['text/plain', 'text/plain', {}],
      ['form encoding', 'application/x-www-form-urlencoded', {}],
      ['a JSON-looking vendor type', 'application/vnd.api+json', {}],
      ['a charset other than UTF-8', 'application/json; charset=iso-8859-1', {}],
      ['a compressed body', 'application/json', { 'Content-Encoding': 'gzip' }],
    ] as const) {
      it(label, async () => {
        const res = await harness.api.request('POST', TEMPLATES, raw(body, contentType, extra));
        expect(res.status).to.equal(415);
        expect(res.body.error).to.include({ type: 'validation_error', code: 'unsupported_media_type' });
      });
    }

    it('accepts application/json with a utf-8 charset, in any case', async () => {
      const res = await harness.api.request('POST', TEMPLATES, raw(body, 'Application/JSON; Charset="UTF-8"'));
      expect(res.status).to.equal(422); // past the media type check, into validation
    });
  });

  describe('precedence between body checks', () => {
    it('415 before 400: a wrong media type with unparseable content', async () => {
      const res = await harness.api.request('POST', MESSAGES, raw(Buffer.from('{oops'), 'text/plain'));
      expect(res.status).to.equal(415);
    });
    it('415 before 413', async () => {
      const res = await harness.api.request('POST', MESSAGES, raw(jsonOfSize(LIMIT + 10), 'text/plain'));
      expect(res.status).to.equal(415);
    });
    it('413 before 400', async () => {
      const res = await harness.api.request('POST', MESSAGES, raw(Buffer.alloc(LIMIT + 10, 0x7b), 'application/json'));
      expect(res.status).to.equal(413);
    });
    it('400 before 422', async () => {
      const res = await harness.api.request('POST', MESSAGES, raw('{"to": "bad"', 'application/json'));
      expect(res.status).to.equal(400);
    });
  });
});
