// PostgreSQL's refusals of an admin write, in the administrator's words.
import { PLANS } from '../../domain/plans.ts';

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
