// The demo data of a first start (`npm start` on a database without any organization, with
// SEED_DEMO on): a Professional organization, an agent, an active sandbox number with Meta's
// sample template approved, and a test key with `whatsapp:send` and `whatsapp:read`, created in
// one transaction, once per database.
// `service_metadata.demo_seeded_at` records that it happened, so deleting the demo organization
// later never brings it back.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { createAgent, createConnection } from './agents.ts';
import { createApiKey } from './api-keys/store.ts';
import { createOrganization } from './organizations.ts';
import { templateFromMeta, upsertTemplate } from './templates.ts';

/**
 * The template the printed curl sends: Meta's default sample template, approved for every new
 * WhatsApp Business Account; registered for the demo (sandbox) number.
 */
export const DEMO_TEMPLATE = { name: 'hello_world', language: 'en_US' } as const;

/** DEMO_TEMPLATE as Meta's `GET /{waba-id}/message_templates` returns it (no parameters). */
export const DEMO_TEMPLATE_META = {
  ...DEMO_TEMPLATE,
  status: 'APPROVED',
  category: 'UTILITY',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
    {
      type: 'BODY',
      text:
        'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification ' +
        'from the Cloud API, hosted on WhatsApp Business Platform. Thank you for taking the time to test with us.',
    },
    { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
  ],
} as const;

/** The demo agent's sandbox number (555-01xx: reserved for fiction) and the customer the curl writes to. */
export const DEMO_FROM = '+15555550100';
export const DEMO_TO = '+15555550199';

export const DEMO_ORGANIZATION_NAME = 'Demo organization';
export const DEMO_AGENT_NAME = 'Demo agent';
export const DEMO_KEY_NAME = 'demo key (first start)';
export const DEMO_QUOTA = 10_000;

/** service_metadata keys. */
export const DEMO_SEEDED_AT = 'demo_seeded_at';
export const DEMO_ORGANIZATION_ID = 'demo_organization_id';

// Serialises concurrent first starts on one database (two server processes): the second waits,
// then sees the first one's record.
const ADVISORY_LOCK = "hashtext('mojeeb:demo-seed')";

export interface DemoData {
  readonly organizationId: string;
  readonly agentId: string;
  readonly keyId: string;
  /** The test key: shown once, at the first start. */
  readonly apiKey: string;
  readonly from: string;
  readonly to: string;
  readonly template: typeof DEMO_TEMPLATE;
}

export type DemoOutcome =
  /** Created now. */
  | { readonly kind: 'created'; readonly demo: DemoData }
  /** Created at an earlier start; the organization may have been deleted since (then null). */
  | { readonly kind: 'seeded-before'; readonly seededAt: string; readonly organizationId: string | null }
  /** Never seeded, and the database already has organizations: nothing to do. */
  | { readonly kind: 'not-empty' };

/** Creates the demo data if the database has never had it and has no organization. */
export async function ensureDemoData(db: Knex): Promise<DemoOutcome> {
  return db.transaction(async (trx) => {
    await trx.raw(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK})`);
    const seeded = await demoRecord(trx);
    if (seeded !== null) return { kind: 'seeded-before', ...seeded };
    const anyOrganization = await trx('organizations').first('id');
    if (anyOrganization !== undefined) return { kind: 'not-empty' };

    const organization = await createOrganization(trx, { name: DEMO_ORGANIZATION_NAME, plan: 'professional', monthlyMessageQuota: DEMO_QUOTA });
    const agent = await createAgent(trx, { organizationId: organization.id, name: DEMO_AGENT_NAME });
    const connection = await createConnection(trx, { agentId: agent.id, phoneNumber: DEMO_FROM }, null);
    await upsertTemplate(trx, connection.id, templateFromMeta(DEMO_TEMPLATE_META));
    const key = await createApiKey(trx, {
      organizationId: organization.id,
      name: DEMO_KEY_NAME,
      environment: 'test',
      scopes: ['whatsapp:send', 'whatsapp:read'],
    });
    await trx('service_metadata').insert([
      { key: DEMO_SEEDED_AT, value: new Date().toISOString() },
      { key: DEMO_ORGANIZATION_ID, value: organization.id },
    ]);
    return {
      kind: 'created',
      demo: {
        organizationId: organization.id,
        agentId: agent.id,
        keyId: key.record.id,
        apiKey: key.plaintext,
        from: DEMO_FROM,
        to: DEMO_TO,
        template: DEMO_TEMPLATE,
      },
    };
  });
}

/** When the demo was seeded and its organization (null once deleted); null if never. */
async function demoRecord(db: Knex): Promise<{ seededAt: string; organizationId: string | null } | null> {
  const rows = await db<{ key: string; value: string }>('service_metadata').whereIn('key', [DEMO_SEEDED_AT, DEMO_ORGANIZATION_ID]).select('key', 'value');
  const seededAt = rows.find((r) => r.key === DEMO_SEEDED_AT)?.value;
  if (seededAt === undefined) return null;
  const recorded = rows.find((r) => r.key === DEMO_ORGANIZATION_ID)?.value;
  const stillThere = recorded !== undefined ? await db('organizations').where({ id: recorded }).first('id') : undefined;
  return { seededAt, organizationId: stillThere !== undefined ? recorded! : null };
}

/** Single-quotes a string for a POSIX shell. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A ready-to-paste curl for the documented template send, with the demo agent, number and key. */
export function demoCurl(baseUrl: string, demo: DemoData): string {
  const body = JSON.stringify({
    agent_id: demo.agentId,
    from: demo.from,
    to: demo.to,
    template: { name: demo.template.name, language: demo.template.language },
  });
  return [
    `curl -sS -X POST ${shellQuote(`${baseUrl}/v1/whatsapp/templates`)} \\`,
    `  -H ${shellQuote(`Authorization: Bearer ${demo.apiKey}`)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H ${shellQuote(`Idempotency-Key: demo-${randomBytes(6).toString('hex')}`)} \\`,
    `  -d ${shellQuote(body)}`,
  ].join('\n');
}

/** What the first start prints after the "listening" block. */
export function demoAnnouncement(baseUrl: string, demo: DemoData): string {
  return [
    'First start: created demo data (an empty database; SEED_DEMO=false turns this off).',
    `  organization    ${demo.organizationId}  ${DEMO_ORGANIZATION_NAME}, plan professional`,
    `  agent           ${demo.agentId}  ${DEMO_AGENT_NAME}`,
    `  sandbox number  ${demo.from}  (no Meta credentials: the sandbox delivers, nothing reaches WhatsApp)`,
    `  test API key    ${demo.apiKey}`,
    '',
    '  Store the key now: it is shown only this once (the database keeps a hash).',
    '',
    `Send the approved template '${demo.template.name}' (${demo.template.language}) from the demo number:`,
    '',
    demoCurl(baseUrl, demo),
    '',
  ].join('\n');
}

/** The one line of a later start. */
export function demoReminder(outcome: Extract<DemoOutcome, { kind: 'seeded-before' }>): string {
  const org = outcome.organizationId ?? '<org-id>';
  return (
    `The demo test key was shown at the first start (${outcome.seededAt}); ` +
    `create another with: npm run admin -- key create --org ${org} --name "my key" --test`
  );
}
