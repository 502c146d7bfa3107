// API keys of an organization: create (the plaintext leaves this module once, in the result),
// list, revoke, rotate. Only the hash, a display prefix and the last four characters are stored.
import type { Knex } from 'knex';
import { generateApiKey, type KeyEnvironment } from './key-format.ts';
import type { Scope } from './scopes.ts';

export interface ApiKeyRecord {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly environment: KeyEnvironment;
  readonly displayPrefix: string;
  readonly lastFour: string;
  readonly scopes: readonly string[];
  /** null: every agent of the organization, including future ones. */
  readonly agentIds: readonly string[] | null;
  readonly rateLimitPerMinute: number | null;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly revokedReason: string | null;
  readonly lastUsedAt: Date | null;
  readonly createdAt: Date;
}

export interface NewApiKeyInput {
  readonly organizationId: string;
  readonly name: string;
  readonly environment: KeyEnvironment;
  readonly scopes: readonly Scope[];
  readonly agentIds?: readonly string[] | null | undefined;
  readonly rateLimitPerMinute?: number | null | undefined;
  readonly expiresAt?: Date | null | undefined;
}

export interface CreatedApiKey {
  readonly record: ApiKeyRecord;
  /** The full key. Show it once; it cannot be recovered. */
  readonly plaintext: string;
}

interface ApiKeyRow {
  id: string;
  organization_id: string;
  name: string;
  environment: KeyEnvironment;
  display_prefix: string;
  last_four: string;
  scopes: string[];
  agent_ids: string[] | null;
  rate_limit_per_minute: number | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
  last_used_at: Date | null;
  created_at: Date;
}

const PUBLIC_COLUMNS = [
  'id',
  'organization_id',
  'name',
  'environment',
  'display_prefix',
  'last_four',
  'scopes',
  'agent_ids',
  'rate_limit_per_minute',
  'expires_at',
  'revoked_at',
  'revoked_reason',
  'last_used_at',
  'created_at',
] as const;

const fromRow = (row: ApiKeyRow): ApiKeyRecord => ({
  id: row.id,
  organizationId: row.organization_id,
  name: row.name,
  environment: row.environment,
  displayPrefix: row.display_prefix,
  lastFour: row.last_four,
  scopes: row.scopes,
  agentIds: row.agent_ids,
  rateLimitPerMinute: row.rate_limit_per_minute,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  revokedReason: row.revoked_reason,
  lastUsedAt: row.last_used_at,
  createdAt: row.created_at,
});

export class ApiKeyInputError extends Error {
  override name = 'ApiKeyInputError';
}

/**
 * Creates a key inside `trx` (or its own transaction). The agent allow-list must name agents of
 * the same organization.
 */
export async function createApiKey(db: Knex, input: NewApiKeyInput): Promise<CreatedApiKey> {
  const run = async (trx: Knex.Transaction): Promise<CreatedApiKey> => {
    const agentIds = input.agentIds ?? null;
    if (agentIds !== null && agentIds.length > 0) {
      const found = await trx('agents')
        .whereIn('id', [...agentIds])
        .where({ organization_id: input.organizationId })
        .count<{ count: string }[]>('id as count');
      if (Number(found[0]?.count ?? 0) !== new Set(agentIds).size) {
        throw new ApiKeyInputError('every agent of the allow-list must be an agent of the same organization');
      }
    }
    const key = generateApiKey(input.environment);
    const [row] = await trx<ApiKeyRow>('api_keys')
      .insert({
        organization_id: input.organizationId,
        name: input.name,
        environment: input.environment,
        key_hash: key.hash,
        display_prefix: key.displayPrefix,
        last_four: key.lastFour,
        scopes: [...input.scopes],
        // An empty list would lock the key out of every agent: the dashboard treats it as "all".
        agent_ids: agentIds !== null && agentIds.length > 0 ? [...new Set(agentIds)] : null,
        rate_limit_per_minute: input.rateLimitPerMinute ?? null,
        expires_at: input.expiresAt ?? null,
      } as never)
      .returning([...PUBLIC_COLUMNS]);
    return { record: fromRow(row as ApiKeyRow), plaintext: key.plaintext };
  };
  return db.isTransaction ? run(db as Knex.Transaction) : db.transaction(run);
}

export async function listApiKeys(db: Knex, organizationId: string): Promise<ApiKeyRecord[]> {
  const rows = await db<ApiKeyRow>('api_keys')
    .where({ organization_id: organizationId })
    .orderBy('created_at')
    .orderBy('id')
    .select([...PUBLIC_COLUMNS]);
  return rows.map((r) => fromRow(r as ApiKeyRow));
}

export async function findApiKey(db: Knex, id: string): Promise<ApiKeyRecord | null> {
  const row = await db<ApiKeyRow>('api_keys')
    .where({ id })
    .first([...PUBLIC_COLUMNS]);
  return row ? fromRow(row as ApiKeyRow) : null;
}

/**
 * Revokes a key; every server's key cache drops it when the change is notified, at commit (within
 * KEY_CACHE_MAX_AGE_MS if a notification is lost). False if unknown or already revoked.
 */
export async function revokeApiKey(db: Knex, id: string, reason: string | null): Promise<boolean> {
  const count = await db('api_keys')
    .where({ id })
    .whereNull('revoked_at')
    .update({ revoked_at: db.fn.now(), revoked_reason: reason, updated_at: db.fn.now() });
  return count === 1;
}

/** A new key with the same settings, and the old one revoked, in one transaction. */
export async function rotateApiKey(db: Knex, id: string): Promise<CreatedApiKey> {
  return db.transaction(async (trx) => {
    const old = await trx<ApiKeyRow>('api_keys')
      .where({ id })
      .forUpdate()
      .first([...PUBLIC_COLUMNS]);
    if (!old) throw new ApiKeyInputError(`no API key ${id}`);
    if (old.revoked_at !== null) throw new ApiKeyInputError(`the API key ${id} is already revoked`);
    const created = await createApiKey(trx, {
      organizationId: old.organization_id,
      name: old.name,
      environment: old.environment,
      scopes: old.scopes as Scope[],
      agentIds: old.agent_ids,
      rateLimitPerMinute: old.rate_limit_per_minute,
      expiresAt: old.expires_at,
    });
    await trx('api_keys')
      .where({ id })
      .update({ revoked_at: trx.fn.now(), revoked_reason: 'rotated', replaced_by_key_id: created.record.id, updated_at: trx.fn.now() });
    return created;
  });
}
