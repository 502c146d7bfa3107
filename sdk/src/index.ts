// @mojeeb/sdk: a typed client for the Mojeeb Public API. Types come from openapi.yaml through
// openapi-typescript (./generated); the runtime is openapi-fetch.
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/openapi.js';

export type { components, operations, paths } from './generated/openapi.js';
export type { KnownErrorCode, KnownErrorType, KnownMessageErrorCode } from './generated/error-codes.js';
export { knownErrorCodes } from './generated/error-codes.js';

export interface MojeebClientOptions {
  /** An API key, `mk_live_…` or `mk_test_…`. */
  readonly apiKey: string;
  /** Defaults to https://api.mojeeb.app. */
  readonly baseUrl?: string;
  /** A fetch implementation; defaults to the global one. */
  readonly fetch?: typeof globalThis.fetch;
}

export type MojeebRawClient = Client<paths>;

/** The raw typed client: every operation of openapi.yaml, authenticated with the key. */
export function createMojeebClient(options: MojeebClientOptions): MojeebRawClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? 'https://api.mojeeb.app',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const authorization = `Bearer ${options.apiKey}`;
  client.use({
    onRequest({ request }) {
      request.headers.set('Authorization', authorization);
      return request;
    },
  });
  return client;
}
