import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../server/config.ts';

describe('the scale-out settings', () => {
  it('are off by default, so one process runs on SQLite alone', () => {
    const config = parseConfig({});
    assert.equal(config.databaseUrl, null);
    assert.equal(config.redisUrl, null);
    assert.equal(config.databasePoolSize, 10);
    assert.equal(config.redisChannelPrefix, 'boardcast:');
    assert.equal(config.redisTimeoutMs, 5_000);
    assert.equal(config.databaseTimeoutMs, 10_000);
  });

  it('take the Redis and PostgreSQL timeouts, and refuse one out of range', () => {
    const config = parseConfig({ REDIS_TIMEOUT_MS: '1000', DATABASE_TIMEOUT_MS: '1500' });
    assert.equal(config.redisTimeoutMs, 1_000);
    assert.equal(config.databaseTimeoutMs, 1_500);
    assert.throws(() => parseConfig({ REDIS_TIMEOUT_MS: '0' }), /REDIS_TIMEOUT_MS/);
    assert.throws(() => parseConfig({ DATABASE_TIMEOUT_MS: 'soon' }), /DATABASE_TIMEOUT_MS/);
  });

  it('accept a PostgreSQL URL alone, and Redis with it', () => {
    const config = parseConfig({
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/b',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_CHANNEL_PREFIX: 'prod:',
    });
    assert.equal(config.databaseUrl, 'postgres://u:p@127.0.0.1:5432/b');
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(config.redisChannelPrefix, 'prod:');
  });

  it('refuse REDIS_URL without DATABASE_URL, since instances must share storage', () => {
    assert.throws(
      () => parseConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }),
      (error: Error) =>
        error instanceof ConfigError && /REDIS_URL: it needs DATABASE_URL/.test(error.message),
    );
  });

  it('refuse a URL of the wrong kind in one line that does not echo a password', () => {
    assert.throws(
      () => parseConfig({ DATABASE_URL: 'mysql://u:secret@h/b' }),
      (error: Error) =>
        error instanceof ConfigError &&
        /^Invalid setting DATABASE_URL: expected a URL/.test(error.message) &&
        !error.message.includes('secret') &&
        !error.message.includes('\n'),
    );
    assert.throws(
      () => parseConfig({ DATABASE_URL: 'postgres://h/b', REDIS_URL: 'not a url' }),
      /Invalid setting REDIS_URL/,
    );
    assert.throws(() => parseConfig({ DATABASE_POOL_SIZE: '0' }), /DATABASE_POOL_SIZE/);
    assert.throws(() => parseConfig({ REDIS_CHANNEL_PREFIX: 'has space' }), /REDIS_CHANNEL_PREFIX/);
  });
});
