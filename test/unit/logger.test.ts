import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { createLogger, errorFields, MAX_FIELD_CHARS, MAX_LOG_LINE_CHARS, MAX_STACK_CHARS } from '../../server/src/logger.ts';

function capture() {
  const lines: string[] = [];
  return {
    lines,
    logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    last: () => JSON.parse(lines.at(-1)!) as Record<string, any>,
  };
}

/** Something like a database driver's client: a class instance with sockets, buffers, cycles. */
class FakeDriverClient extends EventEmitter {
  connectionParameters = { password: 'hunter2', host: 'db' };
  buffer = Buffer.alloc(4096, 1);
  self = this;
}

describe('log lines (unit)', () => {
  it('cuts long strings and keeps a stack longer, marking what was cut', () => {
    const { logger, last } = capture();
    logger.info('long', { detail: 'x'.repeat(10_000), err: { stack: 'y'.repeat(10_000) } });
    const line = last();
    expect(line.detail)
      .to.have.length.below(MAX_FIELD_CHARS + 40)
      .and.match(/…\[8976 more characters\]$/);
    expect(line.err.stack)
      .to.have.length.below(MAX_STACK_CHARS + 40)
      .and.match(/^y{4096}…/);
  });

  it('drops non-plain objects (driver clients, buffers), keeps Errors without their stack', () => {
    const { logger, lines, last } = capture();
    const error = Object.assign(new Error('canceling statement due to statement timeout'), {
      code: '57014',
      client: new FakeDriverClient(),
    });
    logger.warn('fields', { client: new FakeDriverClient(), error, at: new Date(0), nested: { a: [1, new Map()] }, fn: () => 1, big: 10n });
    const line = last();
    expect(line.client).to.equal('[FakeDriverClient]');
    expect(line.error).to.deep.equal({ name: 'Error', message: 'canceling statement due to statement timeout', code: '57014' });
    expect(line).to.deep.include({ at: '1970-01-01T00:00:00.000Z', nested: { a: [1, '[Map]'] }, big: '10' });
    expect(line).not.to.have.property('fn');
    expect(lines.at(-1)).not.to.include('hunter2');
  });

  it('bounds nesting and lists, and every line whatever the fields', () => {
    const { logger, lines, last } = capture();
    logger.info('deep', { a: { b: { c: { d: { e: 1 } } } }, list: Array.from({ length: 500 }, (_, i) => i) });
    expect(last().a).to.deep.equal({ b: { c: { d: '[nested too deep]' } } });
    expect(last().list).to.have.length(51);
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, 'z'.repeat(1_000)]));
    logger.child({ correlation_id: 'req_1' }).error('too big', many);
    expect(lines.at(-1)!.length).to.be.at.most(MAX_LOG_LINE_CHARS);
    expect(last()).to.include({ msg: 'too big', correlation_id: 'req_1', level: 'error' });
    expect(last().log_truncated).to.be.above(MAX_LOG_LINE_CHARS);
    logger.info('m'.repeat(100_000), { x: 1 });
    expect(lines.at(-1)!.length).to.be.at.most(MAX_LOG_LINE_CHARS);
  });

  it("keeps an internal error's stack (errorFields)", () => {
    const { logger, last } = capture();
    logger.error('unhandled error', errorFields(new TypeError('boom')));
    expect(last().err).to.include({ name: 'TypeError', message: 'boom' });
    expect(last().err.stack).to.match(/^TypeError: boom\n\s+at /);
  });
});
