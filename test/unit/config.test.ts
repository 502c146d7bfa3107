import { expect } from 'chai';
import path from 'node:path';
import { ConfigError, loadConfig, repoRoot } from '../../server/src/config.ts';
import { correlationIdFrom } from '../../server/src/http/correlation.ts';
import { formatParam } from '../../server/src/http/validation.ts';

describe('configuration', () => {
  it('has documented defaults', () => {
    const config = loadConfig({});
    expect(config).to.deep.include({ port: 3000, host: '127.0.0.1', databaseUrl: undefined, logLevel: 'info', dbPoolMax: 10 });
    expect(config.embeddedPg).to.deep.equal({ dataDir: path.join(repoRoot, '.data/postgres'), port: 54329 });
    expect(config.openapiPath).to.equal(path.join(repoRoot, 'openapi.yaml'));
  });

  it('reads the environment', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u@h/db',
      EMBEDDED_PG_DIR: '/var/pg',
      EMBEDDED_PG_PORT: '6000',
      LOG_LEVEL: 'DEBUG',
    });
    expect(config).to.deep.include({ port: 0, host: '0.0.0.0', databaseUrl: 'postgres://u@h/db', logLevel: 'debug' });
    expect(config.embeddedPg).to.deep.equal({ dataDir: '/var/pg', port: 6000 });
  });

  it('has database and HTTP timeouts a send never reaches and a slow client cannot outlast', () => {
    expect(loadConfig({})).to.deep.include({
      dbStatementTimeoutMs: 5_000,
      dbLockTimeoutMs: 2_000,
      dbAcquireTimeoutMs: 2_000,
      httpHeadersTimeoutMs: 10_000,
      httpRequestTimeoutMs: 30_000,
      httpKeepAliveTimeoutMs: 5_000,
      httpMaxConnections: 1_000,
    });
    expect(
      loadConfig({
        DB_STATEMENT_TIMEOUT_MS: '0',
        DB_LOCK_TIMEOUT_MS: '0',
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_REQUEST_TIMEOUT_MS: '3000',
      }),
    ).to.deep.include({
      dbStatementTimeoutMs: 0,
      dbLockTimeoutMs: 0,
      httpHeadersTimeoutMs: 2_000,
      httpRequestTimeoutMs: 3_000,
    });
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '40000' })).to.throw(
      ConfigError,
      'HTTP_HEADERS_TIMEOUT_MS (40000) must not exceed HTTP_REQUEST_TIMEOUT_MS (30000)',
    );
  });

  it('reads TRUST_PROXY (off by default) and the /metrics protection', () => {
    expect(loadConfig({})).to.deep.include({ trustProxy: 0, metricsToken: undefined, metricsPort: undefined, metricsHost: '127.0.0.1' });
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).to.equal(1);
    expect(loadConfig({ TRUST_PROXY: 'FALSE' }).trustProxy).to.equal(0);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).to.equal(2);
    expect(loadConfig({ METRICS_TOKEN: 'a-long-enough-token', METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' })).to.deep.include({
      metricsToken: 'a-long-enough-token',
      metricsPort: 9464,
      metricsHost: '0.0.0.0',
    });
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).to.throw(ConfigError, 'TRUST_PROXY');
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).to.throw(ConfigError, 'METRICS_TOKEN');
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).to.not.throw(/short/);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).to.throw(ConfigError, 'METRICS_PORT');
  });

  it('reads the retention policy and the bounds of its rounds', () => {
    expect(loadConfig({}).retention).to.deep.equal({
      messageDays: 365,
      eventDays: 30,
      batchSize: 500,
      batchPauseMs: 100,
      roundMaxMs: 10_000,
      roundMaxRows: 50_000,
    });
    expect(
      loadConfig({
        MESSAGE_RETENTION_DAYS: '0',
        EVENT_RETENTION_DAYS: '7',
        RETENTION_BATCH_SIZE: '50',
        RETENTION_BATCH_PAUSE_MS: '0',
        RETENTION_ROUND_MAX_MS: '2000',
        RETENTION_ROUND_MAX_ROWS: '50',
      }).retention,
    ).to.deep.equal({ messageDays: 0, eventDays: 7, batchSize: 50, batchPauseMs: 0, roundMaxMs: 2_000, roundMaxRows: 50 });
    expect(() => loadConfig({ RETENTION_BATCH_SIZE: '1000', RETENTION_ROUND_MAX_ROWS: '999' })).to.throw(
      ConfigError,
      'RETENTION_BATCH_SIZE (1000) must not exceed RETENTION_ROUND_MAX_ROWS (999)',
    );
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '  ', PORT: '' })).to.deep.include({ databaseUrl: undefined, port: 3000 });
  });

  for (const [name, value] of [
    ['PORT', '70000'],
    ['PORT', 'abc'],
    ['EMBEDDED_PG_PORT', '0'],
    ['LOG_LEVEL', 'loud'],
    ['DB_POOL_MAX', '1.5'],
    ['DB_STATEMENT_TIMEOUT_MS', '-1'],
    ['DB_ACQUIRE_TIMEOUT_MS', '0'],
    ['HTTP_MAX_CONNECTIONS', '0'],
    ['MESSAGE_RETENTION_DAYS', '-1'],
    ['MESSAGE_RETENTION_DAYS', '90d'],
    ['EVENT_RETENTION_DAYS', '1.5'],
    ['EVENT_RETENTION_DAYS', '36501'],
    ['RETENTION_BATCH_SIZE', '0'],
    ['RETENTION_BATCH_SIZE', '10001'],
    ['RETENTION_BATCH_PAUSE_MS', '-5'],
    ['RETENTION_ROUND_MAX_MS', '50'],
    ['RETENTION_ROUND_MAX_ROWS', '0'],
  ]) {
    it(`refuses ${name}=${value}`, () => {
      expect(() => loadConfig({ [name!]: value })).to.throw(ConfigError, name);
    });
  }
});

describe('correlation ids (unit)', () => {
  it('keeps a sane caller value and replaces anything else', () => {
    expect(correlationIdFrom('abc-1.2:3_4')).to.equal('abc-1.2:3_4');
    for (const bad of [undefined, '', 'a b', 'x'.repeat(129), ['a', 'b'], 'a, b']) {
      expect(correlationIdFrom(bad)).to.match(/^req_[0-9A-HJKMNP-TV-Z]{26}$/);
    }
  });
});

describe('param paths (unit)', () => {
  it('dots object keys, brackets array indices, quotes ambiguous keys', () => {
    expect(formatParam(['template', 'buttons', 0, 'index'])).to.equal('template.buttons[0].index');
    expect(formatParam(['template', 'parameters', 'customer_name'])).to.equal('template.parameters.customer_name');
    expect(formatParam(['template', 'parameters', '1'])).to.equal('template.parameters.1');
    expect(formatParam(['template', 'parameters', 'a.b'])).to.equal('template.parameters["a.b"]');
    expect(formatParam(['template', 'parameters', ''])).to.equal('template.parameters[""]');
    expect(formatParam([])).to.equal('');
  });
});
