/**
 * The admin CLI's commands. Each one first checks everything that can be checked without the
 * database (`prepare`: flags, formats, the access token's source, the encryption key), and only
 * then gets a database and runs; what it writes is one statement or one transaction, after the
 * lookups that can refuse it (organization or agent not found, number already active…).
 */
import type { Knex } from 'knex';
import type { Config } from '../config.ts';
import {
  createAgent,
  createConnection,
  findActiveConnectionByNumber,
  findAgent,
  findConnection,
  findConnectionByPhoneNumberId,
  listAgents,
  listConnections,
  setConnectionActive,
  type Agent,
  type WhatsAppConnection,
} from '../domain/agents.ts';
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from '../domain/api-keys/authenticate.ts';
import type { Scope } from '../domain/api-keys/scopes.ts';
import { createApiKey, findApiKey, listApiKeys, revokeApiKey, rotateApiKey, type ApiKeyRecord } from '../domain/api-keys/store.ts';
import { createOrganization, findOrganization, listOrganizations, updateOrganizationPlan, type Organization } from '../domain/organizations.ts';
import { LOWEST_PLAN_WITH_API_ACCESS, PLANS, planIncludesApiAccess, type Plan } from '../domain/plans.ts';
import { secretBoxFromConfig, type SecretBox } from '../domain/secrets.ts';
import { listTemplates, templateFromMeta, TemplateDefinitionError, upsertTemplate, type StoredTemplate, type TemplateDefinition } from '../domain/templates.ts';
import { readFile } from 'node:fs/promises';
import { cloudApiFromConfig } from '../delivery/cloud-api-config.ts';
import { syncTemplates, TemplateSyncError } from '../delivery/template-sync.ts';
import * as input from './input.ts';
import { UsageError } from './input.ts';
import { fields, iso, table, when } from './output.ts';
import { WEBHOOK_COMMANDS, WEBHOOK_RESOURCE } from './webhooks.ts';

// ── the command table ─────────────────────────────────────────────────────────────────────

export const DEFAULTS = { plan: 'professional' as Plan, quota: 10_000, scopes: ['whatsapp:send'] as Scope[], mps: 80 } as const;

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** Shown in help as `--flag <value>`. */
  readonly value?: string;
  readonly help: string;
}

export interface Args {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

export interface CommandContext {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  /** Reads the access token for --access-token-stdin. */
  readStdin(): Promise<string>;
  readonly now: Date;
}

export interface Output {
  readonly human: string;
  readonly json: unknown;
}

export type Action = (db: Knex) => Promise<Output>;

export interface Command {
  readonly resource: string;
  readonly name: string;
  readonly summary: string;
  /** The arguments after `<resource> <command>`, as in the usage line. */
  readonly synopsis: string;
  readonly positionals: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly notes?: readonly string[];
  prepare(args: Args, ctx: CommandContext): Promise<Action>;
}

export const RESOURCES: Readonly<Record<string, string>> = {
  org: 'Organizations (tenants: plan, monthly message quota)',
  agent: 'Agents of an organization',
  connection: "WhatsApp connections: an agent's numbers (sandbox, or Meta credentials)",
  key: 'API keys of an organization',
  template: "Message templates of a number, as Meta approved them (Meta's template JSON)",
  ...WEBHOOK_RESOURCE,
};

function str(args: Args, flag: string): string | undefined {
  const v = args.values[flag];
  return typeof v === 'string' ? v : undefined;
}

function bool(args: Args, flag: string): boolean {
  return args.values[flag] === true;
}

function required(args: Args, command: Command, flag: string): string {
  const v = str(args, flag);
  if (v === undefined) throw new UsageError(`--${flag} is required (${usageHint(command)})`);
  return v;
}

export function usageHint(command: Pick<Command, 'resource' | 'name'>): string {
  return `see: npm run admin -- ${command.resource} ${command.name} --help`;
}

// ── loading and describing rows ───────────────────────────────────────────────────────────

async function organizationOrFail(db: Knex, id: string): Promise<Organization> {
  const org = await findOrganization(db, id);
  if (!org) throw new UsageError(`no organization ${id} (npm run admin -- org list)`);
  return org;
}

async function agentOrFail(db: Knex, id: string): Promise<Agent> {
  const agent = await findAgent(db, id);
  if (!agent) throw new UsageError(`no agent ${id} (npm run admin -- agent list)`);
  return agent;
}

const orgJson = (o: Organization) => ({ id: o.id, name: o.name, plan: o.plan, monthly_message_quota: o.monthlyMessageQuota, created_at: iso(o.createdAt) });
const agentJson = (a: Agent) => ({ id: a.id, organization_id: a.organizationId, name: a.name, created_at: iso(a.createdAt) });
const connectionJson = (c: WhatsAppConnection) => ({
  id: c.id,
  organization_id: c.organizationId,
  agent_id: c.agentId,
  phone_number: c.phoneNumber,
  delivery: c.hasMetaCredentials ? 'meta' : 'sandbox',
  phone_number_id: c.phoneNumberId,
  waba_id: c.wabaId,
  active: c.active,
  messages_per_second: c.messagesPerSecond,
  created_at: iso(c.createdAt),
  last_delivery_error: c.lastDeliveryError
    ? { at: iso(c.lastDeliveryError.at), meta_error_code: c.lastDeliveryError.metaErrorCode, title: c.lastDeliveryError.title, details: c.lastDeliveryError.details }
    : null,
});

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

function planNote(plan: Plan): string {
  return planIncludesApiAccess(plan)
    ? ''
    : `\nNote: plan '${plan}' has no API access: its keys get 403 plan_upgrade_required (needs '${LOWEST_PLAN_WITH_API_ACCESS}' or above).`;
}

// ── org ───────────────────────────────────────────────────────────────────────────────────

const orgCreate: Command = {
  resource: 'org',
  name: 'create',
  summary: 'Create an organization.',
  synopsis: `--name <name> [--plan <plan>] [--quota <n>]`,
  positionals: [],
  options: {
    name: { type: 'string', value: 'name', help: 'display name, 1 to 200 characters' },
    plan: { type: 'string', value: 'plan', help: `${PLANS.join(' | ')} (default ${DEFAULTS.plan}; API access needs ${LOWEST_PLAN_WITH_API_ACCESS} or above)` },
    quota: { type: 'string', value: 'n', help: `monthly message quota, 0 to 2147483647 (default ${DEFAULTS.quota})` },
  },
  async prepare(args) {
    const name = input.name('--name', required(args, this, 'name'), 200);
    const plan = str(args, 'plan') !== undefined ? input.plan('--plan', str(args, 'plan')!) : DEFAULTS.plan;
    const quota = str(args, 'quota') !== undefined ? input.integer('--quota', str(args, 'quota')!, 0, 2_147_483_647) : DEFAULTS.quota;
    return async (db) => {
      const org = await createOrganization(db, { name, plan, monthlyMessageQuota: quota });
      return {
        human: `Created organization ${org.id}\n${fields([['name', org.name], ['plan', org.plan], ['quota', `${org.monthlyMessageQuota} messages/month`]])}${planNote(org.plan)}`,
        json: orgJson(org),
      };
    };
  },
};

const orgList: Command = {
  resource: 'org',
  name: 'list',
  summary: 'List organizations.',
  synopsis: '',
  positionals: [],
  options: {},
  async prepare() {
    return async (db) => {
      const orgs = await listOrganizations(db);
      return {
        human: table(
          ['ID', 'NAME', 'PLAN', 'QUOTA/MONTH', 'CREATED'],
          orgs.map((o) => [o.id, o.name, o.plan, String(o.monthlyMessageQuota), when(o.createdAt)]),
          '(no organizations)',
        ),
        json: orgs.map(orgJson),
      };
    };
  },
};

const orgSetPlan: Command = {
  resource: 'org',
  name: 'set-plan',
  summary: "Change an organization's plan (takes effect on its keys' next request).",
  synopsis: '<org-id> --plan <plan>',
  positionals: ['org-id'],
  options: { plan: { type: 'string', value: 'plan', help: PLANS.join(' | ') } },
  async prepare(args) {
    const id = input.uuid('<org-id>', args.positionals[0]!);
    const plan = input.plan('--plan', required(args, this, 'plan'));
    return async (db) => {
      const before = await organizationOrFail(db, id);
      if (!(await updateOrganizationPlan(db, id, plan))) throw new UsageError(`no organization ${id}`);
      const after = (await findOrganization(db, id))!;
      return {
        human: `Organization ${id} (${after.name}): plan ${before.plan} → ${after.plan}${planNote(after.plan)}`,
        json: { ...orgJson(after), previous_plan: before.plan },
      };
    };
  },
};

// ── agent ─────────────────────────────────────────────────────────────────────────────────

const agentCreate: Command = {
  resource: 'agent',
  name: 'create',
  summary: 'Create an agent in an organization.',
  synopsis: '--org <org-id> --name <name>',
  positionals: [],
  options: {
    org: { type: 'string', value: 'org-id', help: 'the organization' },
    name: { type: 'string', value: 'name', help: 'display name, 1 to 200 characters' },
  },
  async prepare(args) {
    const orgId = input.uuid('--org', required(args, this, 'org'));
    const name = input.name('--name', required(args, this, 'name'), 200);
    return async (db) => {
      await organizationOrFail(db, orgId);
      const agent = await createAgent(db, { organizationId: orgId, name });
      return {
        human: `Created agent ${agent.id}\n${fields([['name', agent.name], ['organization', agent.organizationId]])}\nAdd a number: npm run admin -- connection create --agent ${agent.id} --phone <+E.164>`,
        json: agentJson(agent),
      };
    };
  },
};

const agentList: Command = {
  resource: 'agent',
  name: 'list',
  summary: 'List agents, of every organization or of one.',
  synopsis: '[--org <org-id>]',
  positionals: [],
  options: { org: { type: 'string', value: 'org-id', help: 'only the agents of this organization' } },
  async prepare(args) {
    const orgId = str(args, 'org') !== undefined ? input.uuid('--org', str(args, 'org')!) : undefined;
    return async (db) => {
      if (orgId !== undefined) await organizationOrFail(db, orgId);
      const agents = await listAgents(db, orgId);
      return {
        human: table(['ID', 'ORGANIZATION', 'NAME', 'CREATED'], agents.map((a) => [a.id, a.organizationId, a.name, when(a.createdAt)]), '(no agents)'),
        json: agents.map(agentJson),
      };
    };
  },
};

// ── connection ────────────────────────────────────────────────────────────────────────────

function describeConnection(c: WhatsAppConnection): string {
  return fields([
    ['number', c.phoneNumber],
    ['agent', c.agentId],
    ['organization', c.organizationId],
    ['delivery', c.hasMetaCredentials ? `Meta (phone-number id ${c.phoneNumberId}${c.wabaId ? `, WABA ${c.wabaId}` : ''}; access token stored encrypted)` : 'sandbox (no Meta credentials)'],
    ['active', c.active ? 'yes' : 'no'],
    ['max rate', `${c.messagesPerSecond} messages/second`],
    ...(c.lastDeliveryError ? ([['ALERT', deliveryAlert(c.lastDeliveryError)]] as Array<[string, string]>) : []),
  ]);
}

function deliveryAlert(e: NonNullable<WhatsAppConnection['lastDeliveryError']>): string {
  return `WhatsApp refused sends (error ${e.metaErrorCode ?? '?'}${e.title ? `, ${e.title}` : ''}) at ${iso(e.at)}${e.details ? `: ${e.details}` : ''}; check the access token and the account`;
}

async function checkNumberFree(db: Knex, phone: string, exceptId?: string): Promise<void> {
  const holder = await findActiveConnectionByNumber(db, phone);
  if (holder && holder.id !== exceptId) {
    throw new UsageError(
      `${phone} is already active on connection ${holder.id} (agent ${holder.agentId}); a number sends for one agent at a time: deactivate that connection first` +
        (exceptId === undefined ? ', or add this one with --inactive' : ''),
    );
  }
}

const connectionCreate: Command = {
  resource: 'connection',
  name: 'create',
  summary: "Add a WhatsApp number to an agent: sandbox delivery, or Meta's Cloud API with a phone-number id and an access token.",
  synopsis:
    '--agent <agent-id> --phone <+E.164> [--phone-number-id <id> (--access-token-env <VAR> | --access-token-stdin)] [--waba-id <id>] [--mps <n>] [--inactive]',
  positionals: [],
  options: {
    agent: { type: 'string', value: 'agent-id', help: 'the agent that sends from this number' },
    phone: { type: 'string', value: '+E.164', help: "the number, e.g. +15551234567" },
    'phone-number-id': { type: 'string', value: 'id', help: "Meta's phone-number id; needs an access token. Without it the number delivers through the sandbox" },
    'access-token-env': { type: 'string', value: 'VAR', help: "read Meta's access token from this environment variable" },
    'access-token-stdin': { type: 'boolean', help: "read Meta's access token from standard input (prompted, not echoed, on a terminal)" },
    'waba-id': { type: 'string', value: 'id', help: 'the WhatsApp Business Account id (with --phone-number-id)' },
    mps: { type: 'string', value: 'n', help: `messages per second this number may send, 1 to 10000 (default ${DEFAULTS.mps})` },
    inactive: { type: 'boolean', help: 'create it inactive (it cannot send until activated)' },
  },
  notes: [
    'The access token is never taken as a flag value (it would land in the shell history and in ps).',
    'It is stored encrypted (AES-256-GCM) with ENCRYPTION_KEY, or with the generated .data/encryption.key of the embedded PostgreSQL.',
  ],
  async prepare(args, ctx) {
    const agentId = input.uuid('--agent', required(args, this, 'agent'));
    const phone = input.e164('--phone', required(args, this, 'phone'));
    const phoneNumberId = str(args, 'phone-number-id') !== undefined ? input.metaId('--phone-number-id', str(args, 'phone-number-id')!) : undefined;
    const wabaId = str(args, 'waba-id') !== undefined ? input.metaId('--waba-id', str(args, 'waba-id')!) : undefined;
    const mps = str(args, 'mps') !== undefined ? input.integer('--mps', str(args, 'mps')!, 1, 10_000) : DEFAULTS.mps;
    const tokenEnv = str(args, 'access-token-env') !== undefined ? input.envName('--access-token-env', str(args, 'access-token-env')!) : undefined;
    const tokenStdin = bool(args, 'access-token-stdin');
    if (tokenEnv !== undefined && tokenStdin) throw new UsageError('give the access token one way: --access-token-env or --access-token-stdin, not both');
    const hasToken = tokenEnv !== undefined || tokenStdin;
    if (hasToken && phoneNumberId === undefined) {
      throw new UsageError('an access token needs --phone-number-id (the Meta phone number it is for)');
    }
    if (phoneNumberId !== undefined && !hasToken) {
      throw new UsageError('--phone-number-id needs an access token: --access-token-env <VAR> or --access-token-stdin (never as a flag value)');
    }
    if (wabaId !== undefined && phoneNumberId === undefined) {
      throw new UsageError('--waba-id goes with Meta credentials (--phone-number-id and an access token); a sandbox number has none');
    }
    let secrets: SecretBox | null = null;
    if (hasToken) {
      // Before reading the token: no point asking for it if it cannot be stored.
      secrets = secretBoxFromConfig(ctx.config);
      if (secrets === null) {
        throw new UsageError(
          'cannot store an access token: set ENCRYPTION_KEY to the base64 of 32 random bytes (openssl rand -base64 32) — with DATABASE_URL there is no generated key file',
        );
      }
    }
    let accessToken: string | undefined;
    if (tokenEnv !== undefined) {
      if (ctx.env[tokenEnv] === undefined) throw new UsageError(`--access-token-env: the environment variable ${tokenEnv} is not set`);
      accessToken = input.accessToken(`the environment variable ${tokenEnv}`, ctx.env[tokenEnv]);
    } else if (tokenStdin) {
      accessToken = input.accessToken('standard input', await ctx.readStdin());
    }
    const active = !bool(args, 'inactive');
    return async (db) => {
      await agentOrFail(db, agentId);
      if (active) await checkNumberFree(db, phone);
      if (phoneNumberId !== undefined) {
        const holder = await findConnectionByPhoneNumberId(db, phoneNumberId);
        if (holder) throw new UsageError(`the Meta phone-number id ${phoneNumberId} already belongs to connection ${holder.id} (${holder.phoneNumber})`);
      }
      const connection = await createConnection(db, { agentId, phoneNumber: phone, phoneNumberId, wabaId, accessToken, messagesPerSecond: mps, active }, secrets);
      return { human: `Created connection ${connection.id}\n${describeConnection(connection)}`, json: connectionJson(connection) };
    };
  },
};

const connectionList: Command = {
  resource: 'connection',
  name: 'list',
  summary: 'List WhatsApp connections (never shows access tokens).',
  synopsis: '[--agent <agent-id> | --org <org-id>]',
  positionals: [],
  options: {
    agent: { type: 'string', value: 'agent-id', help: "only this agent's numbers" },
    org: { type: 'string', value: 'org-id', help: "only this organization's numbers" },
  },
  async prepare(args) {
    if (str(args, 'agent') !== undefined && str(args, 'org') !== undefined) throw new UsageError('give --agent or --org, not both');
    const agentId = str(args, 'agent') !== undefined ? input.uuid('--agent', str(args, 'agent')!) : undefined;
    const orgId = str(args, 'org') !== undefined ? input.uuid('--org', str(args, 'org')!) : undefined;
    return async (db) => {
      if (agentId !== undefined) await agentOrFail(db, agentId);
      if (orgId !== undefined) await organizationOrFail(db, orgId);
      const connections = await listConnections(db, { ...(agentId !== undefined ? { agentId } : {}), ...(orgId !== undefined ? { organizationId: orgId } : {}) });
      return {
        human: [
          table(
            ['ID', 'NUMBER', 'AGENT', 'DELIVERY', 'ACTIVE', 'MPS', 'CREATED'],
            connections.map((c) => [
              c.id,
              c.phoneNumber,
              c.agentId,
              c.hasMetaCredentials ? `meta (${c.phoneNumberId})` : 'sandbox',
              c.active ? 'yes' : 'no',
              String(c.messagesPerSecond),
              when(c.createdAt),
            ]),
            '(no connections)',
          ),
          ...connections.filter((c) => c.lastDeliveryError).map((c) => `ALERT ${c.phoneNumber}: ${deliveryAlert(c.lastDeliveryError!)}`),
        ].join('\n'),
        json: connections.map(connectionJson),
      };
    };
  },
};

function connectionToggle(active: boolean): Command {
  return {
    resource: 'connection',
    name: active ? 'activate' : 'deactivate',
    summary: active ? 'Let a connection send again (its number must not be active elsewhere).' : 'Stop a connection from sending.',
    synopsis: '<connection-id>',
    positionals: ['connection-id'],
    options: {},
    async prepare(args) {
      const id = input.uuid('<connection-id>', args.positionals[0]!);
      return async (db) => {
        const before = await findConnection(db, id);
        if (!before) throw new UsageError(`no connection ${id} (npm run admin -- connection list)`);
        if (before.active === active) {
          return { human: `Connection ${id} (${before.phoneNumber}) is already ${active ? 'active' : 'inactive'}; nothing changed.`, json: connectionJson(before) };
        }
        if (active) await checkNumberFree(db, before.phoneNumber, id);
        await setConnectionActive(db, id, active);
        const after = (await findConnection(db, id))!;
        return { human: `Connection ${id} (${after.phoneNumber}) is now ${active ? 'active' : 'inactive'}.`, json: connectionJson(after) };
      };
    },
  };
}

// ── key ───────────────────────────────────────────────────────────────────────────────────

const keyCreate: Command = {
  resource: 'key',
  name: 'create',
  summary: 'Create an API key; prints the key once.',
  synopsis: '--org <org-id> --name <name> [--scopes <s,s>] [--agents <id,id>] [--expires <ISO-8601>] [--rate-limit <n>] [--test]',
  positionals: [],
  options: {
    org: { type: 'string', value: 'org-id', help: 'the organization the key acts for' },
    name: { type: 'string', value: 'name', help: 'what the key is for, 1 to 100 characters' },
    scopes: { type: 'string', value: 's,s', help: `comma-separated: whatsapp:send, whatsapp:read, messenger:send, instagram:send, webhooks:manage, * (default ${DEFAULTS.scopes.join(',')})` },
    agents: { type: 'string', value: 'id,id', help: "restrict the key to these agents of the organization (default: all, including future ones)" },
    expires: { type: 'string', value: 'ISO-8601', help: 'expiry in the future: 2027-01-31 (midnight UTC) or 2027-01-31T18:00:00Z (default: never)' },
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
      const created = await createApiKey(db, { organizationId: orgId, name, environment, scopes, agentIds, rateLimitPerMinute: rateLimit, expiresAt });
      const record = created.record;
      return {
        human: [
          `Created ${environment} API key '${record.name}'`,
          keyDetails(record),
          '',
          created.plaintext,
          '',
          STORE_IT_NOW,
        ].join('\n') + planNote(org.plan),
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
      if (old.revokedAt !== null) throw new UsageError(`the API key ${id} was revoked on ${when(old.revokedAt)}; create a new key instead (key create)`);
      if (keyStatus(old, ctx.now) === 'expired') throw new UsageError(`the API key ${id} expired on ${when(old.expiresAt)}; create a new key instead (key create)`);
      const created = await rotateApiKey(db, id);
      const record = created.record;
      return {
        human: [`Rotated API key ${id} (${keyHint(old)}, now revoked) → new key '${record.name}'`, keyDetails(record), '', created.plaintext, '', STORE_IT_NOW].join('\n'),
        json: { key: created.plaintext, notice: STORE_IT_NOW, api_key: keyJson(record, ctx.now), revoked_key_id: id },
      };
    };
  },
};

// ── template ──────────────────────────────────────────────────────────────────────────────

const templateJson = (t: StoredTemplate) => ({
  id: t.id,
  connection_id: t.connectionId,
  name: t.name,
  language: t.language,
  status: t.status,
  category: t.category,
  parameter_format: t.parameterFormat,
  body_parameters: t.bodyParameters,
  header_format: t.headerFormat,
  header_parameters: t.headerParameters,
  buttons: t.buttons,
});

function describeTemplate(t: StoredTemplate): string {
  const params = t.bodyParameters.length === 0 ? 'no parameters' : `${t.parameterFormat.toLowerCase()} parameters ${t.bodyParameters.join(', ')}`;
  const header = t.headerFormat === 'NONE' ? '' : `, ${t.headerFormat.toLowerCase()} header`;
  const buttons = t.buttons.filter((b) => b.dynamic).map((b) => `${b.type}@${b.index}`);
  return `${t.name} (${t.language}) ${t.status}: ${params}${header}${buttons.length > 0 ? `, dynamic buttons ${buttons.join(' ')}` : ''}`;
}

async function connectionOrFail(db: Knex, id: string): Promise<WhatsAppConnection> {
  const connection = await findConnection(db, id);
  if (!connection) throw new UsageError(`no connection ${id} (npm run admin -- connection list)`);
  return connection;
}

const templateRegister: Command = {
  resource: 'template',
  name: 'register',
  summary: "Register (or update) a number's templates from Meta's template JSON.",
  synopsis: '--connection <connection-id> --file <template.json>',
  positionals: [],
  options: {
    connection: { type: 'string', value: 'connection-id', help: 'the number the templates belong to' },
    file: {
      type: 'string',
      value: 'path',
      help: 'a template object as Meta returns it from GET /{waba-id}/message_templates (name, language, status, components), an array of them, or {"data": [...]}',
    },
  },
  notes: ['The same (name, language) registered again replaces the earlier definition.'],
  async prepare(args) {
    const connectionId = input.uuid('--connection', required(args, this, 'connection'));
    const file = required(args, this, 'file');
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`--file: cannot read JSON from ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const list = Array.isArray(parsed) ? parsed : Array.isArray((parsed as { data?: unknown })?.data) ? (parsed as { data: unknown[] }).data : [parsed];
    if (list.length === 0) throw new UsageError('--file: no template in the file');
    const definitions: TemplateDefinition[] = list.map((item, i) => {
      try {
        return templateFromMeta(item);
      } catch (error) {
        if (error instanceof TemplateDefinitionError) throw new UsageError(`--file: template ${i + 1}: ${error.message}`);
        throw error;
      }
    });
    return async (db) => {
      await connectionOrFail(db, connectionId);
      const stored = await db.transaction(async (trx) => {
        const out: StoredTemplate[] = [];
        for (const definition of definitions) out.push(await upsertTemplate(trx, connectionId, definition));
        return out;
      });
      return { human: ['Registered:', ...stored.map((t) => `  ${describeTemplate(t)}`)].join('\n'), json: stored.map(templateJson) };
    };
  },
};

const templateSync: Command = {
  resource: 'template',
  name: 'sync',
  summary: "Fetch a number's templates from Meta (its WABA) and store them.",
  synopsis: '--connection <connection-id>',
  positionals: [],
  options: { connection: { type: 'string', value: 'connection-id', help: 'a number with Meta credentials and a WABA id' } },
  notes: ['Uses META_GRAPH_BASE_URL and META_GRAPH_VERSION; the delivery worker also syncs every hour.'],
  async prepare(args, ctx) {
    const connectionId = input.uuid('--connection', required(args, this, 'connection'));
    const secrets = secretBoxFromConfig(ctx.config);
    return async (db) => {
      await connectionOrFail(db, connectionId);
      let result;
      try {
        result = await syncTemplates(db, cloudApiFromConfig(ctx.config), secrets, connectionId);
      } catch (error) {
        if (error instanceof TemplateSyncError) throw new UsageError(error.message);
        if (error instanceof Error && /^Meta/.test(error.name)) throw new UsageError(`Meta refused the template list: ${error.message}`);
        throw error;
      }
      const stored = await listTemplates(db, connectionId);
      const skipped = result.skipped.map((s) => `  skipped ${s.name}: ${s.reason}`);
      return {
        human: [`Synced ${result.stored} template(s) from Meta:`, ...stored.map((t) => `  ${describeTemplate(t)}`), ...skipped].join('\n'),
        json: { stored: stored.map(templateJson), skipped: result.skipped },
      };
    };
  },
};

const templateList: Command = {
  resource: 'template',
  name: 'list',
  summary: "List a number's templates.",
  synopsis: '--connection <connection-id>',
  positionals: [],
  options: { connection: { type: 'string', value: 'connection-id', help: 'the number whose templates to list' } },
  async prepare(args) {
    const connectionId = input.uuid('--connection', required(args, this, 'connection'));
    return async (db) => {
      await connectionOrFail(db, connectionId);
      const templates = await listTemplates(db, connectionId);
      return {
        human: templates.length === 0 ? 'No templates.' : templates.map(describeTemplate).join('\n'),
        json: templates.map(templateJson),
      };
    };
  },
};

export const COMMANDS: readonly Command[] = [
  orgCreate,
  orgList,
  orgSetPlan,
  agentCreate,
  agentList,
  connectionCreate,
  connectionList,
  connectionToggle(true),
  connectionToggle(false),
  keyCreate,
  keyList,
  keyRevoke,
  keyRotate,
  templateRegister,
  templateSync,
  templateList,
  ...WEBHOOK_COMMANDS,
];

// ── database errors ───────────────────────────────────────────────────────────────────────

const CONSTRAINT_MESSAGES: Readonly<Record<string, string>> = {
  whatsapp_connections_active_number: 'this number is already active on another connection; deactivate that one first',
  whatsapp_connections_phone_number_id: 'this Meta phone-number id already belongs to another connection',
  whatsapp_connections_phone_check: 'the number is not in E.164 form',
  whatsapp_connections_mps_check: 'messages per second must be from 1 to 10000',
  whatsapp_connections_meta_ids_check: 'a Meta phone-number id and an access token go together',
  organizations_plan_check: `the plan must be one of ${PLANS.join(', ')}`,
  organizations_quota_check: 'the quota must not be negative',
  organizations_name_check: 'the name must be 1 to 200 characters',
  agents_name_check: 'the name must be 1 to 200 characters',
  api_keys_scopes_check: 'unknown or missing scope',
  api_keys_rate_limit_check: 'the rate limit must be from 1 to 1000000',
  api_keys_name_check: 'the name must be 1 to 100 characters',
  api_keys_reason_check: 'the reason must be at most 200 characters',
  api_keys_environment_check: "the environment must be 'live' or 'test'",
};

/**
 * A PostgreSQL integrity or data error, as one line for the administrator (null for anything
 * else). The checks before each write make these rare: they remain for races with another writer.
 */
export function describeDatabaseError(error: unknown): string | null {
  const e = error as { code?: unknown; constraint?: unknown; detail?: unknown; message?: unknown } | null;
  if (!e || typeof e.code !== 'string') return null;
  const constraint = typeof e.constraint === 'string' ? e.constraint : undefined;
  const known = constraint !== undefined ? CONSTRAINT_MESSAGES[constraint] : undefined;
  switch (e.code) {
    case '23505':
      return `refused by the database: ${known ?? `a duplicate value (${constraint ?? 'unique constraint'})`}`;
    case '23514':
      return `refused by the database: ${known ?? `a value out of range (${constraint ?? 'check constraint'})`}`;
    case '23503':
      return 'refused by the database: the organization or agent it refers to no longer exists';
    case '23502':
      return `refused by the database: a required value is missing (${String(e.message)})`;
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
      return `refused by the database: invalid value (${String(e.message)})`;
    default:
      return null;
  }
}
