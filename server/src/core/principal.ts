/** What a handler knows about the caller once its API key was authenticated (http/auth.ts). */
export interface Principal {
  readonly keyId: string;
  readonly organizationId: string;
  readonly environment: 'live' | 'test';
  readonly scopes: readonly string[];
  /** null: every agent of the organization. */
  readonly agentIds: readonly string[] | null;
}
