import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultResumeSecretFile, defaults, helpText, loadConfig, options } from './config';

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

test('flags override the environment, in both --flag value and --flag=value forms', () => {
  const c = loadConfig({ PORT: '9000', MESH_MAX: '4' }, ['--port', '9100', '--mesh-max=5', '--https', '--trust-proxy']);
  assert.equal(c.port, 9100);
  assert.equal(c.meshMax, 5);
  assert.equal(c.https, true);
  assert.equal(c.trustProxy, true);
  assert.equal(loadConfig({ HTTPS: 'true' }, ['--no-https']).https, false);
});

test('every option has a flag, a variable and a row in --help', () => {
  const help = helpText();
  for (const o of options) {
    assert.ok(help.includes(`--${o.flag}`), o.flag);
    assert.ok(help.includes(`[${o.env}]`), o.env);
  }
  assert.equal(new Set(options.map((o) => o.key)).size, options.length, 'one row per setting');
  assert.deepEqual(new Set(options.map((o) => o.key)), new Set(Object.keys(defaults)), 'every setting has a row');
});

test('TURN and TLS options are read and checked together', () => {
  const c = loadConfig({ TURN_URLS: 'turn:127.0.0.1:3478,turns:t.example.org:443?transport=tcp', TURN_SECRET: 's3' });
  assert.deepEqual(c.turnUrls, ['turn:127.0.0.1:3478', 'turns:t.example.org:443?transport=tcp']);
  assert.equal(c.turnTtl, 86_400);
  assert.equal(loadConfig({ TLS_CERT: 'c.pem', TLS_KEY: 'k.pem' }).https, true, 'a certificate turns HTTPS on');
  const bad: Array<[Record<string, string>, string[], string]> = [
    [{ TURN_URLS: 'turn:x:3478' }, [], 'TURN_SECRET'],
    [{ TURN_SECRET: 'x' }, [], 'TURN_URLS'],
    [{ TURN_URLS: 'stun:x:3478', TURN_SECRET: 'x' }, [], 'TURN_URLS'],
    [{ TURN_TTL: '5' }, [], 'TURN_TTL'],
    [{ TLS_CERT: 'c.pem' }, [], 'TLS_KEY'],
    [{ HTTPS: 'maybe' }, [], 'HTTPS'],
    [{ TRUST_PROXY: '2x' }, [], 'TRUST_PROXY'],
    [{}, ['--port', 'abc'], '--port'],
    [{}, ['--mesh-max'], '--mesh-max'],
    [{}, ['--colour'], '--colour'],
    [{}, ['stray'], 'stray'],
    [{}, ['--log-level=loud'], '--log-level'],
  ];
  for (const [env, argv, option] of bad) {
    assert.throws(
      () => loadConfig(env, argv),
      (err: unknown) => err instanceof ConfigError && err.option === option && err.message.startsWith(option),
      `${JSON.stringify(env)} ${argv.join(' ')} should name ${option}`,
    );
  }
});

test('invitation lifetime, resume key and check limit options are read and checked', () => {
  const c = loadConfig({ INVITE_MAX_TTL: '604800', RESUME_SECRET: 'r'.repeat(32), RATE_CHECKS_PER_MINUTE: '5' });
  assert.equal(c.inviteMaxTtl, 604_800);
  assert.equal(c.resumeSecret, 'r'.repeat(32));
  assert.equal(c.rateChecksPerMinute, 5);
  assert.throws(() => loadConfig({ RESUME_SECRET: 'short' }), /RESUME_SECRET: must be at least 32/);
  assert.throws(() => loadConfig({ INVITE_MAX_TTL: String(400 * 86_400) }), /INVITE_MAX_TTL/);
  assert.equal(loadConfig({ RESUME_SECRET_FILE: 'off' }).resumeSecretFile, '');
  assert.equal(loadConfig({}, ['--resume-secret-file', '/srv/key']).resumeSecretFile, '/srv/key');
  assert.equal(defaultResumeSecretFile({ XDG_STATE_HOME: '/state' }), '/state/parley/resume-secret');
  assert.match(defaultResumeSecretFile({}), /\/\.local\/state\/parley\/resume-secret$/);
  assert.ok(!helpText().includes('r'.repeat(32)));
});

test('TURN_SECRET_FILE and ACCESS_SECRET_FILE read the secrets from files, without the trailing newline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-secrets-'));
  const turn = join(dir, 'turn');
  const access = join(dir, 'access');
  writeFileSync(turn, 'turn secret with spaces \n');
  writeFileSync(access, `${'a'.repeat(40)}\r\n\n`);
  const c = loadConfig({ TURN_URLS: 'turn:t.example:3478', TURN_SECRET_FILE: turn, ACCESS_SECRET_FILE: access });
  assert.equal(c.turnSecret, 'turn secret with spaces ');
  assert.equal(c.accessSecret, 'a'.repeat(40));
  const flags = loadConfig({ TURN_URLS: 'turn:t.example:3478' }, [`--turn-secret-file=${turn}`]);
  assert.equal(flags.turnSecret, 'turn secret with spaces ');
  // The secret's own checks apply to what the file holds.
  writeFileSync(access, 'short\n');
  assert.throws(() => loadConfig({ ACCESS_SECRET_FILE: access }), /ACCESS_SECRET: must be at least 32/);
});

test('a missing, unreadable or empty secret file, or a secret set twice, is an error naming the option', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-secrets-'));
  const missing = join(dir, 'nope');
  const err = (fn: () => unknown): ConfigError => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e;
    }
    assert.fail('expected a ConfigError');
  };
  const m = err(() => loadConfig({ TURN_URLS: 'turn:t.example:3478', TURN_SECRET_FILE: missing }));
  assert.equal(m.option, 'TURN_SECRET_FILE');
  assert.match(m.message, /cannot read .*nope.*ENOENT/);
  assert.equal(err(() => loadConfig({}, ['--access-secret-file', dir])).option, '--access-secret-file');
  const empty = join(dir, 'empty');
  writeFileSync(empty, '\n');
  assert.match(err(() => loadConfig({ ACCESS_SECRET_FILE: empty })).message, /is empty/);
  const file = join(dir, 'access');
  writeFileSync(file, 'b'.repeat(40));
  const both = err(() => loadConfig({ ACCESS_SECRET: 'c'.repeat(40), ACCESS_SECRET_FILE: file }));
  assert.equal(both.option, 'ACCESS_SECRET_FILE');
  assert.match(both.message, /together with ACCESS_SECRET/);
  assert.match(
    err(() => loadConfig({ TURN_URLS: 'turn:t.example:3478', TURN_SECRET_FILE: file }, ['--turn-secret', 'x'])).message,
    /together with --turn-secret/,
  );
  if (process.getuid?.() !== 0) {
    chmodSync(file, 0o000);
    assert.match(err(() => loadConfig({ ACCESS_SECRET_FILE: file })).message, /EACCES/);
  }
});

test('RESUME_SECRET_FILE keeps its meaning: where the generated key lives, not a secret to read at start', () => {
  const c = loadConfig({ RESUME_SECRET_FILE: '/nonexistent/dir/resume-secret' });
  assert.equal(c.resumeSecretFile, '/nonexistent/dir/resume-secret');
  assert.equal(c.resumeSecret, '');
});

test('the forwarding unit binds one given port or picks from a range of at least 50', () => {
  assert.equal(loadConfig({ SFU_PORT_MIN: '41000', SFU_PORT_MAX: '41000' }).sfuPortMax, 41_000);
  assert.equal(loadConfig({ SFU_PORT_MIN: '41000', SFU_PORT_MAX: '41050' }).sfuPortMax, 41_050);
  assert.throws(() => loadConfig({ SFU_PORT_MIN: '41000', SFU_PORT_MAX: '41010' }), /SFU_PORT_MAX.*41050/);
  assert.throws(() => loadConfig({ SFU_PORT_MIN: '41000', SFU_PORT_MAX: '40999' }), ConfigError);
});

test('REDIS_URL takes a redis:// or rediss:// URL, or nothing', () => {
  assert.equal(loadConfig({}).redisUrl, '');
  assert.equal(loadConfig({ REDIS_URL: 'redis://:pw@10.0.0.5:6379/2' }).redisUrl, 'redis://:pw@10.0.0.5:6379/2');
  assert.throws(() => loadConfig({ REDIS_URL: 'http://10.0.0.5' }), /REDIS_URL/);
});
