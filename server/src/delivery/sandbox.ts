/**
 * The sandbox: what test keys (`mk_test_…`) and numbers without Meta credentials deliver to.
 * Nothing leaves the machine; the message becomes `sent` at once, then `delivered` and `read`
 * one step apart (SANDBOX_STEP_MS), or `failed` for the magic recipients documented in
 * openapi.yaml ("Sandbox"), each standing for one of WhatsApp's failures.
 */
export const SANDBOX_STATUS_TASK = 'sandbox_status';

export interface SandboxFailure {
  readonly code: string;
  readonly message: string;
  readonly metaErrorCode: number;
}

export type SandboxOutcome =
  | { readonly kind: 'read' }
  | { readonly kind: 'delivered' }
  | { readonly kind: 'failed'; readonly error: SandboxFailure };

/** Magic recipients: the number → what happens (the types it applies to). */
export const SANDBOX_RECIPIENTS: Readonly<
  Record<string, { readonly appliesTo: ReadonlyArray<'text' | 'template'>; readonly outcome: SandboxOutcome }>
> = {
  '+15550001001': {
    appliesTo: ['text'],
    outcome: {
      kind: 'failed',
      error: {
        code: 'customer_service_window_closed',
        message: 'More than 24 hours have passed since the customer last replied to this number.',
        metaErrorCode: 131047,
      },
    },
  },
  '+15550001002': {
    appliesTo: ['text', 'template'],
    outcome: {
      kind: 'failed',
      error: { code: 'recipient_unavailable', message: 'The message could not be delivered to the recipient.', metaErrorCode: 131026 },
    },
  },
  '+15550001003': {
    appliesTo: ['template'],
    outcome: {
      kind: 'failed',
      error: { code: 'template_error', message: 'The template does not exist in this language or is not approved.', metaErrorCode: 132001 },
    },
  },
  '+15550001004': {
    appliesTo: ['text', 'template'],
    outcome: {
      kind: 'failed',
      error: { code: 'rate_limited', message: 'Too many messages were sent to this recipient in a short time.', metaErrorCode: 131056 },
    },
  },
  '+15550001005': {
    appliesTo: ['text', 'template'],
    outcome: {
      kind: 'failed',
      error: {
        code: 'recipient_opted_out',
        message: 'The recipient opted out of marketing messages from this business.',
        metaErrorCode: 131050,
      },
    },
  },
  '+15550001006': { appliesTo: ['text', 'template'], outcome: { kind: 'delivered' } },
};

export function sandboxOutcome(to: string, type: 'text' | 'template'): SandboxOutcome {
  const magic = SANDBOX_RECIPIENTS[to];
  return magic && magic.appliesTo.includes(type) ? magic.outcome : { kind: 'read' };
}
