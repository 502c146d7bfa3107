/**
 * The admin CLI's numbers (`npm run admin -- connection …`), run for real against the run's test
 * database: Meta credentials stored encrypted and never printed, activation, and the database's
 * refusals told in words.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { describeDatabaseError } from '../../server/src/cli/commands.ts';
import { SecretBox } from '../../server/src/domain/secrets.ts';
import { admin, cliOrganization, ENCRYPTION_KEY, freshNumber, ok } from './admin-cli-support.ts';
import { harness } from '../support/harness.ts';

describe('admin CLI (integration, real process)', function () {
  this.timeout(120_000);
  this.slow(5_000);

  const cli = cliOrganization();

  describe('connections', () => {
    const TOKEN = `EAAG${randomBytes(90).toString('base64url')}`;

    async function expectEncrypted(connectionId: string, token: string): Promise<void> {
      const row = await harness.db('whatsapp_connections').where({ id: connectionId }).first();
      const stored: string = row.access_token_encrypted;
      expect(stored).to.be.a('string').and.match(/^v1:/);
      expect(stored).not.to.include(token);
      expect(stored).not.to.include(Buffer.from(token).toString('base64'));
      expect(stored).not.to.include(Buffer.from(token).toString('base64url'));
      expect(stored).not.to.include(Buffer.from(token).toString('hex'));
      expect(SecretBox.fromBase64(ENCRYPTION_KEY).decrypt(stored)).to.equal(token);
    }

    it('with an access token from an environment variable: stored encrypted, never printed', async () => {
      const phoneNumberId = String(100_000_000_000 + Math.floor(Math.random() * 1e9));
      const run = await ok(
        [
          'connection',
          'create',
          '--agent',
          cli.agentId,
          '--phone',
          freshNumber(),
          '--phone-number-id',
          phoneNumberId,
          '--access-token-env',
          'META_TOKEN',
          '--waba-id',
          '1029384756',
          '--mps',
          '20',
          '--json',
        ],
        { env: { META_TOKEN: TOKEN, ENCRYPTION_KEY } },
      );
      const connection = run.json();
      expect(connection).to.include({ delivery: 'meta', phone_number_id: phoneNumberId, waba_id: '1029384756', messages_per_second: 20 });
      expect(run.stdout).not.to.include(TOKEN);
      await expectEncrypted(connection.id, TOKEN);
      const list = await ok(['connection', 'list', '--agent', cli.agentId], { env: { ENCRYPTION_KEY } });
      expect(list.stdout).to.include(`meta (${phoneNumberId})`).and.include('sandbox');
      expect(list.stdout).not.to.include(TOKEN);
      expect((await ok(['connection', 'list', '--json'])).stdout).not.to.include('EAAG');
    });

    it('with an access token on stdin', async () => {
      const token = `EAAG${randomBytes(60).toString('base64url')}`;
      const phoneNumberId = String(200_000_000_000 + Math.floor(Math.random() * 1e9));
      const run = await ok(
        [
          'connection',
          'create',
          '--agent',
          cli.agentId,
          '--phone',
          freshNumber(),
          '--phone-number-id',
          phoneNumberId,
          '--access-token-stdin',
          '--json',
        ],
        { env: { ENCRYPTION_KEY }, stdin: `${token}\n` },
      );
      await expectEncrypted(run.json().id, token);
    });

    it('deactivate and activate; a number active elsewhere cannot be activated again', async () => {
      const number = freshNumber();
      const first = (await ok(['connection', 'create', '--agent', cli.agentId, '--phone', number, '--json'])).json();
      const second = (await ok(['connection', 'create', '--agent', cli.otherOrgAgentId, '--phone', number, '--inactive', '--json'])).json();
      expect(second.active).to.equal(false);
      const refused = await admin(['connection', 'activate', second.id]);
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.match(/^error: .*already active on connection/);
      expect((await ok(['connection', 'deactivate', first.id, '--json'])).json().active).to.equal(false);
      expect((await ok(['connection', 'activate', second.id])).stdout).to.include('is now active');
      expect((await ok(['connection', 'activate', second.id])).stdout).to.include('already active');
    });
  });

  describe('database constraint violations become clear messages', () => {
    it('a duplicate active number, a bad rate limit', async () => {
      const duplicate = await harness
        .db('whatsapp_connections')
        .insert({ organization_id: cli.orgId, agent_id: cli.agentId, phone_number: cli.activeNumber, active: true })
        .catch((e: unknown) => e);
      expect(describeDatabaseError(duplicate)).to.equal(
        'refused by the database: this number is already active on another connection; deactivate that one first',
      );
      const check = await harness
        .db('api_keys')
        .insert({
          organization_id: cli.orgId,
          name: 'x',
          environment: 'live',
          key_hash: randomUUID(),
          display_prefix: 'p',
          last_four: 'abcd',
          scopes: ['whatsapp:send'],
          rate_limit_per_minute: 0,
        } as never)
        .catch((e: unknown) => e);
      expect(describeDatabaseError(check)).to.equal('refused by the database: the rate limit must be from 1 to 1000000');
      expect(describeDatabaseError(new Error('other'))).to.equal(null);
    });
  });
});
