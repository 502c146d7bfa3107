import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { checksumOf, generateApiKey, hashApiKey, parseApiKey } from '../../server/src/domain/api-keys/key-format.ts';
import { missingScope } from '../../server/src/domain/api-keys/scopes.ts';
import { planIncludesApiAccess } from '../../server/src/domain/plans.ts';
import { bearerKey } from '../../server/src/http/auth.ts';
import { spec } from '../support/harness.ts';

describe('API key format (openapi.yaml, "Key format")', () => {
  it('is the documented checksum: the first 10 hex digits of SHA-256 over mk_<env>_<secret>', () => {
    const head = 'mk_live_8aB3cDe4FgH5iJ6kLm7nOp';
    const expected = createHash('sha256').update(head).digest('hex').slice(0, 10);
    expect(checksumOf(head)).to.equal(expected);
    expect(parseApiKey(`${head}_${expected}`)).to.deep.equal({ environment: 'live', key: `${head}_${expected}` });
  });

  it('matches the pattern the contract documents', () => {
    const description = String((spec().document.info as { description: string }).description);
    const documented = /`(\^mk_\(live\|test\)_[^`]+\$)`/.exec(description)?.[1];
    expect(documented, 'the pattern in the Key format guide').to.be.a('string');
    for (const env of ['live', 'test'] as const) {
      const key = generateApiKey(env);
      expect(key.plaintext).to.match(new RegExp(documented!));
      expect(key.plaintext).to.have.length(41);
      expect(key.displayPrefix).to.equal(key.plaintext.slice(0, `mk_${env}_`.length + 6));
      expect(key.lastFour).to.equal(key.plaintext.slice(-4));
      expect(key.hash).to.equal(hashApiKey(key.plaintext)).and.not.include(key.plaintext.slice(8, 30));
      expect(parseApiKey(key.plaintext)?.environment).to.equal(env);
    }
  });

  it('refuses anything that is not a key', () => {
    for (const bad of ['', 'mk_live_', 'mk_live_8aB3cDe4FgH5iJ6kLm7nOp_A1B2C3D4E5', ' mk_live_8aB3cDe4FgH5iJ6kLm7nOp_a1b2c3d4e5']) {
      expect(parseApiKey(bad), bad).to.equal(null);
    }
  });

  it('spreads the secret over the whole base62 alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) for (const c of generateApiKey('test').plaintext.slice(8, 30)) seen.add(c);
    expect(seen.size).to.equal(62);
  });
});

describe('Authorization header parsing', () => {
  it('takes the token of a Bearer header, in any case of the scheme', () => {
    expect(bearerKey('Bearer abc')).to.equal('abc');
    expect(bearerKey('bearer abc')).to.equal('abc');
    expect(bearerKey('Basic abc')).to.equal(null);
    expect(bearerKey('Bearer a b')).to.equal(null);
    expect(bearerKey(undefined)).to.equal(null);
  });
});

describe('scopes and plans', () => {
  it('accepts any one of the acceptable scopes, and * for all', () => {
    expect(missingScope(['whatsapp:send'], ['whatsapp:read', 'whatsapp:send'])).to.equal(null);
    expect(missingScope(['*'], ['whatsapp:send'])).to.equal(null);
    expect(missingScope(['messenger:send'], ['whatsapp:read', 'whatsapp:send'])).to.equal('whatsapp:read');
    expect(missingScope([], [])).to.equal(null);
  });

  it('gives API access from Professional up', () => {
    expect(['free', 'starter', 'professional', 'business', 'enterprise', 'unknown'].map(planIncludesApiAccess)).to.deep.equal([
      false,
      false,
      true,
      true,
      true,
      false,
    ]);
  });
});
