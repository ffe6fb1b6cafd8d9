import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, defaults, helpText, loadConfig } from './config';

test('access and rate-limit options: defaults, env and flags, errors that never echo the secret', () => {
  const d = loadConfig({});
  assert.equal(d.accessSecret, '');
  assert.equal(d.banSeconds, 600);
  assert.equal(d.rateMessagesPerSecond, defaults.rateMessagesPerSecond);
  const c = loadConfig({ ACCESS_SECRET: 'a'.repeat(32), BAN_SECONDS: '30', RATE_MESSAGES_PER_SECOND: '0' }, [
    '--rate-joins-per-minute',
    '5',
    '--rate-connections-per-minute=7',
  ]);
  assert.equal(c.accessSecret, 'a'.repeat(32));
  assert.equal(c.banSeconds, 30);
  assert.equal(c.rateMessagesPerSecond, 0);
  assert.equal(c.rateJoinsPerMinute, 5);
  assert.equal(c.rateConnectionsPerMinute, 7);
  const bad: Array<[Record<string, string>, string]> = [
    [{ ACCESS_SECRET: 'short-secret-value' }, 'ACCESS_SECRET'],
    [{ BAN_SECONDS: '-1' }, 'BAN_SECONDS'],
    [{ RATE_MESSAGES_BURST: 'lots' }, 'RATE_MESSAGES_BURST'],
    [{ RATE_MESSAGES_BURST: '0' }, 'RATE_MESSAGES_BURST'],
  ];
  for (const [env, option] of bad) {
    assert.throws(
      () => loadConfig(env),
      (err: unknown) =>
        err instanceof ConfigError && err.option === option && !err.message.includes('short-secret-value'),
    );
  }
  assert.match(helpText(), /--access-secret SECRET/);
  assert.match(helpText(), /--ban-seconds SECONDS .*\(default 600\)/);
});
