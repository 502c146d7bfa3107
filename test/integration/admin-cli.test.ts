/**
 * The admin CLI, run for real (`npm run admin --`) against the run's test database, with the
 * run's server answering the keys it prints: organizations, agents and API keys (creating,
 * listing, revoking, rotating). Numbers: admin-cli-connections.test.ts; refusals of bad input:
 * admin-cli-bad-input.test.ts.
 */
import { expect } from 'chai';
import { hashApiKey, parseApiKey } from '../../server/src/domain/api-keys/key-format.ts';
import { cliOrganization, MESSAGE_PATH, ok } from './admin-cli-support.ts';
import { harness } from '../support/harness.ts';

describe('admin CLI (integration, real process)', function () {
  this.timeout(120_000);
  this.slow(5_000);

  const cli = cliOrganization();

  describe('creating', () => {
    it('org, agent and connection rows exist as the CLI reported them', async () => {
      expect(await harness.db('organizations').where({ id: cli.orgId }).first()).to.include({
        plan: 'professional',
        monthly_message_quota: 10_000,
      });
      expect(await harness.db('agents').where({ id: cli.agentId }).first()).to.include({ organization_id: cli.orgId });
      const list = (await ok(['connection', 'list', '--agent', cli.agentId, '--json'])).json();
      expect(list.map((c: { phone_number: string }) => c.phone_number)).to.deep.equal([cli.activeNumber]);
      const human = (await ok(['connection', 'list', '--org', cli.orgId])).stdout;
      expect(human).to.match(new RegExp(`\\${cli.activeNumber}\\s+${cli.agentId}\\s+sandbox\\s+yes\\s+80`));
    });

    it('org list and agent list show them; org set-plan changes the plan', async () => {
      expect((await ok(['org', 'list', '--json'])).json().map((o: { id: string }) => o.id)).to.include(cli.orgId);
      expect((await ok(['agent', 'list', '--org', cli.orgId, '--json'])).json()).to.have.length(1);
      const target = (await ok(['org', 'create', '--name', 'Plan change', '--json'])).json();
      const changed = (await ok(['org', 'set-plan', target.id, '--plan', 'starter', '--json'])).json();
      expect(changed).to.include({ plan: 'starter', previous_plan: 'professional' });
      const human = (await ok(['org', 'set-plan', target.id, '--plan', 'enterprise'])).stdout;
      expect(human).to.include('plan starter → enterprise');
    });

    it('key create prints the key once; it authenticates against the running server', async () => {
      const run = await ok(['key', 'create', '--org', cli.orgId, '--name', 'crm', '--test', '--scopes', 'whatsapp:send,whatsapp:read']);
      const keys = run.stdout.match(/mk_(?:live|test)_[0-9A-Za-z]{22}_[0-9a-f]{10}/g) ?? [];
      expect(keys, run.stdout).to.have.length(1);
      const key = keys[0]!;
      expect(parseApiKey(key)?.environment).to.equal('test');
      expect(run.stdout).to.include('Store it now: it cannot be shown again');
      // Only the hash is stored.
      const row = await harness
        .db('api_keys')
        .where({ key_hash: hashApiKey(key) })
        .first();
      expect(row).to.include({
        organization_id: cli.orgId,
        name: 'crm',
        environment: 'test',
        rate_limit_per_minute: null,
        agent_ids: null,
      });
      expect(row.scopes).to.deep.equal(['whatsapp:send', 'whatsapp:read']);

      const res = await harness.server.api.withKey(key).get(MESSAGE_PATH);
      expect(res.status, res.text).not.to.be.oneOf([401, 403]);
    });

    it('key create defaults: live, whatsapp:send, all agents, default rate limit, no expiry', async () => {
      const created = (await ok(['key', 'create', '--org', cli.orgId, '--name', 'defaults', '--json'])).json();
      expect(created.key).to.match(/^mk_live_/);
      expect(created.notice).to.include('cannot be shown again');
      expect(created.api_key).to.include({
        environment: 'live',
        agent_ids: null,
        rate_limit_per_minute: null,
        expires_at: null,
        status: 'active',
      });
      expect(created.api_key.scopes).to.deep.equal(['whatsapp:send']);
      expect(created.api_key).not.to.have.property('key_hash');
    });

    it('key create with an agent allow-list, an expiry and a rate limit', async () => {
      const expires = new Date(Date.now() + 30 * 86_400_000).toISOString();
      const created = (
        await ok([
          'key',
          'create',
          '--org',
          cli.orgId,
          '--name',
          'scoped',
          '--agents',
          cli.agentId,
          '--expires',
          expires,
          '--rate-limit',
          '120',
          '--json',
        ])
      ).json();
      expect(created.api_key).to.include({ rate_limit_per_minute: 120, expires_at: expires.replace(/\.\d{3}Z$/, 'Z') });
      expect(created.api_key.agent_ids).to.deep.equal([cli.agentId]);
      const res = await harness.server.api.withKey(created.key).get(MESSAGE_PATH);
      expect(res.status).not.to.be.oneOf([401, 403]);
      expect(res.headers.get('x-ratelimit-limit')).to.equal('120');
    });
  });

  describe('listing keys', () => {
    it('shows prefix … last four, scopes, agents, environment, expiry and status; never the key or its hash', async () => {
      const created = (await ok(['key', 'create', '--org', cli.orgId, '--name', 'listed', '--test', '--json'])).json();
      const key: string = created.key;
      const hint = `${key.slice(0, 'mk_test_'.length + 6)}…${key.slice(-4)}`;
      const human = (await ok(['key', 'list', '--org', cli.orgId])).stdout;
      const json = (await ok(['key', 'list', '--org', cli.orgId, '--json'])).stdout;
      for (const output of [human, json]) {
        expect(output).to.include(hint);
        expect(output).not.to.include(key);
        expect(output).not.to.include(key.slice('mk_test_'.length, 'mk_test_'.length + 22)); // the secret part
        expect(output).not.to.include(hashApiKey(key));
        expect(output).not.to.match(/[0-9a-f]{64}/); // no hash of any key
      }
      const entry = JSON.parse(json).find((k: { id: string }) => k.id === created.api_key.id);
      expect(entry).to.include({ key_hint: hint, environment: 'test', status: 'active', agent_ids: null, last_used_at: null });
      expect(human).to.match(/ID\s+NAME\s+KEY\s+ENV\s+SCOPES\s+AGENTS\s+RATE\/MIN\s+EXPIRES\s+STATUS\s+LAST USED\s+CREATED/);
    });
  });

  describe('revoking and rotating', () => {
    it('key revoke: the very next request gets 401 revoked_api_key', async () => {
      const created = (await ok(['key', 'create', '--org', cli.orgId, '--name', 'to revoke', '--json'])).json();
      const client = harness.server.api.withKey(created.key);
      expect((await client.get(MESSAGE_PATH)).status).not.to.be.oneOf([401, 403]);
      const revoked = (await ok(['key', 'revoke', created.api_key.id, '--reason', 'leaked in a log', '--json'])).json();
      expect(revoked).to.include({ status: 'revoked', revoked_reason: 'leaked in a log' });
      const res = await client.get(MESSAGE_PATH);
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('revoked_api_key');
      const list = (await ok(['key', 'list', '--org', cli.orgId])).stdout;
      expect(list).to.match(/revoked \S+Z \(leaked in a log\)/);
    });

    it('key rotate: a new key printed once works, the old one is revoked, in one step', async () => {
      const created = (
        await ok(['key', 'create', '--org', cli.orgId, '--name', 'to rotate', '--agents', cli.agentId, '--rate-limit', '90', '--json'])
      ).json();
      const rotated = await ok(['key', 'rotate', created.api_key.id]);
      const keys = rotated.stdout.match(/mk_(?:live|test)_[0-9A-Za-z]{22}_[0-9a-f]{10}/g) ?? [];
      expect(keys).to.have.length(1);
      expect(keys[0]).not.to.equal(created.key);
      expect(rotated.stdout).to.include('Store it now: it cannot be shown again');

      const old = await harness.server.api.withKey(created.key).get(MESSAGE_PATH);
      expect(old.status).to.equal(401);
      expect(old.body.error.code).to.equal('revoked_api_key');
      const fresh = await harness.server.api.withKey(keys[0]!).get(MESSAGE_PATH);
      expect(fresh.status).not.to.be.oneOf([401, 403]);
      expect(fresh.headers.get('x-ratelimit-limit')).to.equal('90');

      const oldRow = await harness.db('api_keys').where({ id: created.api_key.id }).first();
      const newRow = await harness
        .db('api_keys')
        .where({ key_hash: hashApiKey(keys[0]!) })
        .first();
      expect(oldRow).to.include({ revoked_reason: 'rotated', replaced_by_key_id: newRow.id });
      expect(newRow).to.include({ name: 'to rotate', rate_limit_per_minute: 90 });
      expect(newRow.agent_ids).to.deep.equal([cli.agentId]);
    });

    it('key rotate --json', async () => {
      const created = (await ok(['key', 'create', '--org', cli.orgId, '--name', 'json rotate', '--test', '--json'])).json();
      const rotated = (await ok(['key', 'rotate', created.api_key.id, '--json'])).json();
      expect(rotated).to.include({ revoked_key_id: created.api_key.id });
      expect(rotated.key).to.match(/^mk_test_/);
      expect(rotated.api_key).to.include({ name: 'json rotate', status: 'active' });
    });
  });
});
