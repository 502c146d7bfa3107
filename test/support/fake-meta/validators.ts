/**
 * The validator the fake Meta (and the tests that check what we send) use: our own schema
 * always, and Meta's own OpenAPI document (with the documented overrides) as well when it is
 * available — beside the clone at ../shared/reference/, or where `META_OPENAPI_DOCUMENT` names it.
 * A body is valid only if every schema in use accepts it; each error line says which one refused.
 */
import { metaDocumentAvailable, metaValidator } from './meta-document.ts';
import { ownValidator } from './own-schema.ts';
import type { CloudApiValidator, MetaValidationResult } from './validation.ts';

export type ValidationSource = 'own schema' | "Meta's document";

export interface FakeMetaValidator extends CloudApiValidator {
  /** The schemas every check runs against, in order. */
  readonly sources: readonly ValidationSource[];
}

let shared: FakeMetaValidator | undefined;

/** Own schema + Meta's document when available (built once per process). */
export function fakeMetaValidator(): FakeMetaValidator {
  return (shared ??= combine(
    metaDocumentAvailable()
      ? [
          ['own schema', ownValidator()],
          ["Meta's document", metaValidator()],
        ]
      : [['own schema', ownValidator()]],
  ));
}

type Method = keyof CloudApiValidator;
const METHODS: readonly Method[] = [
  'validateSendBody',
  'validateWebhookPayload',
  'validateSendResponse',
  'validateGraphError',
  'validateTemplateList',
];

export function combine(validators: ReadonlyArray<readonly [ValidationSource, CloudApiValidator]>): FakeMetaValidator {
  const check =
    (method: Method) =>
    (data: unknown): MetaValidationResult => {
      const errors: string[] = [];
      for (const [source, validator] of validators) {
        const result = validator[method](data);
        if (!result.valid) errors.push(...result.errors.map((line) => `${source}: ${line}`));
      }
      return errors.length === 0 ? { valid: true, errors: [] } : { valid: false, errors: errors.slice(0, 20) };
    };
  return {
    sources: validators.map(([source]) => source),
    ...(Object.fromEntries(METHODS.map((m) => [m, check(m)])) as Record<Method, (data: unknown) => MetaValidationResult>),
  };
}
