/**
 * Fake Meta, for tests and benchmarks: `startFakeMeta(options)` → a Graph API stand-in on
 * 127.0.0.1 that validates what it receives against our own schema of the Cloud API (and Meta's
 * own OpenAPI document when available) and posts signed webhooks back. See README.md in this folder.
 */
export { startFakeMeta, makeWamid } from './server.ts';
export type {
  AcceptedMessage,
  FakeMeta,
  FakeMetaOptions,
  FakeMetaStats,
  FakePhoneNumber,
  InboundSpec,
  MetaErrorSpec,
  RecordedRequest,
  RequestOutcome,
  StatusName,
  WebhookOrder,
  WebhookRecord,
} from './server.ts';
export { META_ERROR_CATALOG, graphError, webhookError } from './graph-errors.ts';
export { META_DOCUMENT_ABSENT, META_DOCUMENT_PATH, metaDocument, metaDocumentAvailable, metaValidator } from './meta-document.ts';
export type { MetaValidator } from './meta-document.ts';
export { META_SCHEMA_OVERRIDES } from './meta-overrides.ts';
export type { MetaSchemaOverride } from './meta-overrides.ts';
export { ownValidator } from './own-schema.ts';
export type { CloudApiValidator, MetaValidationResult } from './validation.ts';
export { fakeMetaValidator } from './validators.ts';
export type { FakeMetaValidator, ValidationSource } from './validators.ts';
export { envelope, metaJson } from './webhooks.ts';
