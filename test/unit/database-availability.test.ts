import { expect } from 'chai';
import { classifyDatabaseFailure, DatabaseAvailability } from '../../server/src/db/availability.ts';
import { isDatabaseUnavailable } from '../../server/src/http/error-handler.ts';
import { createLogger } from '../../server/src/logger.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('database failures (unit)', () => {
  it('tells an unavailable or stalled database from a genuine error', () => {
    const cases: Array<[unknown, string | null]> = [
      [withCode('57014', 'canceling statement due to statement timeout'), 'statement_timeout'],
      [withCode('55P03', 'canceling statement due to lock timeout'), 'lock_timeout'],
      [
        Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }),
        'pool_timeout',
      ],
      [withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), 'unreachable'],
      [withCode('ECONNRESET'), 'unreachable'],
      [new Error('Connection terminated unexpectedly'), 'unreachable'],
      [new Error('timeout exceeded when trying to connect'), 'unreachable'],
      [new Error('ROLLBACK - Client has encountered a connection error and is not queryable'), 'unreachable'],
      [withCode('57P01', 'terminating connection due to administrator command'), 'restarting'],
      [withCode('57P03', 'the database system is starting up'), 'restarting'],
      [withCode('53300', 'sorry, too many clients already'), 'too_many_connections'],
      // Genuine errors: a bug in a query, a constraint, anything thrown that is not an Error.
      [withCode('42P01', 'relation "nope" does not exist'), null],
      [withCode('23505', 'duplicate key value violates unique constraint'), null],
      [withCode('40001', 'could not serialize access'), null],
      [new TypeError("Cannot read properties of undefined (reading 'id')"), null],
      [{ code: '57014' }, null],
      ['57014', null],
    ];
    for (const [error, expected] of cases) {
      expect(classifyDatabaseFailure(error), String((error as Error).message ?? error)).to.equal(expected);
      expect(isDatabaseUnavailable(error)).to.equal(expected !== null);
    }
  });

  it('logs an outage once when it starts and once when it ends, with its duration', () => {
    const lines: Array<Record<string, unknown>> = [];
    let now = 1_000;
    const tracker = new DatabaseAvailability(createLogger({ write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }), {
      quietMs: 2_000,
      now: () => now,
    });
    tracker.succeeded();
    expect(lines).to.deep.equal([]);
    for (let i = 0; i < 200; i++) {
      tracker.failed(i % 2 === 0 ? 'statement_timeout' : 'pool_timeout');
      now += 10;
    }
    // A success right after failures (a stall that still lets some queries through) does not end it.
    tracker.succeeded();
    expect(tracker.unavailable).to.equal(true);
    now += 2_000;
    tracker.succeeded();
    tracker.succeeded();
    expect(tracker.unavailable).to.equal(false);
    expect(lines.map((l) => [l.level, l.msg])).to.deep.equal([
      ['warn', 'database unavailable'],
      ['info', 'database available again'],
    ]);
    expect(lines[0]).to.include({ reason: 'statement_timeout' });
    expect(lines[1]).to.deep.include({ duration_ms: 4_000, failed_requests: 200, reasons: ['statement_timeout', 'pool_timeout'] });
  });
});
