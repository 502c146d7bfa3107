/**
 * Each WhatsApp number's message templates, as Meta approved them, and the check that a send's
 * `template` object fits one: the right parameters (named or positional), header values and
 * dynamic buttons. Templates are registered from Meta's own template definition (the objects
 * `GET /{waba-id}/message_templates` returns), by the admin CLI now and by the sync from Meta.
 */
import type { Knex } from 'knex';

export type TemplateStatus =
  | 'APPROVED'
  | 'PENDING'
  | 'REJECTED'
  | 'PAUSED'
  | 'DISABLED'
  | 'IN_APPEAL'
  | 'PENDING_DELETION'
  | 'DELETED'
  | 'LIMIT_EXCEEDED';
export type HeaderFormat = 'NONE' | 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';
export type ParameterFormat = 'NAMED' | 'POSITIONAL';

/** A button of the approved template; `dynamic` when the send must (url) or may (quick reply, copy code) give a value. */
export interface TemplateButtonDefinition {
  readonly index: number;
  readonly type: 'url' | 'quick_reply' | 'copy_code' | 'phone_number' | 'other';
  readonly dynamic: boolean;
}

export interface TemplateDefinition {
  readonly name: string;
  readonly language: string;
  readonly status: TemplateStatus;
  readonly category: string | null;
  readonly parameterFormat: ParameterFormat;
  /** Named: the placeholder names in order of appearance. Positional: "1" … "n". */
  readonly bodyParameters: readonly string[];
  readonly headerFormat: HeaderFormat;
  readonly headerParameters: readonly string[];
  readonly buttons: readonly TemplateButtonDefinition[];
  /** Meta's definition as received, kept for building the send. */
  readonly components: unknown;
  readonly metaTemplateId: string | null;
}

export interface StoredTemplate extends TemplateDefinition {
  readonly id: string;
  readonly connectionId: string;
}

/** The template part of a send request (openapi.yaml `TemplateContent`). */
export interface TemplateRequest {
  readonly name: string;
  readonly language: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly header_parameters?: Readonly<Record<string, string>>;
  readonly header_media_url?: string;
  readonly buttons?: ReadonlyArray<{ readonly type: string; readonly index: number; readonly value: string }>;
}

export class TemplateDefinitionError extends Error {
  override name = 'TemplateDefinitionError';
}

const STATUSES: readonly TemplateStatus[] = [
  'APPROVED',
  'PENDING',
  'REJECTED',
  'PAUSED',
  'DISABLED',
  'IN_APPEAL',
  'PENDING_DELETION',
  'DELETED',
  'LIMIT_EXCEEDED',
];
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

function placeholders(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  const names: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) if (!names.includes(match[1]!)) names.push(match[1]!);
  return names;
}

function formatOf(names: readonly string[], declared: unknown): ParameterFormat {
  if (declared === 'NAMED' || declared === 'POSITIONAL') return declared;
  return names.length > 0 && names.every((n) => /^[1-9][0-9]*$/.test(n)) ? 'POSITIONAL' : names.length === 0 ? 'POSITIONAL' : 'NAMED';
}

function checkPositional(names: readonly string[], where: string): void {
  const expected = names.map((_, i) => String(i + 1));
  if ([...names].sort((a, b) => Number(a) - Number(b)).join() !== expected.join()) {
    throw new TemplateDefinitionError(`${where}: positional placeholders must be {{1}} … {{${names.length}}}`);
  }
}

/** Parses one of Meta's template objects (`name`, `language`, `status`, `components`, …). */
export function templateFromMeta(meta: unknown): TemplateDefinition {
  if (typeof meta !== 'object' || meta === null) throw new TemplateDefinitionError('a template definition must be an object');
  const m = meta as Record<string, unknown>;
  if (typeof m.name !== 'string' || !/^[a-z0-9_]{1,512}$/.test(m.name)) {
    throw new TemplateDefinitionError('name: lowercase letters, digits and underscores');
  }
  if (typeof m.language !== 'string' || !/^[a-z]{2,3}(_[A-Z]{2})?$/.test(m.language)) {
    throw new TemplateDefinitionError('language: a code such as en or pt_BR');
  }
  const status = String(m.status ?? '').toUpperCase() as TemplateStatus;
  if (!STATUSES.includes(status)) throw new TemplateDefinitionError(`status: one of ${STATUSES.join(', ')}`);
  const components = Array.isArray(m.components) ? (m.components as Array<Record<string, unknown>>) : [];
  const find = (type: string) => components.find((c) => String(c?.type ?? '').toUpperCase() === type);

  const body = find('BODY');
  const bodyParameters = placeholders(body?.text);
  const parameterFormat = formatOf(bodyParameters, m.parameter_format);
  if (parameterFormat === 'POSITIONAL') checkPositional(bodyParameters, 'body');

  const header = find('HEADER');
  const headerFormat = (header ? String(header.format ?? 'TEXT').toUpperCase() : 'NONE') as HeaderFormat;
  if (!['NONE', 'TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'].includes(headerFormat)) {
    throw new TemplateDefinitionError(`header format ${headerFormat} is not supported`);
  }
  const headerParameters = headerFormat === 'TEXT' ? placeholders(header?.text) : [];
  if (parameterFormat === 'POSITIONAL') checkPositional(headerParameters, 'header');

  const buttonList = find('BUTTONS');
  const rawButtons = Array.isArray(buttonList?.buttons) ? (buttonList.buttons as Array<Record<string, unknown>>) : [];
  const buttons = rawButtons.map((b, index): TemplateButtonDefinition => {
    switch (String(b?.type ?? '').toUpperCase()) {
      case 'URL':
        return { index, type: 'url', dynamic: placeholders(b.url).length > 0 };
      case 'QUICK_REPLY':
        return { index, type: 'quick_reply', dynamic: true };
      case 'COPY_CODE':
        return { index, type: 'copy_code', dynamic: true };
      case 'PHONE_NUMBER':
        return { index, type: 'phone_number', dynamic: false };
      default:
        return { index, type: 'other', dynamic: false };
    }
  });

  return {
    name: m.name,
    language: m.language,
    status,
    category: typeof m.category === 'string' ? m.category : null,
    parameterFormat,
    bodyParameters,
    headerFormat,
    headerParameters,
    buttons,
    components,
    metaTemplateId: typeof m.id === 'string' ? m.id : null,
  };
}

/** A row of `templates`, as the database returns it. */
export interface TemplateRow {
  id: string;
  connection_id: string;
  name: string;
  language: string;
  status: TemplateStatus;
  category: string | null;
  parameter_format: ParameterFormat;
  body_parameters: string[];
  header_format: HeaderFormat;
  header_parameters: string[];
  buttons: TemplateButtonDefinition[];
  components: unknown;
  meta_template_id: string | null;
}

export const templateFromRow = (row: TemplateRow): StoredTemplate => ({
  id: row.id,
  connectionId: row.connection_id,
  name: row.name,
  language: row.language,
  status: row.status,
  category: row.category,
  parameterFormat: row.parameter_format,
  bodyParameters: row.body_parameters,
  headerFormat: row.header_format,
  headerParameters: row.header_parameters,
  buttons: row.buttons,
  components: row.components,
  metaTemplateId: row.meta_template_id,
});

/** Registers (or replaces) a number's template, keyed by (number, name, language). */
export async function upsertTemplate(db: Knex, connectionId: string, template: TemplateDefinition): Promise<StoredTemplate> {
  const values = {
    connection_id: connectionId,
    name: template.name,
    language: template.language,
    status: template.status,
    category: template.category,
    parameter_format: template.parameterFormat,
    body_parameters: [...template.bodyParameters],
    header_format: template.headerFormat,
    header_parameters: [...template.headerParameters],
    buttons: JSON.stringify(template.buttons),
    components: JSON.stringify(template.components ?? null),
    meta_template_id: template.metaTemplateId,
  };
  const [row] = await db('templates')
    .insert(values)
    .onConflict(['connection_id', 'name', 'language'])
    .merge({ ...values, updated_at: db.fn.now() })
    .returning('*');
  return templateFromRow(row as TemplateRow);
}

export async function listTemplates(db: Knex, connectionId: string): Promise<StoredTemplate[]> {
  const rows = await db<TemplateRow>('templates').where({ connection_id: connectionId }).orderBy(['name', 'language']);
  return rows.map(templateFromRow);
}
