/**
 * What the fault scenarios share: a fresh, migrated database on the throwaway cluster with a
 * tenant and a test key (sandbox delivery), a trickle of sends that records every answer, server
 * and worker processes whose unexpected exits are counted, and waiting for messages to reach
 * their final status (read through short-lived connections, so the check itself survives the
 * restarts it measures).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { createDatabase, migrateToLatest } from '../../../server/src/db/knex.ts';
import { createLogger } from '../../../server/src/logger.ts';
import { repoRoot } from '../../support/contract.ts';
import { terminate } from '../../support/processes.ts';
import { createFreshDatabase, type FreshDatabase } from '../../support/postgres.ts';
import { createAgent, createConnection } from '../../../server/src/domain/agents.ts';
import { createApiKey } from '../../../server/src/domain/api-keys/store.ts';
import { SecretBox } from '../../../server/src/domain/secrets.ts';
import { createOrganization } from '../../../server/src/domain/organizations.ts';
import { templateFromMeta, upsertTemplate } from '../../../server/src/domain/templates.ts';
import { EXAMPLE_TEMPLATES } from '../../support/fixtures.ts';
import { randomE164 } from '../../support/tenants.ts';
import type { Cluster } from './cluster.ts';

export interface FaultDatabase {
  readonly database: FreshDatabase;
  readonly url: string;
  /** A test key of a high rate limit, its agent and sandbox number. */
  readonly key: string;
  readonly agentId: string;
  readonly from: string;
}

export interface LiveNumberOptions {
  readonly phoneNumberId: string;
  readonly accessToken: string;
  readonly messagesPerSecond: number;
  /** The key the server encrypts access tokens with (the server gets it as ENCRYPTION_KEY). */
  readonly encryptionKey: Buffer;
}

/**
 * A fresh database with an organization, an agent, a number with `order_shipped` approved and a
 * key: a test key (sandbox delivery), or, given `live`, a live key and a number with Meta
 * credentials (delivery to the fake Meta).
 */
export async function prepareDatabase(cluster: Cluster, purpose: string, live?: LiveNumberOptions): Promise<FaultDatabase> {
  const database = await createFreshDatabase(cluster.url(), purpose);
  const db = createDatabase({ connectionString: database.connectionString, poolMax: 2, logger: createLogger({ level: 'warn' }) });
  try {
    await migrateToLatest(db);
    const organization = await createOrganization(db, { name: `Faults ${purpose}`, plan: 'professional', monthlyMessageQuota: 1_000_000 });
    const agent = await createAgent(db, { organizationId: organization.id, name: 'Fault agent' });
    const from = randomE164();
    const connection = live
      ? await createConnection(
          db,
          {
            agentId: agent.id,
            phoneNumber: from,
            phoneNumberId: live.phoneNumberId,
            accessToken: live.accessToken,
            messagesPerSecond: live.messagesPerSecond,
          },
          new SecretBox(live.encryptionKey),
        )
      : await createConnection(db, { agentId: agent.id, phoneNumber: from }, null);
    await upsertTemplate(db, connection.id, templateFromMeta(EXAMPLE_TEMPLATES[0]));
    const key = await createApiKey(db, {
      organizationId: organization.id,
      name: 'fault key',
      environment: live ? 'live' : 'test',
      scopes: ['whatsapp:send', 'whatsapp:read'],
      rateLimitPerMinute: 1_000_000,
    });
    return { database, url: database.connectionString, key: key.plaintext, agentId: agent.id, from };
  } finally {
    await db.destroy();
  }
}

/** One query on a connection of its own (nothing pooled to go stale across restarts). */
export async function queryOnce<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Message counts by status for `ids`. */
export async function statusCounts(url: string, ids: readonly string[]): Promise<Record<string, number>> {
  const rows = await queryOnce<{ status: string; n: string }>(
    url,
    'SELECT status, count(*) AS n FROM messages WHERE id = ANY($1::uuid[]) GROUP BY status',
    [ids],
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/**
 * Polls until every message of `ids` has `status` (resolves with the time it took) or the
 * deadline passes (rejects with the counts seen last).
 */
export async function waitForStatus(url: string, ids: readonly string[], status: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let last: Record<string, number> | string = {};
  while (Date.now() - started < timeoutMs) {
    try {
      last = await statusCounts(url, ids);
      if ((last[status] ?? 0) === ids.length) return Date.now() - started;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  throw new Error(`${ids.length} messages did not all reach '${status}' within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/**
 * Polls until no message of `ids` is `queued` and every one is final (`read` or `failed`), or
 * the deadline passes; resolves with the time it took (null at the deadline) and the counts by
 * status, and failure code, seen last.
 */
export async function waitUntilSettled(
  url: string,
  ids: readonly string[],
  timeoutMs: number,
): Promise<{ ms: number | null; counts: Record<string, number> }> {
  const started = Date.now();
  let counts: Record<string, number> = {};
  while (Date.now() - started < timeoutMs) {
    try {
      const rows = await queryOnce<{ k: string; n: string }>(
        url,
        `SELECT status || coalesce(':' || error_code, '') AS k, count(*) AS n FROM messages WHERE id = ANY($1::uuid[]) GROUP BY 1`,
        [ids],
      );
      counts = Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
      const final = Object.entries(counts).reduce((n, [k, v]) => n + (k === 'read' || k.startsWith('failed') ? v : 0), 0);
      if (final === ids.length) return { ms: Date.now() - started, counts };
    } catch {
      // the database is still coming back
    }
    await sleep(250);
  }
  return { ms: null, counts };
}

/**
 * For each of `ids` not yet final (at most 10): its status, wamid, the status events recorded for
 * it and the queue's jobs that name its wamid or id (including failed ones), one line each.
 */
export async function notFinalReport(url: string, ids: readonly string[]): Promise<string> {
  const rows = await queryOnce<{ line: string }>(
    url,
    `SELECT concat_ws(' | ', m.id, m.status, m.platform_message_id, m.updated_at,
       'events: ' || coalesce((SELECT string_agg(e.status || '@' || e.received_at || coalesce(' msg=' || e.message_id, ' unmatched'), ', ') FROM message_events e WHERE e.platform_message_id = m.platform_message_id), 'none'),
       'jobs: ' || coalesce((SELECT string_agg(j.task_identifier || ' attempts=' || j.attempts || '/' || j.max_attempts || ' run_at=' || j.run_at || ' locked_by=' || coalesce(j.locked_by, '-') || ' last_error=' || coalesce(left(j.last_error, 120), '-'), ', ')
         FROM graphile_worker._private_jobs pj JOIN graphile_worker._private_tasks t ON t.id = pj.task_id, LATERAL (SELECT t.identifier AS task_identifier, pj.*) j
         WHERE pj.payload::text LIKE '%' || m.platform_message_id || '%' OR pj.payload::text LIKE '%' || m.id || '%'), 'none')) AS line
     FROM messages m WHERE m.id = ANY($1::uuid[]) AND m.status NOT IN ('read', 'failed') ORDER BY m.created_at LIMIT 10`,
    [ids],
  );
  return rows.map((r) => `        ${r.line}`).join('\n') || '        (none)';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface SendAnswer {
  readonly at: number;
  /** HTTP status, or 0 when the request failed at the transport. */
  readonly status: number;
  readonly id?: string;
  readonly code?: string;
  readonly latencyMs: number;
}

export interface Trickle {
  readonly answers: SendAnswer[];
  /** Ids of the accepted (202) messages so far. */
  accepted(): string[];
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

/** Template sends at `perSecond` to random recipients, each answer recorded (no retries). */
export function startTrickle(baseUrl: string, tenant: Pick<FaultDatabase, 'key' | 'agentId' | 'from'>, perSecond: number): Trickle {
  const answers: SendAnswer[] = [];
  const inFlight = new Set<Promise<void>>();
  const sendOne = async (i: number) => {
    const started = Date.now();
    try {
      const res = await fetch(`${baseUrl}/v1/whatsapp/templates`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          agent_id: tenant.agentId,
          from: tenant.from,
          to: randomE164(),
          template: { name: 'order_shipped', language: 'en', parameters: { customer_name: `C${i}`, tracking_url: 'https://t.example' } },
        }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await res.json().catch(() => ({}))) as { id?: string; error?: { code?: string } };
      answers.push({ at: started, status: res.status, id: body.id, code: body.error?.code, latencyMs: Date.now() - started });
    } catch {
      answers.push({ at: started, status: 0, latencyMs: Date.now() - started });
    }
  };
  let i = 0;
  const timer = setInterval(() => {
    const p = sendOne(i++).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, 1000 / perSecond);
  return {
    answers,
    accepted: () => answers.filter((a) => a.status === 202 && a.id !== undefined).map((a) => a.id!),
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
    },
  };
}

/** The first 202 of the trickle whose request started at or after `since` (ms after it), or null. */
export function firstAcceptedAfter(answers: readonly SendAnswer[], since: number): number | null {
  const first = answers.filter((a) => a.status === 202 && a.at >= since).sort((a, b) => a.at - b.at)[0];
  return first ? first.at + first.latencyMs - since : null;
}

export interface WatchedProcess {
  readonly child: ChildProcess;
  /** Exits that nobody asked for (the test's own stop does not count). */
  unexpectedExits(): Array<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** Resolves once the output contains `text`; rejects after `timeoutMs` or if the process exits first. */
  waitForOutput(text: string, timeoutMs: number): Promise<void>;
  stop(timeoutMs?: number): Promise<number | null>;
}

/** `node --import tsx server/src/worker-main.ts` with the given environment. */
export function startWorkerProcess(env: Record<string, string>): WatchedProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/src/worker-main.ts')], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watch(child);
}

export function watch(child: ChildProcess): WatchedProcess {
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  let stopping = false;
  const exits: Array<{ code: number | null; signal: NodeJS.Signals | null }> = [];
  const closed = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      if (!stopping) exits.push({ code, signal });
      resolve(code);
    }),
  );
  return {
    child,
    unexpectedExits: () => exits,
    output: () => out,
    async waitForOutput(text, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!out.includes(text)) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`exited before printing ${JSON.stringify(text)}:\n${out.slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} within ${timeoutMs} ms:\n${out.slice(-2000)}`);
        await sleep(50);
      }
    },
    async stop(timeoutMs = 15_000) {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      return terminate(child, closed, timeoutMs);
    },
  };
}
