/**
 * Every example in examples/ runs against the live server, as a developer would run it
 * (`npx tsx examples/<name>.ts` with the MOJEEB_* variables), and says what it should. They are
 * type-checked by the root `tsc --noEmit`; quickstart.mjs (the README's example) runs from the
 * packed package in test/sdk/package.test.ts. Every documented example as pasted, against a
 * fresh `npm start`: test/sdk/documented-examples.test.ts.
 *
 * poll-status: whether statuses move past `queued` in this run depends on delivery (the sandbox
 * simulator and the worker, which arrive separately), so the test accepts every ending that is
 * correct with or without it: a final status (delivered, read, or failed with a code), or giving
 * up at its short timeout while the status is still `queued` (or `sent`). It asserts which one
 * happened, not that delivery works.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import { createMojeebClient } from '@mojeeb/sdk';
import { describeError } from '../../examples/describe-error.ts';
import { repoRoot } from '../support/contract.ts';
import { harness } from '../support/harness.ts';
import { consumerEnv, exec, type Exec } from './commands.ts';
import { sdkTenant, templateTo, validatingFetch } from './support.ts';

function runExample(file: string, env: Record<string, string> = {}, args: string[] = []): Promise<Exec> {
  return exec(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'examples', file), ...args], {
    cwd: repoRoot,
    env: { ...consumerEnv(), ...env },
    timeout: 30_000,
  });
}

function lines(run: Exec): string[] {
  return run.stdout.trim().split('\n');
}

describe('SDK: the examples run against the live server', function () {
  this.timeout(40_000);

  it('send-template.ts: sends, and a second run with the same order is a replay of the first', async () => {
    const order = randomUUID();
    const first = await runExample('send-template.ts', { ORDER_ID: order });
    expect(first.code, first.stderr).to.equal(0);
    const [sent, details] = lines(first);
    expect(sent).to.match(/^template message [0-9a-f-]{36}: queued$/);
    expect(details).to.match(/^correlation id req_\w+, replayed false, attempts 1$/);
    const again = await runExample('send-template.ts', { ORDER_ID: order });
    expect(lines(again)[0]).to.equal(sent);
    expect(lines(again)[1]).to.match(/replayed true/);
  });

  it('send-text.ts: sends inside the window, and says to send a template outside it', async () => {
    const inside = await runExample('send-text.ts', { MOJEEB_TO: '+15550000011' }, ['Your order has shipped.']);
    expect(inside.code, inside.stderr).to.equal(0);
    expect(lines(inside)[0]).to.match(/^sandbox: \+15550000011 wrote to \+\d+; the window is open until \d{4}-\d\d-\d\dT[\d:]{8}Z$/);
    expect(lines(inside)[1]).to.match(/^text message [0-9a-f-]{36}: queued \(idempotency key [0-9a-f-]{36}\)$/);
    const outside = await runExample('send-text.ts', { MOJEEB_TO: '+15550000001', MOJEEB_SIMULATE_INBOUND: 'false' });
    expect(outside.code).to.equal(3);
    expect(lines(outside)[0]).to.equal('window closed (last customer message never): send a template instead');
  });

  it('poll-status.ts: polls until a final status or its timeout, and says which', async () => {
    const result = await runExample('poll-status.ts', { POLL_TIMEOUT_MS: '1500', POLL_INTERVAL_MS: '250' });
    const out = lines(result);
    expect(out[0]).to.match(/^sent [0-9a-f-]{36}: queued$/);
    const last = out.at(-1)!;
    if (result.code === 0) expect(last).to.be.oneOf(['delivered', 'read']);
    else if (result.code === 1) expect(last).to.match(/^failed \w+: /);
    else {
      expect(result.code, result.stderr).to.equal(2);
      expect(last).to.match(/^gave up after \d+ ms, status (queued|sent)$/);
    }
  });

  it('handle-errors.ts: each case lands in its branch', async () => {
    const result = await runExample('handle-errors.ts');
    expect(result.code, result.stderr).to.equal(0);
    const out = lines(result);
    expect(out).to.have.length(5);
    expect(out[0]).to.match(
      /^bad key: fix-the-key MojeebAuthenticationError 401 authentication_error\/invalid_api_key: .* \(correlation id req_\w+\)$/,
    );
    expect(out[1]).to.match(
      /^unknown template: fix-the-request MojeebValidationError 422 validation_error\/template_not_found param=template.name: /,
    );
    expect(out[2]).to.match(/^window closed: send-a-template MojeebValidationError 422 validation_error\/customer_service_window_closed: /);
    expect(out[3]).to.match(/^unknown message: fix-the-request MojeebNotFoundError 404 not_found_error\/message_not_found: /);
    expect(out[4]).to.match(/^nobody listening: retry-later MojeebConnectionError: .*ECONNREFUSED.*; retry later$/);
  });

  it('describe-error.ts: the other error types, produced by the live server, take their branches', async () => {
    const client = (apiKey: string) =>
      createMojeebClient({ apiKey, baseUrl: harness.server.baseUrl, fetch: validatingFetch, maxRetries: 0 });
    const caught = async (call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (error) {
        return describeError(error);
      }
      throw new Error('expected an error');
    };

    const readOnly = await sdkTenant({ scopes: ['whatsapp:read'] });
    expect(await caught(() => client(readOnly.apiKey).whatsapp.sendTemplate(readOnly.template()))).to.deep.include({
      kind: 'MojeebPermissionError',
      decision: 'fix-the-key',
    });

    const noQuota = await sdkTenant({ environment: 'live', quota: 0 });
    const quota = await caught(() => client(noQuota.apiKey).whatsapp.sendTemplate(noQuota.template()));
    expect(quota).to.deep.include({ kind: 'MojeebQuotaError', decision: 'give-up' });
    expect(quota.line).to.include('monthly quota of 0');

    const limited = await sdkTenant({ rateLimitPerMinute: 1 });
    await client(limited.apiKey)
      .whatsapp.getMessage(randomUUID())
      .catch(() => undefined);
    const limit = await caught(() => client(limited.apiKey).whatsapp.getMessage(randomUUID()));
    // Two requests in one window: the second is refused (unless a new minute began in between).
    if (limit.kind !== 'MojeebNotFoundError') expect(limit).to.deep.include({ kind: 'MojeebRateLimitError', decision: 'retry-later' });

    const key = randomUUID();
    await client(harness.fixture.apiKey).whatsapp.sendTemplate(templateTo(), { idempotencyKey: key });
    expect(await caught(() => client(harness.fixture.apiKey).whatsapp.sendTemplate(templateTo(), { idempotencyKey: key }))).to.deep.include(
      {
        kind: 'MojeebIdempotencyError',
        decision: 'fix-the-request',
      },
    );

    expect(describeError(new Error('boom'))).to.deep.include({ kind: 'unknown', decision: 'report' });
  });
});
