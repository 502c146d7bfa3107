/**
 * The statements a delivery runs, batched by deliver.ts: CLAIM loads a batch of queued messages,
 * takes their sending slots and records the attempts of slots due now; ATTEMPT records the
 * attempts of later slots shortly before them; RESLOT gives messages that missed their slot a new
 * one; RELEASE gives back an attempt that did not call Meta. Slots and clocks are the database's
 * (epoch milliseconds), see pacing.ts.
 */
import type { StoredMessageContent, TemplateShape } from '../whatsapp/message-builder.ts';
import { MAX_ATTEMPT_LEAD_MS } from './pacing.ts';

export interface Row {
  id: string;
  status: string;
  environment: 'live' | 'test';
  type: 'text' | 'template';
  to_number: string;
  content: StoredMessageContent;
  platform_message_id: string | null;
  send_attempted_at: Date | null;
  /** When the send was accepted (202): the start of the delivery latency. */
  created_at: Date;
  connection_id: string;
  phone_number_id: string | null;
  access_token_encrypted: string | null;
  messages_per_second: number;
  /** The number has an account or token error recorded (cleared by the next accepted send). */
  has_delivery_error: boolean;
  /** The stored definition of the template the message names (template messages only). */
  template: TemplateShape | null;
}

export interface Claimed extends Row {
  /** The message took a sending slot (it is live, has credentials, was queued and unattempted). */
  slotted: boolean;
  /** The slot: the database's time (epoch ms) at which the message may go out; null without a slot. */
  slot_ms: number | null;
  /** The slot was due, or at most MAX_ATTEMPT_LEAD_MS away, when taken: its attempt was to be recorded with it. */
  due: boolean;
  /** The attempt was recorded with the slot (a slot due now or within MAX_ATTEMPT_LEAD_MS): this run, and only it, may call Meta. */
  attempted: boolean;
  /** The recorded attempt's `send_attempted_at`, exactly (text), to give it back; null without one. */
  attempt_token: string | null;
  /** The database's clock while the statement ran (epoch ms). */
  db_now_ms: number;
}

/** The database's clock as a statement read it (epoch ms), for DatabaseClock. */
const DB_NOW = `CAST(extract(epoch FROM clock_timestamp()) * 1000 AS float8)`;

/**
 * Takes the sending slots of the `sendable` rows (each with `connection_id`, `spacing_ms`, its
 * `position` among the `taken` of its number): moves each number's row in send_pacing on by its
 * rows' slots, in connection order (concurrent batches cannot deadlock), and gives each row its
 * slot (`timed`: id, slot_ms in the database's epoch milliseconds).
 */
const TAKE_SLOTS = `slot AS (
  INSERT INTO send_pacing AS p (connection_id, next_slot)
  SELECT connection_id, now() + max(taken * spacing_ms) * interval '1 millisecond' FROM sendable GROUP BY connection_id ORDER BY connection_id
  ON CONFLICT (connection_id) DO UPDATE SET next_slot = greatest(p.next_slot, clock_timestamp()) + (EXCLUDED.next_slot - now())
  RETURNING connection_id, next_slot
), timed AS (
  SELECT r.id, CAST(extract(epoch FROM s.next_slot) * 1000 - (r.taken - r.position + 1) * r.spacing_ms AS float8) AS slot_ms
  FROM sendable r JOIN slot s ON s.connection_id = r.connection_id
)`;

/**
 * One statement for a batch of messages: loads each message with its number (and, for a
 * template message, the template's definition); every one that is live, has credentials, is
 * still queued and was never attempted takes the number's next sending slot, and when that slot
 * is due now or at most MAX_ATTEMPT_LEAD_MS away its attempt is recorded too. A number's slots
 * are 1/rate apart (plus 10 % slack for timer and network jitter) and come from its row in send_pacing, shared by every worker
 * process; a batch with k messages for a number moves that row k slots on and gives them the k
 * slots in turn. Rows are locked in connection order, so concurrent batches cannot deadlock.
 */
export const CLAIM = `
WITH loaded AS (
  SELECT m.id, m.status, m.environment, m.type, m.to_number, m.content, m.platform_message_id, m.send_attempted_at, m.created_at,
    c.id AS connection_id, c.phone_number_id, c.access_token_encrypted, c.messages_per_second,
    c.last_delivery_error IS NOT NULL AS has_delivery_error,
    t.template
  FROM messages m
  JOIN whatsapp_connections c ON c.id = m.connection_id
  LEFT JOIN LATERAL (
    SELECT json_build_object(
      'name', t.name, 'language', t.language, 'parameterFormat', t.parameter_format, 'bodyParameters', t.body_parameters,
      'headerFormat', t.header_format, 'headerParameters', t.header_parameters, 'buttons', t.buttons) AS template
    FROM templates t
    WHERE m.type = 'template' AND t.connection_id = m.connection_id
      AND t.name = m.content->'template'->>'name' AND t.language = m.content->'template'->>'language'
  ) t ON true
  WHERE m.id = ANY(?::uuid[])
), sendable AS (
  SELECT id, connection_id, 1100::float8 / messages_per_second AS spacing_ms,
    row_number() OVER (PARTITION BY connection_id ORDER BY id) AS position,
    count(*) OVER (PARTITION BY connection_id) AS taken
  FROM loaded
  WHERE ?::boolean AND environment = 'live' AND phone_number_id IS NOT NULL AND access_token_encrypted IS NOT NULL
    AND status = 'queued' AND platform_message_id IS NULL AND send_attempted_at IS NULL
), ${TAKE_SLOTS}, due AS (
  SELECT id, slot_ms, slot_ms <= ${DB_NOW} + ${MAX_ATTEMPT_LEAD_MS} AS due FROM timed
), attempt AS (
  UPDATE messages m SET send_attempted_at = now(), delivery_attempts = m.delivery_attempts + 1
  FROM due t
  WHERE m.id = t.id AND t.due AND m.status = 'queued' AND m.platform_message_id IS NULL AND m.send_attempted_at IS NULL
  RETURNING m.id, CAST(m.send_attempted_at AS text) AS attempt_token
)
SELECT l.*, t.id IS NOT NULL AS slotted, t.slot_ms, coalesce(t.due, false) AS due, a.id IS NOT NULL AS attempted, a.attempt_token, ${DB_NOW} AS db_now_ms
FROM loaded l
LEFT JOIN due t ON t.id = l.id
LEFT JOIN attempt a ON a.id = l.id`;

/** Records the attempts of messages whose slot was not due at once, after waiting for it. */
export const ATTEMPT = `
UPDATE messages SET send_attempted_at = now(), delivery_attempts = delivery_attempts + 1
WHERE id = ANY(?::uuid[]) AND status = 'queued' AND platform_message_id IS NULL AND send_attempted_at IS NULL
RETURNING id, CAST(send_attempted_at AS text) AS attempt_token, ${DB_NOW} AS db_now_ms`;

/**
 * For messages that missed their slot: each that is still queued, and either unattempted or
 * holding the attempt it recorded (its token: exactly that attempt, never another run's; the
 * call to Meta was not made), takes its number's next free slot, as CLAIM does. A new slot
 * close enough (SOON) keeps or records the attempt, in the same statement; a later one gives the
 * attempt back, so that a run cut while it waits has sent nothing. The missed slots stay
 * taken: a slot is never handed out twice, so the number's rate holds whatever became of the
 * sends that had them.
 */
export const RESLOT = `
WITH input AS (
  SELECT i.id, i.token, CAST(i.token AS timestamptz) AS attempted_at FROM unnest(?::uuid[], ?::text[]) AS i(id, token)
), sendable AS (
  SELECT m.id, m.connection_id, 1100::float8 / c.messages_per_second AS spacing_ms,
    row_number() OVER (PARTITION BY m.connection_id ORDER BY m.id) AS position,
    count(*) OVER (PARTITION BY m.connection_id) AS taken
  FROM input i
  JOIN messages m ON m.id = i.id
  JOIN whatsapp_connections c ON c.id = m.connection_id
  WHERE m.status = 'queued' AND m.platform_message_id IS NULL AND m.send_attempted_at IS NOT DISTINCT FROM i.attempted_at
), ${TAKE_SLOTS}, soon AS (
  SELECT id, slot_ms, slot_ms <= ${DB_NOW} + ${MAX_ATTEMPT_LEAD_MS} AS soon FROM timed
)
UPDATE messages m
SET send_attempted_at = CASE WHEN t.soon THEN coalesce(m.send_attempted_at, now()) END,
  delivery_attempts = m.delivery_attempts + CASE WHEN t.soon AND i.token IS NULL THEN 1 WHEN NOT t.soon AND i.token IS NOT NULL THEN -1 ELSE 0 END
FROM soon t JOIN input i ON i.id = t.id
WHERE m.id = t.id AND m.status = 'queued' AND m.platform_message_id IS NULL AND m.send_attempted_at IS NOT DISTINCT FROM i.attempted_at
RETURNING m.id, t.slot_ms, CAST(m.send_attempted_at AS text) AS attempt_token, ${DB_NOW} AS db_now_ms`;

/** Gives back exactly this attempt (its token) of a message that did not call Meta for it. */
export const RELEASE = `
UPDATE messages SET send_attempted_at = NULL, delivery_attempts = delivery_attempts - 1
WHERE id = ? AND status = 'queued' AND platform_message_id IS NULL AND send_attempted_at = CAST(? AS timestamptz)`;
