// `connection`: an agent's WhatsApp numbers, delivering through the sandbox or Meta's Cloud API.
import type { Knex } from 'knex';
import {
  createConnection,
  findActiveConnectionByNumber,
  findConnection,
  findConnectionByPhoneNumberId,
  listConnections,
  setConnectionActive,
  type WhatsAppConnection,
} from '../../domain/agents.ts';
import { secretBoxFromConfig, type SecretBox } from '../../domain/secrets.ts';
import * as input from '../input.ts';
import { UsageError } from '../input.ts';
import { fields, iso, table, when } from '../output.ts';
import { bool, DEFAULTS, required, str, type Command, type Resource } from './command.ts';
import { agentOrFail, organizationOrFail } from './shared.ts';

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
    ? {
        at: iso(c.lastDeliveryError.at),
        meta_error_code: c.lastDeliveryError.metaErrorCode,
        title: c.lastDeliveryError.title,
        details: c.lastDeliveryError.details,
      }
    : null,
});

function describeConnection(c: WhatsAppConnection): string {
  return fields([
    ['number', c.phoneNumber],
    ['agent', c.agentId],
    ['organization', c.organizationId],
    [
      'delivery',
      c.hasMetaCredentials
        ? `Meta (phone-number id ${c.phoneNumberId}${c.wabaId ? `, WABA ${c.wabaId}` : ''}; access token stored encrypted)`
        : 'sandbox (no Meta credentials)',
    ],
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
    phone: { type: 'string', value: '+E.164', help: 'the number, e.g. +15551234567' },
    'phone-number-id': {
      type: 'string',
      value: 'id',
      help: "Meta's phone-number id; needs an access token. Without it the number delivers through the sandbox",
    },
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
    const phoneNumberId =
      str(args, 'phone-number-id') !== undefined ? input.metaId('--phone-number-id', str(args, 'phone-number-id')!) : undefined;
    const wabaId = str(args, 'waba-id') !== undefined ? input.metaId('--waba-id', str(args, 'waba-id')!) : undefined;
    const mps = str(args, 'mps') !== undefined ? input.integer('--mps', str(args, 'mps')!, 1, 10_000) : DEFAULTS.mps;
    const tokenEnv =
      str(args, 'access-token-env') !== undefined ? input.envName('--access-token-env', str(args, 'access-token-env')!) : undefined;
    const tokenStdin = bool(args, 'access-token-stdin');
    if (tokenEnv !== undefined && tokenStdin)
      throw new UsageError('give the access token one way: --access-token-env or --access-token-stdin, not both');
    const hasToken = tokenEnv !== undefined || tokenStdin;
    if (hasToken && phoneNumberId === undefined) {
      throw new UsageError('an access token needs --phone-number-id (the Meta phone number it is for)');
    }
    if (phoneNumberId !== undefined && !hasToken) {
      throw new UsageError(
        '--phone-number-id needs an access token: --access-token-env <VAR> or --access-token-stdin (never as a flag value)',
      );
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
        if (holder)
          throw new UsageError(
            `the Meta phone-number id ${phoneNumberId} already belongs to connection ${holder.id} (${holder.phoneNumber})`,
          );
      }
      const connection = await createConnection(
        db,
        { agentId, phoneNumber: phone, phoneNumberId, wabaId, accessToken, messagesPerSecond: mps, active },
        secrets,
      );
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
      const connections = await listConnections(db, {
        ...(agentId !== undefined ? { agentId } : {}),
        ...(orgId !== undefined ? { organizationId: orgId } : {}),
      });
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
          return {
            human: `Connection ${id} (${before.phoneNumber}) is already ${active ? 'active' : 'inactive'}; nothing changed.`,
            json: connectionJson(before),
          };
        }
        if (active) await checkNumberFree(db, before.phoneNumber, id);
        await setConnectionActive(db, id, active);
        const after = (await findConnection(db, id))!;
        return { human: `Connection ${id} (${after.phoneNumber}) is now ${active ? 'active' : 'inactive'}.`, json: connectionJson(after) };
      };
    },
  };
}

export const connections: Resource = {
  name: 'connection',
  description: "WhatsApp connections: an agent's numbers (sandbox, or Meta credentials)",
  commands: [connectionCreate, connectionList, connectionToggle(true), connectionToggle(false)],
};
