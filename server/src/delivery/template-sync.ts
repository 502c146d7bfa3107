/**
 * Template sync from Meta: a number's WABA templates, as `GET /{waba-id}/message_templates`
 * lists them, replace what we know (status changes such as PAUSED or REJECTED take effect on the
 * next send). Run by `npm run admin -- template sync` and hourly by the delivery worker.
 */
import type { Knex } from 'knex';
import type { SecretBox } from '../domain/secrets.ts';
import { templateFromMeta, TemplateDefinitionError, upsertTemplate } from '../domain/templates.ts';
import type { CloudApiClient } from '../whatsapp/cloud-api.ts';

export interface SyncResult {
  readonly connectionId: string;
  readonly stored: number;
  /** Templates Meta listed that could not be understood (name and reason). */
  readonly skipped: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
}

export class TemplateSyncError extends Error {
  override name = 'TemplateSyncError';
}

export async function syncTemplates(
  db: Knex,
  cloudApi: CloudApiClient,
  secrets: SecretBox | null,
  connectionId: string,
): Promise<SyncResult> {
  const connection = await db('whatsapp_connections').where({ id: connectionId }).first('id', 'waba_id', 'access_token_encrypted');
  if (!connection) throw new TemplateSyncError(`no connection ${connectionId}`);
  if (!connection.waba_id || !connection.access_token_encrypted) {
    throw new TemplateSyncError('the connection has no WABA id and Meta credentials: register its templates with `template register`');
  }
  if (secrets === null) throw new TemplateSyncError('no encryption key is configured (ENCRYPTION_KEY), so the access token cannot be read');
  const listed = await cloudApi.listTemplates(connection.waba_id as string, secrets.decrypt(connection.access_token_encrypted as string));
  const skipped: Array<{ name: string; reason: string }> = [];
  const definitions = listed.flatMap((meta) => {
    try {
      return [templateFromMeta(meta)];
    } catch (error) {
      if (!(error instanceof TemplateDefinitionError)) throw error;
      skipped.push({ name: String(meta.name ?? '?'), reason: error.message });
      return [];
    }
  });
  await db.transaction(async (trx) => {
    for (const definition of definitions) await upsertTemplate(trx, connectionId, definition);
  });
  return { connectionId, stored: definitions.length, skipped };
}

/** Every connection with Meta credentials and a WABA id. */
export async function syncAllTemplates(db: Knex, cloudApi: CloudApiClient, secrets: SecretBox | null): Promise<SyncResult[]> {
  const ids = await db('whatsapp_connections')
    .where({ active: true })
    .whereNotNull('waba_id')
    .whereNotNull('access_token_encrypted')
    .pluck('id');
  const results: SyncResult[] = [];
  for (const id of ids) results.push(await syncTemplates(db, cloudApi, secrets, id as string));
  return results;
}
