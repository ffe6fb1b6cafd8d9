import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, defaults, loadConfig } from './config';

test('defaults apply when nothing is set', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.meshMax, defaults.meshMax);
  assert.deepEqual(c.stunUrls, []);
});

test('values are read from the environment', () => {
  const c = loadConfig({
    PORT: '9000',
    HOST: '127.0.0.1',
    MESH_MAX: '4',
    STUN_URLS: 'stun:a:3478, stun:b:3478',
    LOG_LEVEL: 'debug',
  });
  assert.equal(c.port, 9000);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.meshMax, 4);
  assert.deepEqual(c.stunUrls, ['stun:a:3478', 'stun:b:3478']);
  assert.equal(c.logLevel, 'debug');
});

test('bad values fail with an error naming the option', () => {
  const bad: Array<[Record<string, string>, string]> = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ MESH_MAX: '1' }, 'MESH_MAX'],
    [{ STUN_URLS: 'http://x' }, 'STUN_URLS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ];
  for (const [env, option] of bad) {
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => err instanceof ConfigError && err.option === option && err.message.startsWith(option),
    );
  }
});
