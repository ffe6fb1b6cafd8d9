import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, helpText, loadConfig } from './config';

test('the seed protocol is on and open to any origin by default', () => {
  const c = loadConfig({});
  assert.equal(c.seedProtocol, true);
  assert.deepEqual(c.seedAllowedOrigins, ['*']);
  assert.deepEqual(c.allowedOrigins, [], "Parley's own namespace stays same-origin");
});

test('SEED_PROTOCOL and SEED_ALLOWED_ORIGINS from the environment and from flags', () => {
  const env = loadConfig({ SEED_PROTOCOL: 'off', SEED_ALLOWED_ORIGINS: 'http://localhost:3000, https://seed.example' });
  assert.equal(env.seedProtocol, false);
  assert.deepEqual(env.seedAllowedOrigins, ['http://localhost:3000', 'https://seed.example']);
  assert.equal(loadConfig({}, ['--no-seed-protocol']).seedProtocol, false);
  assert.deepEqual(loadConfig({}, ['--seed-allowed-origins', 'http://a.example']).seedAllowedOrigins, [
    'http://a.example',
  ]);
  assert.throws(
    () => loadConfig({ SEED_PROTOCOL: 'maybe' }),
    (e: Error) => e instanceof ConfigError && /SEED_PROTOCOL/.test(e.message),
  );
  assert.match(helpText(), /--seed-protocol .*\[SEED_PROTOCOL\]/);
  assert.match(helpText(), /--seed-allowed-origins ORIGINS .*\(default \*\)/);
});
