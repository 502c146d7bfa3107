// `key`: an organization's API keys (created and rotated keys are printed once, never again).
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from '../../domain/api-keys/authenticate.ts';
import { createApiKey, findApiKey, listApiKeys, revokeApiKey, rotateApiKey, type ApiKeyRecord } from '../../domain/api-keys/store.ts';
import { listAgents } from '../../domain/agents.ts';
import * as input from '../input.ts';
import { UsageError } from '../input.ts';
import { fields, iso, table, when } from '../output.ts';
import { bool, DEFAULTS, required, str, type Command, type Resource } from './command.ts';
import { organizationOrFail, planNote } from './shared.ts';

function keyHint(k: ApiKeyRecord): string {
  return `${k.displayPrefix}…${k.lastFour}`;
}

function keyStatus(k: ApiKeyRecord, now: Date): 'revoked' | 'expired' | 'active' {
  if (k.revokedAt !== null) return 'revoked';
  if (k.expiresAt !== null && k.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

const keyJson = (k: ApiKeyRecord, now: Date) => ({
  id: k.id,
  organization_id: k.organizationId,
  name: k.name,
  key_hint: keyHint(k),
  environment: k.environment,
  scopes: k.scopes,
  agent_ids: k.agentIds,
  rate_limit_per_minute: k.rateLimitPerMinute,
  expires_at: iso(k.expiresAt),
  status: keyStatus(k, now),
  revoked_at: iso(k.revokedAt),
  revoked_reason: k.revokedReason,
  last_used_at: iso(k.lastUsedAt),
  created_at: iso(k.createdAt),
});

const STORE_IT_NOW = 'Store it now: it cannot be shown again (only its hash is kept).';

function keyDetails(k: ApiKeyRecord): string {
  return fields([
    ['id', k.id],
    ['organization', k.organizationId],
    ['environment', k.environment === 'test' ? 'test (sandbox)' : 'live'],
    ['scopes', k.scopes.join(', ')],
    ['agents', k.agentIds === null ? 'all agents of the organization (including future ones)' : k.agentIds.join(', ')],
    ['expires', k.expiresAt ? when(k.expiresAt) : 'never'],
    ['rate limit', k.rateLimitPerMinute !== null ? `${k.rateLimitPerMinute}/minute` : `${DEFAULT_RATE_LIMIT_PER_MINUTE}/minute (default)`],
  ]);
}

const keyCreate: Command = {
  resource: 'key',
  name: 'create',
  summary: 'Create an API key; prints the key once.',
  synopsis: '--org <org-id> --name <name> [--scopes <s,s>] [--agents <id,id>] [--expires <ISO-8601>] [--rate-limit <n>] [--test]',
  positionals: [],
  options: {
    org: { type: 'string', value: 'org-id', help: 'the organization the key acts for' },
    name: { type: 'string', value: 'name', help: 'what the key is for, 1 to 100 characters' },
    scopes: {
      type: 'string',
      value: 's,s',
      help: `comma-separated: whatsapp:send, whatsapp:read, messenger:send, instagram:send, webhooks:manage, * (default ${DEFAULTS.scopes.join(',')})`,
    },
    agents: {
      type: 'string',
      value: 'id,id',
      help: 'restrict the key to these agents of the organization (default: all, including future ones)',
    },
    expires: {
      type: 'string',
      value: 'ISO-8601',
      help: 'expiry in the future: 2027-01-31 (midnight UTC) or 2027-01-31T18:00:00Z (default: never)',
    },
    'rate-limit': { type: 'string', value: 'n', help: `requests per minute, 1 to 1000000 (default ${DEFAULT_RATE_LIMIT_PER_MINUTE})` },
    test: { type: 'boolean', help: 'a test key (mk_test_…, sandbox delivery) instead of a live one' },
  },
  async prepare(args, ctx) {
    const orgId = input.uuid('--org', required(args, this, 'org'));
    const name = input.name('--name', required(args, this, 'name'), 100);
    const scopes = str(args, 'scopes') !== undefined ? input.scopes('--scopes', str(args, 'scopes')!) : [...DEFAULTS.scopes];
    const agentIds = str(args, 'agents') !== undefined ? input.uuidList('--agents', str(args, 'agents')!) : null;
    const expiresAt = str(args, 'expires') !== undefined ? input.futureInstant('--expires', str(args, 'expires')!, ctx.now) : null;
    const rateLimit = str(args, 'rate-limit') !== undefined ? input.integer('--rate-limit', str(args, 'rate-limit')!, 1, 1_000_000) : null;
    const environment = bool(args, 'test') ? 'test' : 'live';
    return async (db) => {
      const org = await organizationOrFail(db, orgId);
      if (agentIds !== null) {
        const inOrg = new Set((await listAgents(db, orgId)).map((a) => a.id));
        const outside = agentIds.filter((id) => !inOrg.has(id));
        if (outside.length > 0) throw new UsageError(`--agents: not agents of organization ${orgId}: ${outside.join(', ')}`);
      }
      const created = await createApiKey(db, {
        organizationId: orgId,
        name,
        environment,
        scopes,
        agentIds,
        rateLimitPerMinute: rateLimit,
        expiresAt,
      });
      const record = created.record;
      return {
        human:
          [`Created ${environment} API key '${record.name}'`, keyDetails(record), '', created.plaintext, '', STORE_IT_NOW].join('\n') +
          planNote(org.plan),
        json: { key: created.plaintext, notice: STORE_IT_NOW, api_key: keyJson(record, ctx.now) },
      };
    };
  },
};

const keyList: Command = {
  resource: 'key',
  name: 'list',
  summary: "List an organization's API keys (prefix and last four only; never the key or its hash).",
  synopsis: '--org <org-id>',
  positionals: [],
  options: { org: { type: 'string', value: 'org-id', help: 'the organization' } },
  async prepare(args, ctx) {
    const orgId = input.uuid('--org', required(args, this, 'org'));
    return async (db) => {
      await organizationOrFail(db, orgId);
      const keys = await listApiKeys(db, orgId);
      return {
        human: table(
          ['ID', 'NAME', 'KEY', 'ENV', 'SCOPES', 'AGENTS', 'RATE/MIN', 'EXPIRES', 'STATUS', 'LAST USED', 'CREATED'],
          keys.map((k) => {
            const status = keyStatus(k, ctx.now);
            return [
              k.id,
              k.name,
              keyHint(k),
              k.environment,
              k.scopes.join(','),
              k.agentIds === null ? 'all' : k.agentIds.join(','),
              k.rateLimitPerMinute !== null ? String(k.rateLimitPerMinute) : `${DEFAULT_RATE_LIMIT_PER_MINUTE} (default)`,
              k.expiresAt ? when(k.expiresAt) : 'never',
              status === 'revoked' ? `revoked ${when(k.revokedAt)}${k.revokedReason ? ` (${k.revokedReason})` : ''}` : status,
              when(k.lastUsedAt),
              when(k.createdAt),
            ];
          }),
          '(no API keys)',
        ),
        json: keys.map((k) => keyJson(k, ctx.now)),
      };
    };
  },
};

const keyRevoke: Command = {
  resource: 'key',
  name: 'revoke',
  summary: 'Revoke an API key: its next request, on every server, gets 401 revoked_api_key.',
  synopsis: '<key-id> [--reason <text>]',
  positionals: ['key-id'],
  options: { reason: { type: 'string', value: 'text', help: 'why (kept with the key), at most 200 characters' } },
  async prepare(args, ctx) {
    const id = input.uuid('<key-id>', args.positionals[0]!);
    const reason = str(args, 'reason') !== undefined ? input.name('--reason', str(args, 'reason')!, 200) : null;
    return async (db) => {
      const key = await findApiKey(db, id);
      if (!key) throw new UsageError(`no API key ${id}`);
      if (key.revokedAt !== null) throw new UsageError(`the API key ${id} was already revoked on ${when(key.revokedAt)}`);
      if (!(await revokeApiKey(db, id, reason))) throw new UsageError(`the API key ${id} was revoked meanwhile`);
      const after = (await findApiKey(db, id))!;
      return {
        human: `Revoked API key ${id} '${after.name}' (${keyHint(after)}) on ${when(after.revokedAt)}${reason ? `: ${reason}` : ''}.`,
        json: keyJson(after, ctx.now),
      };
    };
  },
};

const keyRotate: Command = {
  resource: 'key',
  name: 'rotate',
  summary: 'Replace an API key: a new key with the same settings (printed once), the old one revoked, in one transaction.',
  synopsis: '<key-id>',
  positionals: ['key-id'],
  options: {},
  async prepare(args, ctx) {
    const id = input.uuid('<key-id>', args.positionals[0]!);
    return async (db) => {
      const old = await findApiKey(db, id);
      if (!old) throw new UsageError(`no API key ${id}`);
      if (old.revokedAt !== null)
        throw new UsageError(`the API key ${id} was revoked on ${when(old.revokedAt)}; create a new key instead (key create)`);
      if (keyStatus(old, ctx.now) === 'expired')
        throw new UsageError(`the API key ${id} expired on ${when(old.expiresAt)}; create a new key instead (key create)`);
      const created = await rotateApiKey(db, id);
      const record = created.record;
      return {
        human: [
          `Rotated API key ${id} (${keyHint(old)}, now revoked) → new key '${record.name}'`,
          keyDetails(record),
          '',
          created.plaintext,
          '',
          STORE_IT_NOW,
        ].join('\n'),
        json: { key: created.plaintext, notice: STORE_IT_NOW, api_key: keyJson(record, ctx.now), revoked_key_id: id },
      };
    };
  },
};

export const keys: Resource = {
  name: 'key',
  description: 'API keys of an organization',
  commands: [keyCreate, keyList, keyRevoke, keyRotate],
};
