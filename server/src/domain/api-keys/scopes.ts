// Scopes a key may carry (openapi.yaml, "Scopes"). `*` grants every current and future scope.
// `whatsapp:send` sends and reads; `whatsapp:read` only reads: the message status, the lists of
// messages and conversations, a conversation and the window lookup accept either one
// (`x-required-scopes: ['whatsapp:read', 'whatsapp:send']`), so keys made before the lists
// existed read them too.
export const SCOPES = ['whatsapp:send', 'whatsapp:read', 'messenger:send', 'instagram:send', 'webhooks:manage', '*'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/**
 * An operation lists the scopes that each suffice (`x-required-scopes`); the first one is the
 * one named in `insufficient_scope.required_scope`.
 */
export function missingScope(granted: readonly string[], acceptable: readonly string[]): string | null {
  if (acceptable.length === 0 || granted.includes('*')) return null;
  return acceptable.some((scope) => granted.includes(scope)) ? null : (acceptable[0] ?? null);
}
