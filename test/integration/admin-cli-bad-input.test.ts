/**
 * The admin CLI refusing bad input, run for real against the run's test database: exit 2, one
 * clear line on stderr, nothing on stdout and nothing written; help on stdout; an unreachable
 * database in one line.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { admin, cliOrganization, counts, ENCRYPTION_KEY, freshNumber, ok } from './admin-cli-support.ts';
import { harness } from '../support/harness.ts';
import { inBatches, runAdmin } from '../support/processes.ts';

describe('admin CLI (integration, real process)', function () {
  this.timeout(120_000);
  this.slow(5_000);

  const cli = cliOrganization();

  describe('bad input: exit 2, one clear line on stderr, nothing written', () => {
    const uuid = () => randomUUID();
    // [args, what stderr must say, extra env]
    const cases: Array<[string, () => string[], RegExp, Record<string, string>?]> = [
      ['no command', () => [], /no command given/],
      ['unknown resource', () => ['invoice', 'list'], /unknown resource 'invoice'/],
      ['unknown command', () => ['org', 'delete'], /unknown command 'delete'/],
      ['unknown flag', () => ['org', 'list', '--all'], /unknown option '--all'/],
      ['flag without its value', () => ['org', 'create', '--name'], /--name needs a value/],
      ['boolean flag with a value', () => ['key', 'create', '--org', cli.orgId, '--name', 'k', '--test=yes'], /--test takes no value/],
      ['flag given twice', () => ['org', 'create', '--name', 'a', '--name', 'b'], /--name is given more than once/],
      ['missing required flag', () => ['org', 'create'], /--name is required/],
      ['empty name', () => ['org', 'create', '--name', '  '], /--name must not be empty/],
      ['name too long', () => ['agent', 'create', '--org', cli.orgId, '--name', 'x'.repeat(201)], /at most 200 characters/],
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
      ['bad E.164', () => ['connection', 'create', '--agent', cli.agentId, '--phone', '5551234567'], /--phone must be an E.164 number/],
      ['E.164 with a leading 0', () => ['connection', 'create', '--agent', cli.agentId, '--phone', '+0551234567'], /E.164/],
      ['agent not found', () => ['connection', 'create', '--agent', uuid(), '--phone', freshNumber()], /no agent/],
      [
        'duplicate active number',
        () => ['connection', 'create', '--agent', cli.otherOrgAgentId, '--phone', cli.activeNumber],
        /already active on connection .*--inactive/,
      ],
      [
        'token without phone-number id',
        () => ['connection', 'create', '--agent', cli.agentId, '--phone', freshNumber(), '--access-token-env', 'META_TOKEN'],
        /needs --phone-number-id/,
        { META_TOKEN: 'EAAGabc', ENCRYPTION_KEY },
      ],
      [
        'phone-number id without token',
        () => ['connection', 'create', '--agent', cli.agentId, '--phone', freshNumber(), '--phone-number-id', '123456'],
        /needs an access token/,
      ],
      [
        'token variable not set',
        () => [
          'connection',
          'create',
          '--agent',
          cli.agentId,
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
        () => [
          'connection',
          'create',
          '--agent',
          cli.agentId,
          '--phone',
          freshNumber(),
          '--phone-number-id',
          '123456',
          '--access-token-stdin',
        ],
        /access token from standard input is empty/,
        { ENCRYPTION_KEY },
      ],
      [
        'token both ways',
        () => [
          'connection',
          'create',
          '--agent',
          cli.agentId,
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
          cli.agentId,
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
        () => ['connection', 'create', '--agent', cli.agentId, '--phone', freshNumber(), '--waba-id', '42'],
        /--waba-id goes with Meta credentials/,
      ],
      [
        'mps out of range',
        () => ['connection', 'create', '--agent', cli.agentId, '--phone', freshNumber(), '--mps', '0'],
        /--mps must be a whole number from 1 to 10000/,
      ],
      ['list by agent and org', () => ['connection', 'list', '--agent', cli.agentId, '--org', cli.orgId], /--agent or --org, not both/],
      ['activate an unknown connection', () => ['connection', 'activate', uuid()], /no connection/],
      [
        'unknown scope',
        () => ['key', 'create', '--org', cli.orgId, '--name', 'k', '--scopes', 'whatsapp:send,whatsapp:write'],
        /unknown scope 'whatsapp:write'/,
      ],
      [
        'empty scope entry',
        () => ['key', 'create', '--org', cli.orgId, '--name', 'k', '--scopes', 'whatsapp:send,'],
        /without empty entries/,
      ],
      [
        'expiry in the past',
        () => ['key', 'create', '--org', cli.orgId, '--name', 'k', '--expires', '2020-01-01'],
        /--expires must be in the future/,
      ],
      [
        'expiry not ISO 8601',
        () => ['key', 'create', '--org', cli.orgId, '--name', 'k', '--expires', 'tomorrow'],
        /--expires must be an ISO 8601 date/,
      ],
      [
        'expiry without a time zone',
        () => ['key', 'create', '--org', cli.orgId, '--name', 'k', '--expires', '2099-01-01T10:00'],
        /ISO 8601/,
      ],
      [
        'expiry on a day that does not exist',
        () => ['key', 'create', '--org', cli.orgId, '--name', 'k', '--expires', '2099-02-30'],
        /real calendar date/,
      ],
      [
        'agent of another organization',
        () => ['key', 'create', '--org', cli.orgId, '--name', 'k', '--agents', cli.otherOrgAgentId],
        /not agents of organization/,
      ],
      [
        'rate limit 0',
        () => ['key', 'create', '--org', cli.orgId, '--name', 'k', '--rate-limit', '0'],
        /--rate-limit must be a whole number from 1 to 1000000/,
      ],
      ['key for an unknown organization', () => ['key', 'create', '--org', uuid(), '--name', 'k'], /no organization/],
      ['key name too long', () => ['key', 'create', '--org', cli.orgId, '--name', 'k'.repeat(101)], /at most 100 characters/],
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
      const created = (await ok(['key', 'create', '--org', cli.orgId, '--name', 'twice', '--json'])).json();
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
});
