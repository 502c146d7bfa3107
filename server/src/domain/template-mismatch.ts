/**
 * The message of a `422 invalid_template_parameters`. Whether a send's `template` object fits the
 * approved template is decided by the database, in the send's own statement
 * (`mojeeb_template_mismatch`, db/sql/send_rules.sql); it answers with the first field that does
 * not fit, the reason and the facts this text is written from.
 */
import type { TemplateRequest } from './templates.ts';

export type TemplateMismatch =
  | {
      readonly param: string;
      readonly reason: 'missing_parameter';
      readonly name: string;
      readonly header: boolean;
      readonly positional: boolean;
    }
  | {
      readonly param: string;
      readonly reason: 'unknown_parameter';
      readonly name: string;
      readonly header: boolean;
      readonly expected: readonly string[];
    }
  | { readonly param: string; readonly reason: 'no_text_header' | 'no_media_header' }
  | { readonly param: string; readonly reason: 'media_required'; readonly header_format: string }
  | { readonly param: string; readonly reason: 'button_twice' | 'no_dynamic_button' | 'button_required'; readonly index: number }
  | { readonly param: string; readonly reason: 'button_type'; readonly index: number; readonly type: string };

export function templateMismatchMessage(request: Pick<TemplateRequest, 'name' | 'language'>, mismatch: TemplateMismatch): string {
  const what = `'${request.name}' (${request.language})`;
  switch (mismatch.reason) {
    case 'missing_parameter': {
      const shape = mismatch.positional ? `positional parameter '${mismatch.name}' ({{${mismatch.name}}})` : `parameter '${mismatch.name}'`;
      return `The template ${what}${mismatch.header ? ' header' : ''} needs the ${shape}.`;
    }
    case 'unknown_parameter': {
      const known = mismatch.expected.length > 0 ? `; it has ${mismatch.expected.map((e) => `'${e}'`).join(', ')}` : '; it has none';
      return `The template ${what}${mismatch.header ? ' header' : ''} has no parameter '${mismatch.name}'${known}.`;
    }
    case 'no_text_header':
      return `The template ${what} has no text header with parameters.`;
    case 'media_required':
      return `The template ${what} has a ${mismatch.header_format.toLowerCase()} header: give header_media_url.`;
    case 'no_media_header':
      return `The template ${what} has no media header.`;
    case 'button_twice':
      return `Button ${mismatch.index} is given twice.`;
    case 'no_dynamic_button':
      return `The template ${what} has no dynamic button at index ${mismatch.index}.`;
    case 'button_type':
      return `Button ${mismatch.index} of the template ${what} is a ${mismatch.type} button.`;
    case 'button_required':
      return `The template ${what} needs a value for its url button at index ${mismatch.index}.`;
  }
}
