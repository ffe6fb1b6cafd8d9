import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkInvitation } from '../access/invitations';
import { parseTtl, runInvite } from './invite';

const env = { ACCESS_SECRET: 'q'.repeat(40), PUBLIC_URL: 'https://meet.example.org' };

test('parley invite prints a link whose token the server accepts', () => {
  const now = Date.UTC(2026, 0, 1);
  const r = runInvite(['--room', 'standup', '--name', 'Ada', '--role', 'host', '--ttl', '2h'], env, now);
  assert.equal(r.code, 0);
  const m = /^https:\/\/meet\.example\.org\/r\/standup#token=([\w.-]+)\n$/.exec(r.out);
  assert.ok(m, r.out);
  const check = checkInvitation(m[1]!, env.ACCESS_SECRET, 'standup', now + 3_600_000);
  assert.ok(check.ok && check.claims.name === 'Ada' && check.claims.role === 'host');
  assert.deepEqual(checkInvitation(m[1]!, env.ACCESS_SECRET, 'standup', now + 3 * 3_600_000), {
    ok: false,
    error: 'token-expired',
  });
});

test('parley invite explains what is missing or wrong, without printing the secret', () => {
  const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
    [['--room', 'r'], {}, /ACCESS_SECRET/],
    [[], env, /--room is required/],
    [['--room', 'bad room'], env, /--room: Room names/],
    [['--room', 'r', '--role', 'admin'], env, /host or guest/],
    [['--room', 'r', '--ttl', 'forever'], env, /--ttl/],
    [['--room', 'r', '--base-url', 'ftp://x'], env, /--base-url/],
    [['--bogus'], env, /Unknown option/],
    [['--room', 'r', '--name', 'A'.repeat(41)], env, /--name: Names are at most 40/],
    [['--room', 'r', '--name', '\u2067 '], env, /--name: Enter a name/],
    [['--room', 'r', '--ttl', '100d'], env, /--ttl: at most 30 days \(INVITE_MAX_TTL/],
    [['--room', 'r', '--ttl', '2h'], { ...env, INVITE_MAX_TTL: '3600' }, /--ttl: at most 1 hour/],
    [['--room', 'r'], { ...env, INVITE_MAX_TTL: 'forever' }, /INVITE_MAX_TTL: expected a whole number/],
  ];
  for (const [argv, e, pattern] of cases) {
    const r = runInvite(argv, e);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.out, pattern);
    assert.doesNotMatch(r.out, /qqqq/);
  }
  assert.equal(runInvite(['--help'], env).code, 0);
  assert.equal(runInvite(['--room', 'r', '--ttl', '90d'], { ...env, INVITE_MAX_TTL: String(90 * 86_400) }).code, 0);
  assert.equal(parseTtl('90'), 90);
  assert.equal(parseTtl('7d'), 604_800);
  assert.equal(parseTtl('0m'), null);
});
