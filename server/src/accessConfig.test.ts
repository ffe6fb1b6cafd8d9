import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accessDefaults, loadAccessConfig } from './accessConfig';
import { ConfigError } from './configError';

test('access options: defaults, values, and errors that never echo the secret', () => {
  assert.deepEqual(loadAccessConfig({}), accessDefaults);
  const c = loadAccessConfig({
    ACCESS_SECRET: 'a'.repeat(32),
    BAN_SECONDS: '30',
    RATE_MESSAGES_PER_SECOND: '0',
    RATE_JOINS_PER_MINUTE: '5',
    TRUST_PROXY: 'true',
  });
  assert.equal(c.accessSecret, 'a'.repeat(32));
  assert.equal(c.banSeconds, 30);
  assert.equal(c.rateMessagesPerSecond, 0);
  assert.equal(c.rateJoinsPerMinute, 5);
  assert.equal(c.trustProxy, true);
  const bad: Array<[Record<string, string>, string]> = [
    [{ ACCESS_SECRET: 'short-secret-value' }, 'ACCESS_SECRET'],
    [{ BAN_SECONDS: '-1' }, 'BAN_SECONDS'],
    [{ RATE_MESSAGES_BURST: 'lots' }, 'RATE_MESSAGES_BURST'],
    [{ RATE_MESSAGES_BURST: '0' }, 'RATE_MESSAGES_BURST'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY'],
  ];
  for (const [env, option] of bad) {
    assert.throws(
      () => loadAccessConfig(env),
      (err: unknown) =>
        err instanceof ConfigError && err.option === option && !err.message.includes('short-secret-value'),
    );
  }
});
