// `template`: a number's message templates, as Meta approved them (registered from JSON or synced).
import { readFile } from 'node:fs/promises';
import { cloudApiFromConfig } from '../../delivery/cloud-api-config.ts';
import { syncTemplates, TemplateSyncError } from '../../delivery/template-sync.ts';
import { secretBoxFromConfig } from '../../domain/secrets.ts';
import {
  listTemplates,
  templateFromMeta,
  TemplateDefinitionError,
  upsertTemplate,
  type StoredTemplate,
  type TemplateDefinition,
} from '../../domain/templates.ts';
import * as input from '../input.ts';
import { UsageError } from '../input.ts';
import { required, type Command, type Resource } from './command.ts';
import { connectionOrFail } from './shared.ts';

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
  const params =
    t.bodyParameters.length === 0 ? 'no parameters' : `${t.parameterFormat.toLowerCase()} parameters ${t.bodyParameters.join(', ')}`;
  const header = t.headerFormat === 'NONE' ? '' : `, ${t.headerFormat.toLowerCase()} header`;
  const buttons = t.buttons.filter((b) => b.dynamic).map((b) => `${b.type}@${b.index}`);
  return `${t.name} (${t.language}) ${t.status}: ${params}${header}${buttons.length > 0 ? `, dynamic buttons ${buttons.join(' ')}` : ''}`;
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
    const list = Array.isArray(parsed)
      ? parsed
      : Array.isArray((parsed as { data?: unknown })?.data)
        ? (parsed as { data: unknown[] }).data
        : [parsed];
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

export const templates: Resource = {
  name: 'template',
  description: "Message templates of a number, as Meta approved them (Meta's template JSON)",
  commands: [templateRegister, templateSync, templateList],
};
