/**
 * The figures of one database (empty, or grown): sends against the three-INSERT baseline and
 * status reads against the one-SELECT baseline, in interleaved rounds; the message list's first
 * page and a later one; and, on the empty database, the fixed-rate run of SOAK_S seconds over
 * which the server's RSS is traced.
 */
import { encodeCursor } from '../../server/src/domain/cursor.ts';
import { positionSql } from '../../server/src/domain/cursor.ts';
import { FIXED_RATE, SOAK_S } from './common.ts';
import { traceRss, type RssTrace } from './cpu.ts';
import { interleave, load, sendRequest, type Measured, type Pair } from './load.ts';
import type { Prepared, Servers } from './setup.ts';

export interface PhaseResult {
  readonly sends: Pair;
  readonly status: Pair;
  readonly listFirst: Measured;
  readonly listLater: Measured;
  /** How many of the key's messages come before the later page. */
  readonly laterPageOffset: number;
  readonly fixed?: Measured;
  readonly rss?: RssTrace;
}

export type Part = 'sends' | 'status' | 'list' | 'fixed';

/** The cursor of the page after the key's `offset`-th newest outbound message (or halfway, when fewer). */
async function laterCursor(p: Prepared): Promise<{ cursor: string; offset: number }> {
  const count = Number((await p.db('messages').where({ organization_id: p.organizationId, environment: 'test' }).count({ n: '*' }))[0]!.n);
  const offset = Math.min(500_000, Math.floor(count / 2));
  const row = (await p.db.raw(
    `SELECT ${positionSql('created_at')} AS at, id FROM messages WHERE organization_id = ? AND environment = 'test'
      ORDER BY created_at DESC, id DESC OFFSET ? LIMIT 1`,
    [p.organizationId, offset],
  )) as { rows: Array<{ at: string; id: string }> };
  return { cursor: encodeCursor('messages', { createdAt: row.rows[0]!.at, id: row.rows[0]!.id }), offset };
}

export async function measurePhase(label: string, p: Prepared, s: Servers, parts: ReadonlySet<Part>): Promise<Partial<PhaseResult>> {
  const out: { -readonly [K in keyof PhaseResult]?: PhaseResult[K] } = {};
  const send = () => sendRequest('/v1/whatsapp/templates', p.auth, p.target);
  if (parts.has('sends')) {
    out.sends = await interleave(
      `${label} sends vs three INSERTs`,
      () =>
        load(`${label} baseline: Koa + pg, 3 INSERTs in a transaction`, {
          url: s.baselineUrl,
          requests: [sendRequest('/three', {}, p.target)],
        }),
      () => load(`${label} ours: POST /v1/whatsapp/templates`, { url: s.url, requests: [send()] }),
    );
  }
  if (parts.has('status')) {
    out.status = await interleave(
      `${label} status vs one SELECT`,
      () => load(`${label} baseline: Koa + pg, 1 indexed SELECT`, { url: `${s.baselineUrl}/select/${p.selectId}` }),
      () => load(`${label} ours: GET /v1/whatsapp/messages/{id}`, { url: `${s.url}/v1/whatsapp/messages/${s.messageId}`, headers: p.auth }),
    );
  }
  if (parts.has('list')) {
    out.listFirst = await load(`${label} ours: GET /v1/whatsapp/messages (first page)`, {
      url: `${s.url}/v1/whatsapp/messages`,
      headers: p.auth,
    });
    const later = await laterCursor(p);
    out.laterPageOffset = later.offset;
    out.listLater = await load(`${label} ours: GET /v1/whatsapp/messages (page after ${later.offset} messages)`, {
      url: `${s.url}/v1/whatsapp/messages?cursor=${later.cursor}`,
      headers: p.auth,
    });
  }
  if (parts.has('fixed')) {
    const stopTrace = traceRss(s.server.child.pid!);
    out.fixed = await load(`${label} ours: POST /v1/whatsapp/templates at ${FIXED_RATE} req/s offered for ${SOAK_S} s`, {
      url: s.url,
      requests: [send()],
      overallRate: FIXED_RATE,
      duration: SOAK_S,
    });
    out.rss = stopTrace();
  }
  return out;
}
