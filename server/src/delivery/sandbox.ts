/**
 * The sandbox: what test keys (`mk_test_…`) and numbers without Meta credentials deliver to.
 * Nothing leaves the machine; the message becomes `sent` at once, then `delivered` and `read`
 * one step apart (SANDBOX_STEP_MS), or `failed` for the magic recipients documented in
 * openapi.yaml ("Sandbox"), each standing for one of WhatsApp's failures. The statuses come in
 * order: each one's job schedules the next once it is recorded (in the same transaction), so two
 * of them never run at the same time, however late the worker picks them up.
 */
import type { Knex } from 'knex';

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

/** A status the sandbox reports after `sent`. */
export interface SandboxStep {
  readonly status: 'delivered' | 'read' | 'failed';
  readonly error?: SandboxFailure;
}

/** The statuses a message reports after `sent`, in order. */
export function sandboxSteps(outcome: SandboxOutcome): SandboxStep[] {
  if (outcome.kind === 'failed') return [{ status: 'failed', error: outcome.error }];
  return outcome.kind === 'delivered' ? [{ status: 'delivered' }] : [{ status: 'delivered' }, { status: 'read' }];
}

/** The payload of a `sandbox_status` job: one status, and the ones that follow it. */
export interface SandboxStatusPayload extends SandboxStep {
  readonly wamid: string;
  /** When the status happened (ISO 8601). */
  readonly at: string;
  /** The statuses after this one; absent in jobs queued before they were chained. */
  readonly next?: readonly SandboxStep[];
}

/** Queues the first of `steps` one step from now, carrying the rest (its job queues the next). */
export async function scheduleSandboxSteps(db: Knex, wamid: string, steps: readonly SandboxStep[], stepMs: number): Promise<void> {
  const [step, ...next] = steps;
  if (step === undefined) return;
  const at = new Date(Date.now() + stepMs);
  const payload: SandboxStatusPayload = { wamid, ...step, at: at.toISOString(), next };
  await db.raw(`SELECT graphile_worker.add_job(?, ?::json, run_at => ?, max_attempts => 5)`, [
    SANDBOX_STATUS_TASK,
    JSON.stringify(payload),
    at,
  ]);
}
