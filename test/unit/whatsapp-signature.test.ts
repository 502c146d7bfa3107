import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { signWebhook, verifyWebhookSignature } from '../../server/src/whatsapp/signature.ts';
import { metaJson } from '../support/fake-meta/webhooks.ts';

const SECRET = 'app-secret-0f3c9a';
const payload = {
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '1',
      changes: [
        {
          field: 'messages',
          value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001', phone_number_id: '42' }, statuses: [] },
        },
      ],
    },
  ],
};

describe('Meta webhook signature (X-Hub-Signature-256)', () => {
  const raw = Buffer.from(metaJson({ ...payload, note: 'مرحبا https://a.example/x' }));

  it('signs as sha256=<lowercase hex HMAC-SHA256 of the raw bytes with the app secret>', () => {
    const expected = createHmac('sha256', SECRET).update(raw).digest('hex');
    expect(signWebhook(raw, SECRET)).to.equal(`sha256=${expected}`);
    expect(signWebhook(raw.toString('utf8'), SECRET)).to.equal(`sha256=${expected}`);
  });

  it('verifies its own signature, also with uppercase hex and surrounding spaces', () => {
    const header = signWebhook(raw, SECRET);
    expect(verifyWebhookSignature(raw, header, SECRET)).to.equal(true);
    expect(verifyWebhookSignature(raw, `sha256=${header.slice(7).toUpperCase()}`, SECRET)).to.equal(true);
    expect(verifyWebhookSignature(raw, ` ${header} `, SECRET)).to.equal(true);
  });

  it('rejects a body with one byte changed, anywhere', () => {
    const header = signWebhook(raw, SECRET);
    for (const position of [0, Math.floor(raw.length / 2), raw.length - 1]) {
      const changed = Buffer.from(raw);
      changed[position] = changed[position]! ^ 0x01;
      expect(verifyWebhookSignature(changed, header, SECRET), `byte ${position}`).to.equal(false);
    }
    expect(verifyWebhookSignature(Buffer.concat([raw, Buffer.from(' ')]), header, SECRET)).to.equal(false);
  });

  it('rejects the signature of another secret', () => {
    expect(verifyWebhookSignature(raw, signWebhook(raw, `${SECRET}x`), SECRET)).to.equal(false);
  });

  it('rejects missing, repeated and malformed headers', () => {
    const header = signWebhook(raw, SECRET);
    const hex = header.slice('sha256='.length);
    for (const bad of [
      undefined,
      null,
      '',
      'sha256=',
      hex,
      `sha1=${hex}`,
      `sha256=${hex.slice(0, 63)}`,
      `sha256=${hex}0`,
      `sha256=${hex.slice(0, 62)}zz`,
      `SHA256=${hex}`,
      `sha256=${hex},sha256=${hex}`,
    ]) {
      expect(verifyWebhookSignature(raw, bad, SECRET), String(bad)).to.equal(false);
    }
    expect(verifyWebhookSignature(raw, [header, header], SECRET)).to.equal(false);
  });

  it('needs the exact bytes: Meta escapes / and non-ASCII, so re-serialised JSON does not verify', () => {
    const header = signWebhook(raw, SECRET);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))));
    expect(reserialised.equals(raw)).to.equal(false);
    expect(verifyWebhookSignature(reserialised, header, SECRET)).to.equal(false);
  });

  it('refuses to sign or verify with an empty app secret (misconfiguration, not a pass)', () => {
    expect(() => signWebhook(raw, '')).to.throw(/secret/);
    expect(() => verifyWebhookSignature(raw, signWebhook(raw, SECRET), '')).to.throw(/secret/);
  });
});
