/**
 * The admin CLI, run for real (`node --import tsx server/src/cli/admin.ts …`, what
 * `npm run admin --` runs) against the run's test database, with the run's server answering the
 * keys it prints.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { hashApiKey, parseApiKey } from '../../server/src/domain/api-keys/key-format.ts';
import { SecretBox } from '../../server/src/domain/secrets.ts';
import { describeDatabaseError } from '../../server/src/cli/commands.ts';
import { harness } from '../support/harness.ts';
import { inBatches, runAdmin, type AdminRun } from '../support/processes.ts';

const TABLES = ['organizations', 'agents', 'whatsapp_connections', 'api_keys'] as const;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');

/** The CLI on the run's database. */
function admin(args: readonly string[], options: { env?: Record<string, string | undefined>; stdin?: string } = {}): Promise<AdminRun> {
  return runAdmin(args, { ...options, env: { DATABASE_URL: harness.database.connectionString, ...options.env } });
}

async function ok(args: readonly string[], options?: Parameters<typeof admin>[1]): Promise<AdminRun> {
  const run = await admin(args, options);
  expect(run.code, `admin ${args.join(' ')}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`).to.equal(0);
  expect(run.stderr, 'nothing on stderr when all goes well').to.equal('');
  return run;
}

async function counts(): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = await harness.db(table).count<{ count: string }[]>('* as count');
    result[table] = Number(row!.count);
  }
  return result;
}

/** A number no other test uses. */
function freshNumber(): string {
  return `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

const MESSAGE_PATH = `/v1/whatsapp/messages/${randomUUID()}`;

describe('admin CLI (integration, real process)', function () {
  this.timeout(120_000);
  this.slow(5_000);

  let orgId: string;
  let agentId: string;
  let otherOrgAgentId: string;
  let activeNumber: string;

  before(async () => {
    const org = (await ok(['org', 'create', '--name', 'CLI test org', '--json'])).json();
    orgId = org.id;
    expect(org).to.include({ name: 'CLI test org', plan: 'professional', monthly_message_quota: 10_000 });
    const agent = (await ok(['agent', 'create', '--org', orgId, '--name', 'CLI agent', '--json'])).json();
    agentId = agent.id;
    expect(agent).to.include({ organization_id: orgId, name: 'CLI agent' });
    const other = (await ok(['org', 'create', '--name', 'Other org', '--plan', 'business', '--quota', '5', '--json'])).json();
    otherOrgAgentId = (await ok(['agent', 'create', '--org', other.id, '--name', 'Elsewhere', '--json'])).json().id;
    activeNumber = freshNumber();
    const connection = (await ok(['connection', 'create', '--agent', agentId, '--phone', activeNumber, '--json'])).json();
    expect(connection).to.include({
      agent_id: agentId,
      organization_id: orgId,
      phone_number: activeNumber,
      delivery: 'sandbox',
      active: true,
      messages_per_second: 80,
    });
    expect(connection.phone_number_id).to.equal(null);
  });

  describe('creating', () => {
    it('org, agent and connection rows exist as the CLI reported them', async () => {
      expect(await harness.db('organizations').where({ id: orgId }).first()).to.include({
        plan: 'professional',
        monthly_message_quota: 10_000,
      });
      expect(await harness.db('agents').where({ id: agentId }).first()).to.include({ organization_id: orgId });
      const list = (await ok(['connection', 'list', '--agent', agentId, '--json'])).json();
      expect(list.map((c: { phone_number: string }) => c.phone_number)).to.deep.equal([activeNumber]);
      const human = (await ok(['connection', 'list', '--org', orgId])).stdout;
      expect(human).to.match(new RegExp(`\\${activeNumber}\\s+${agentId}\\s+sandbox\\s+yes\\s+80`));
    });

    it('org list and agent list show them; org set-plan changes the plan', async () => {
      expect((await ok(['org', 'list', '--json'])).json().map((o: { id: string }) => o.id)).to.include(orgId);
      expect((await ok(['agent', 'list', '--org', orgId, '--json'])).json()).to.have.length(1);
      const target = (await ok(['org', 'create', '--name', 'Plan change', '--json'])).json();
      const changed = (await ok(['org', 'set-plan', target.id, '--plan', 'starter', '--json'])).json();
      expect(changed).to.include({ plan: 'starter', previous_plan: 'professional' });
      const human = (await ok(['org', 'set-plan', target.id, '--plan', 'enterprise'])).stdout;
      expect(human).to.include('plan starter → enterprise');
    });

    it('key create prints the key once; it authenticates against the running server', async () => {
      const run = await ok(['key', 'create', '--org', orgId, '--name', 'crm', '--test', '--scopes', 'whatsapp:send,whatsapp:read']);
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
      expect(row).to.include({ organization_id: orgId, name: 'crm', environment: 'test', rate_limit_per_minute: null, agent_ids: null });
      expect(row.scopes).to.deep.equal(['whatsapp:send', 'whatsapp:read']);

      const res = await harness.server.api.withKey(key).get(MESSAGE_PATH);
      expect(res.status, res.text).not.to.be.oneOf([401, 403]);
    });

    it('key create defaults: live, whatsapp:send, all agents, default rate limit, no expiry', async () => {
      const created = (await ok(['key', 'create', '--org', orgId, '--name', 'defaults', '--json'])).json();
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
          orgId,
          '--name',
          'scoped',
          '--agents',
          agentId,
          '--expires',
          expires,
          '--rate-limit',
          '120',
          '--json',
        ])
      ).json();
      expect(created.api_key).to.include({ rate_limit_per_minute: 120, expires_at: expires.replace(/\.\d{3}Z$/, 'Z') });
      expect(created.api_key.agent_ids).to.deep.equal([agentId]);
      const res = await harness.server.api.withKey(created.key).get(MESSAGE_PATH);
      expect(res.status).not.to.be.oneOf([401, 403]);
      expect(res.headers.get('x-ratelimit-limit')).to.equal('120');
    });
  });

  describe('listing keys', () => {
    it('shows prefix … last four, scopes, agents, environment, expiry and status; never the key or its hash', async () => {
      const created = (await ok(['key', 'create', '--org', orgId, '--name', 'listed', '--test', '--json'])).json();
      const key: string = created.key;
      const hint = `${key.slice(0, 'mk_test_'.length + 6)}…${key.slice(-4)}`;
      const human = (await ok(['key', 'list', '--org', orgId])).stdout;
      const json = (await ok(['key', 'list', '--org', orgId, '--json'])).stdout;
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
      const created = (await ok(['key', 'create', '--org', orgId, '--name', 'to revoke', '--json'])).json();
      const client = harness.server.api.withKey(created.key);
      expect((await client.get(MESSAGE_PATH)).status).not.to.be.oneOf([401, 403]);
      const revoked = (await ok(['key', 'revoke', created.api_key.id, '--reason', 'leaked in a log', '--json'])).json();
      expect(revoked).to.include({ status: 'revoked', revoked_reason: 'leaked in a log' });
      const res = await client.get(MESSAGE_PATH);
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('revoked_api_key');
      const list = (await ok(['key', 'list', '--org', orgId])).stdout;
      expect(list).to.match(/revoked \S+Z \(leaked in a log\)/);
    });

    it('key rotate: a new key printed once works, the old one is revoked, in one step', async () => {
      const created = (
        await ok(['key', 'create', '--org', orgId, '--name', 'to rotate', '--agents', agentId, '--rate-limit', '90', '--json'])
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
      expect(newRow.agent_ids).to.deep.equal([agentId]);
    });

    it('key rotate --json', async () => {
      const created = (await ok(['key', 'create', '--org', orgId, '--name', 'json rotate', '--test', '--json'])).json();
      const rotated = (await ok(['key', 'rotate', created.api_key.id, '--json'])).json();
      expect(rotated).to.include({ revoked_key_id: created.api_key.id });
      expect(rotated.key).to.match(/^mk_test_/);
      expect(rotated.api_key).to.include({ name: 'json rotate', status: 'active' });
    });
  });

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
          agentId,
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
      const list = await ok(['connection', 'list', '--agent', agentId], { env: { ENCRYPTION_KEY } });
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
          agentId,
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
      const first = (await ok(['connection', 'create', '--agent', agentId, '--phone', number, '--json'])).json();
      const second = (await ok(['connection', 'create', '--agent', otherOrgAgentId, '--phone', number, '--inactive', '--json'])).json();
      expect(second.active).to.equal(false);
      const refused = await admin(['connection', 'activate', second.id]);
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.match(/^error: .*already active on connection/);
      expect((await ok(['connection', 'deactivate', first.id, '--json'])).json().active).to.equal(false);
      expect((await ok(['connection', 'activate', second.id])).stdout).to.include('is now active');
      expect((await ok(['connection', 'activate', second.id])).stdout).to.include('already active');
    });
  });

  describe('bad input: exit 2, one clear line on stderr, nothing written', () => {
    const uuid = () => randomUUID();
    // [args, what stderr must say, extra env]
    const cases: Array<[string, () => string[], RegExp, Record<string, string>?]> = [
      ['no command', () => [], /no command given/],
      ['unknown resource', () => ['invoice', 'list'], /unknown resource 'invoice'/],
      ['unknown command', () => ['org', 'delete'], /unknown command 'delete'/],
      ['unknown flag', () => ['org', 'list', '--all'], /unknown option '--all'/],
      ['flag without its value', () => ['org', 'create', '--name'], /--name needs a value/],
      ['boolean flag with a value', () => ['key', 'create', '--org', orgId, '--name', 'k', '--test=yes'], /--test takes no value/],
      ['flag given twice', () => ['org', 'create', '--name', 'a', '--name', 'b'], /--name is given more than once/],
      ['missing required flag', () => ['org', 'create'], /--name is required/],
      ['empty name', () => ['org', 'create', '--name', '  '], /--name must not be empty/],
      ['name too long', () => ['agent', 'create', '--org', orgId, '--name', 'x'.repeat(201)], /at most 200 characters/],
      [
        'unknown plan',
        () => ['org', 'create', '--name', 'X', '--plan', 'gold'],
        /unknown plan 'gold' \(plans: free, starter, professional, business, enterprise\)/,
      ],
      ['bad quota', () => ['org', 'create', '--name', 'X', '--quota', '1.5'], /--quota must be a whole number/],
      ['set-plan without the id', () => ['org', 'set-plan', '--plan', 'free'], /missing <org-id>/],
      ['set-plan of an unknown organization', () => ['org', 'set-plan', uuid(), '--plan', 'free'], /no organization/],
      ['extra argument', () => ['org', 'list', 'extra'], /unexpected argument 'extra'/],
      ['bad UUID', () => ['agent', 'create', '--org', 'acme', '--name', 'A'], /--org must be a UUID/],
      ['organization not found', () => ['agent', 'create', '--org', uuid(), '--name', 'A'], /no organization [0-9a-f-]{36}/],
      ['agent list of an unknown organization', () => ['agent', 'list', '--org', uuid()], /no organization/],
      ['bad E.164', () => ['connection', 'create', '--agent', agentId, '--phone', '5551234567'], /--phone must be an E.164 number/],
      ['E.164 with a leading 0', () => ['connection', 'create', '--agent', agentId, '--phone', '+0551234567'], /E.164/],
      ['agent not found', () => ['connection', 'create', '--agent', uuid(), '--phone', freshNumber()], /no agent/],
      [
        'duplicate active number',
        () => ['connection', 'create', '--agent', otherOrgAgentId, '--phone', activeNumber],
        /already active on connection .*--inactive/,
      ],
      [
        'token without phone-number id',
        () => ['connection', 'create', '--agent', agentId, '--phone', freshNumber(), '--access-token-env', 'META_TOKEN'],
        /needs --phone-number-id/,
        { META_TOKEN: 'EAAGabc', ENCRYPTION_KEY },
      ],
      [
        'phone-number id without token',
        () => ['connection', 'create', '--agent', agentId, '--phone', freshNumber(), '--phone-number-id', '123456'],
        /needs an access token/,
      ],
      [
        'token variable not set',
        () => [
          'connection',
          'create',
          '--agent',
          agentId,
          '--phone',
          freshNumber(),
          '--phone-number-id',
          '123456',
          '--access-token-env',
          'NOT_SET_ANYWHERE',
        ],
        /NOT_SET_ANYWHERE is not set/,
        { ENCRYPTION_KEY },
      ],
      [
        'empty token on stdin',
        () => ['connection', 'create', '--agent', agentId, '--phone', freshNumber(), '--phone-number-id', '123456', '--access-token-stdin'],
        /access token from standard input is empty/,
        { ENCRYPTION_KEY },
      ],
      [
        'token both ways',
        () => [
          'connection',
          'create',
          '--agent',
          agentId,
          '--phone',
          freshNumber(),
          '--phone-number-id',
          '1',
          '--access-token-env',
          'T',
          '--access-token-stdin',
        ],
        /not both/,
      ],
      [
        'token without ENCRYPTION_KEY under DATABASE_URL',
        () => [
          'connection',
          'create',
          '--agent',
          agentId,
          '--phone',
          freshNumber(),
          '--phone-number-id',
          '987654',
          '--access-token-env',
          'META_TOKEN',
        ],
        /set ENCRYPTION_KEY/,
        { META_TOKEN: 'EAAGabc' },
      ],
      [
        'invalid ENCRYPTION_KEY',
        () => ['org', 'list'],
        /configuration: ENCRYPTION_KEY must be the base64 encoding of exactly 32 bytes/,
        { ENCRYPTION_KEY: 'c2hvcnQ=' },
      ],
      [
        'WABA id without credentials',
        () => ['connection', 'create', '--agent', agentId, '--phone', freshNumber(), '--waba-id', '42'],
        /--waba-id goes with Meta credentials/,
      ],
      [
        'mps out of range',
        () => ['connection', 'create', '--agent', agentId, '--phone', freshNumber(), '--mps', '0'],
        /--mps must be a whole number from 1 to 10000/,
      ],
      ['list by agent and org', () => ['connection', 'list', '--agent', agentId, '--org', orgId], /--agent or --org, not both/],
      ['activate an unknown connection', () => ['connection', 'activate', uuid()], /no connection/],
      [
        'unknown scope',
        () => ['key', 'create', '--org', orgId, '--name', 'k', '--scopes', 'whatsapp:send,whatsapp:write'],
        /unknown scope 'whatsapp:write'/,
      ],
      ['empty scope entry', () => ['key', 'create', '--org', orgId, '--name', 'k', '--scopes', 'whatsapp:send,'], /without empty entries/],
      [
        'expiry in the past',
        () => ['key', 'create', '--org', orgId, '--name', 'k', '--expires', '2020-01-01'],
        /--expires must be in the future/,
      ],
      [
        'expiry not ISO 8601',
        () => ['key', 'create', '--org', orgId, '--name', 'k', '--expires', 'tomorrow'],
        /--expires must be an ISO 8601 date/,
      ],
      ['expiry without a time zone', () => ['key', 'create', '--org', orgId, '--name', 'k', '--expires', '2099-01-01T10:00'], /ISO 8601/],
      [
        'expiry on a day that does not exist',
        () => ['key', 'create', '--org', orgId, '--name', 'k', '--expires', '2099-02-30'],
        /real calendar date/,
      ],
      [
        'agent of another organization',
        () => ['key', 'create', '--org', orgId, '--name', 'k', '--agents', otherOrgAgentId],
        /not agents of organization/,
      ],
      [
        'rate limit 0',
        () => ['key', 'create', '--org', orgId, '--name', 'k', '--rate-limit', '0'],
        /--rate-limit must be a whole number from 1 to 1000000/,
      ],
      ['key for an unknown organization', () => ['key', 'create', '--org', uuid(), '--name', 'k'], /no organization/],
      ['key name too long', () => ['key', 'create', '--org', orgId, '--name', 'k'.repeat(101)], /at most 100 characters/],
      ['key list without --org', () => ['key', 'list'], /--org is required/],
      ['revoke an unknown key', () => ['key', 'revoke', uuid()], /no API key/],
      ['rotate an unknown key', () => ['key', 'rotate', uuid()], /no API key/],
      ['revoke with a bad id', () => ['key', 'revoke', '42'], /<key-id> must be a UUID/],
    ];

    it(`${cases.length} kinds of bad input`, async function () {
      this.timeout(300_000); // one process each, three at a time
      this.slow(60_000);
      const before = await counts();
      const runs = await inBatches(cases, 3, async ([label, args, _pattern, env]) => ({
        label,
        run: await admin(args(), { env: { META_TOKEN: undefined, ...env } }),
      }));
      const failures: string[] = [];
      runs.forEach(({ label, run }, i) => {
        const pattern = cases[i]![2];
        const lines = run.stderr.split('\n').filter((l) => l !== '');
        if (run.code !== 2) failures.push(`${label}: exit ${run.code} (stderr: ${run.stderr.trim()})`);
        else if (lines.length !== 1 || !lines[0]!.startsWith('error: '))
          failures.push(`${label}: expected one 'error: …' line, got ${JSON.stringify(run.stderr)}`);
        else if (!pattern.test(lines[0]!)) failures.push(`${label}: '${lines[0]}' does not match ${pattern}`);
        else if (run.stdout !== '') failures.push(`${label}: wrote to stdout: ${run.stdout}`);
        else if (/\n\s+at /.test(run.stderr)) failures.push(`${label}: a stack trace`);
      });
      expect(failures, failures.join('\n')).to.deep.equal([]);
      expect(await counts()).to.deep.equal(before);
    });

    it('revoking a revoked key and rotating it are refused and change nothing', async () => {
      const created = (await ok(['key', 'create', '--org', orgId, '--name', 'twice', '--json'])).json();
      await ok(['key', 'revoke', created.api_key.id, '--reason', 'first']);
      const rowBefore = await harness.db('api_keys').where({ id: created.api_key.id }).first();
      const before = await counts();
      const again = await admin(['key', 'revoke', created.api_key.id, '--reason', 'second']);
      expect(again.code).to.equal(2);
      expect(again.stderr).to.match(/^error: the API key .* was already revoked on \S+Z\n$/);
      const rotate = await admin(['key', 'rotate', created.api_key.id]);
      expect(rotate.code).to.equal(2);
      expect(rotate.stderr).to.match(/^error: the API key .* was revoked on .*create a new key instead/);
      expect(await harness.db('api_keys').where({ id: created.api_key.id }).first()).to.deep.equal(rowBefore);
      expect(await counts()).to.deep.equal(before);
    });

    it('help: overall, per resource and per command, on stdout with exit 0', async () => {
      const overall = await ok(['--help']);
      for (const line of [
        'org create --name <name> [--plan <plan>] [--quota <n>]',
        'key rotate <key-id>',
        'connection deactivate <connection-id>',
      ]) {
        expect(overall.stdout).to.include(line);
      }
      expect((await ok(['key', '--help'])).stdout).to.include('npm run admin -- key revoke <key-id> [--reason <text>]');
      const command = await ok(['connection', 'create', '--help']);
      expect(command.stdout).to.include('--access-token-stdin').and.include('never taken as a flag value');
    });

    it('an unreachable database: exit 1 with one line, no stack trace', async () => {
      const run = await runAdmin(['org', 'list'], { env: { DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:9/none' } });
      expect(run.code).to.equal(1);
      expect(run.stderr.trim().split('\n')).to.have.length(1);
      expect(run.stderr).to.match(/^error: cannot reach DATABASE_URL \(postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:9\/none\)/);
      expect(run.stderr).not.to.include('nothing');
    });
  });

  describe('database constraint violations become clear messages', () => {
    it('a duplicate active number, a bad rate limit', async () => {
      const duplicate = await harness
        .db('whatsapp_connections')
        .insert({ organization_id: orgId, agent_id: agentId, phone_number: activeNumber, active: true })
        .catch((e: unknown) => e);
      expect(describeDatabaseError(duplicate)).to.equal(
        'refused by the database: this number is already active on another connection; deactivate that one first',
      );
      const check = await harness
        .db('api_keys')
        .insert({
          organization_id: orgId,
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
