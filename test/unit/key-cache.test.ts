import { expect } from 'chai';
import { KeyCache, type KeyRecordForAuth } from '../../server/src/domain/api-keys/key-cache.ts';

const key = (keyId: string, organizationId = 'org-1'): KeyRecordForAuth => ({
  keyId,
  organizationId,
  environment: 'test',
  scopes: ['whatsapp:read'],
  agentIds: null,
  plan: 'professional',
  revokedAt: null,
  expiresAt: null,
  rateLimit: 60,
});

describe('key cache', () => {
  it('keeps nothing and serves nothing until notifications are listened to, and starts over when they stop', () => {
    const cache = new KeyCache({ maxAgeMs: 60_000 });
    cache.keep('h1', key('k1'), cache.begin());
    expect(cache.get('h1')).to.equal(undefined);
    cache.setTrusted(true);
    cache.keep('h1', key('k1'), cache.begin());
    expect(cache.get('h1')?.keyId).to.equal('k1');
    cache.setTrusted(false);
    expect(cache.get('h1')).to.equal(undefined);
    cache.setTrusted(true);
    expect(cache.get('h1')).to.equal(undefined);
  });

  it('drops the key a notification names, or every key of the organization', () => {
    const cache = new KeyCache({ maxAgeMs: 60_000, trustedWithoutListener: true });
    cache.keep('h1', key('k1', 'org-1'), cache.begin());
    cache.keep('h2', key('k2', 'org-1'), cache.begin());
    cache.keep('h3', key('k3', 'org-2'), cache.begin());
    cache.invalidate('key:k1');
    expect([cache.get('h1'), cache.get('h2')?.keyId, cache.get('h3')?.keyId]).to.deep.equal([undefined, 'k2', 'k3']);
    cache.invalidate('organization:org-1');
    expect([cache.get('h2'), cache.get('h3')?.keyId]).to.deep.equal([undefined, 'k3']);
    cache.invalidate('something else');
    expect(cache.size).to.equal(0);
  });

  it('does not keep what a lookup read while a change was notified', () => {
    const cache = new KeyCache({ maxAgeMs: 60_000, trustedWithoutListener: true });
    const generation = cache.begin();
    cache.invalidate('key:k9');
    cache.keep('h1', key('k1'), generation);
    expect(cache.get('h1')).to.equal(undefined);
  });

  it('serves an entry no longer than its maximum age, counted from when its lookup began', () => {
    const cache = new KeyCache({ maxAgeMs: 1_000, trustedWithoutListener: true });
    cache.keep('old', key('k1'), cache.begin(), Date.now() - 1_001);
    cache.keep('new', key('k2'), cache.begin(), Date.now());
    expect(cache.get('old')).to.equal(undefined);
    expect(cache.get('new')?.keyId).to.equal('k2');
    const off = new KeyCache({ maxAgeMs: 0, trustedWithoutListener: true });
    off.keep('h', key('k'), off.begin());
    expect(off.get('h')).to.equal(undefined);
  });
});
