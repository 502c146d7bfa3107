/**
 * `admin retention run`: one round of the data retention policy now (domain/retention.ts), with
 * the settings of this environment (MESSAGE_RETENTION_DAYS, EVENT_RETENTION_DAYS, RETENTION_*),
 * and the rows it deleted per table. The servers run the same round every minute; a round
 * another process is running makes this one do nothing, and says so.
 */
import { PRUNED_TABLES, runRetentionRound } from '../../domain/retention.ts';
import { table } from '../output.ts';
import type { Command, Resource } from './command.ts';

const days = (n: number) => (n === 0 ? 'kept for ever' : `${n} days`);

const retentionRun: Command = {
  resource: 'retention',
  name: 'run',
  summary: 'Run one round of the data retention policy now and print the rows it deleted per table.',
  synopsis: '',
  positionals: [],
  options: {},
  notes: [
    'Messages, inbound messages and conversations: MESSAGE_RETENTION_DAYS; webhook events: EVENT_RETENTION_DAYS.',
    'A round is bounded by RETENTION_ROUND_MAX_MS and RETENTION_ROUND_MAX_ROWS; run it again while it reports something unfinished.',
  ],
  async prepare(_args, ctx) {
    const settings = ctx.config.retention;
    return async (db) => {
      const round = await runRetentionRound(db, settings);
      const json = {
        ran: round.ran,
        message_retention_days: settings.messageDays,
        event_retention_days: settings.eventDays,
        removed: round.removed,
        batches: round.batches,
        duration_ms: round.durationMs,
        unfinished: round.unfinished,
      };
      if (!round.ran) return { human: 'Another process is running a retention round; nothing was done. Try again later.', json };
      const lines = [
        `Messages kept ${days(settings.messageDays)}, webhook events ${days(settings.eventDays)}.`,
        '',
        table(
          ['TABLE', 'ROWS DELETED'],
          PRUNED_TABLES.map((t) => [t, String(round.removed[t])]),
        ),
        '',
        `${round.batches} batches in ${round.durationMs} ms; unfinished: ${round.unfinished.length > 0 ? round.unfinished.join(', ') : 'none'}.`,
      ];
      return { human: lines.join('\n'), json };
    };
  },
};

export const retention: Resource = {
  name: 'retention',
  description: 'The data retention policy: run a round now',
  commands: [retentionRun],
};
