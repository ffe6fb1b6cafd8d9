import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkInvitation, invitationLink, mintInvitation } from './invitations';
import { signJwt } from './jwt';

const secret = 'k'.repeat(40);
const now = Date.UTC(2026, 0, 1);

test('a fresh invitation for the room is accepted with its name and role', () => {
  const t = mintInvitation({ room: 'r1', ttlSeconds: 600, name: 'Ada', role: 'host' }, secret, now);
  const r = checkInvitation(t, secret, 'r1', now + 1_000);
  assert.ok(r.ok);
  assert.equal(r.ok && r.claims.name, 'Ada');
  assert.equal(r.ok && r.claims.role, 'host');
});

test('expired, wrong-room, badly signed and ill-formed invitations are refused with their id', () => {
  const t = mintInvitation({ room: 'r1', ttlSeconds: 60 }, secret, now);
  assert.deepEqual(checkInvitation(t, secret, 'r1', now + 60_000 + 31_000), { ok: false, error: 'token-expired' });
  assert.ok(checkInvitation(t, secret, 'r1', now + 60_000 + 10_000).ok, 'small clock skew tolerated');
  assert.deepEqual(checkInvitation(t, secret, 'r2', now), { ok: false, error: 'token-wrong-room' });
  assert.deepEqual(checkInvitation(t, 'z'.repeat(40), 'r1', now), { ok: false, error: 'token-invalid' });
  const noExp = signJwt({ room: 'r1' }, secret);
  assert.deepEqual(checkInvitation(noExp, secret, 'r1', now), { ok: false, error: 'token-invalid' });
  const badRole = signJwt({ room: 'r1', exp: now / 1000 + 60, role: 'admin' }, secret);
  assert.deepEqual(checkInvitation(badRole, secret, 'r1', now), { ok: false, error: 'token-invalid' });
  const future = signJwt({ room: 'r1', exp: now / 1000 + 600, nbf: now / 1000 + 300 }, secret);
  assert.deepEqual(checkInvitation(future, secret, 'r1', now), { ok: false, error: 'token-invalid' });
});

test('links carry the token in the fragment', () => {
  assert.equal(invitationLink('https://meet.example.org/', 'r1', 'T'), 'https://meet.example.org/r/r1#token=T');
});

test("an invitation's name obeys the rules of a typed name", () => {
  const named = (name: string): string => signJwt({ room: 'r1', iat: now / 1000, exp: now / 1000 + 60, name }, secret);
  assert.deepEqual(checkInvitation(named('A'.repeat(41)), secret, 'r1', now), { ok: false, error: 'token-invalid' });
  assert.deepEqual(checkInvitation(named('\u2067\u200b '), secret, 'r1', now), { ok: false, error: 'token-invalid' });
  const r = checkInvitation(named('  Ada\u2066  \u2069Lovelace '), secret, 'r1', now);
  assert.ok(r.ok && r.claims.name === 'Ada Lovelace', 'normalised like a typed name');
  assert.ok(checkInvitation(named('🎉'.repeat(40)), secret, 'r1', now).ok, 'characters, not UTF-16 units');
});

test('an invitation may not live longer than the maximum lifetime', () => {
  const iat = now / 1000;
  const century = signJwt({ room: 'r1', iat, exp: iat + 100 * 365 * 86_400 }, secret);
  const refused = checkInvitation(century, secret, 'r1', now);
  assert.equal(!refused.ok && refused.error, 'token-invalid');
  assert.match((!refused.ok && refused.message) || '', /at most 30 days/);
  // Without iat, the lifetime left is what counts.
  const noIat = signJwt({ room: 'r1', exp: iat + 31 * 86_400 }, secret);
  assert.equal(checkInvitation(noIat, secret, 'r1', now).ok, false);
  // An old iat does not stretch it either: the span iat..exp is the lifetime.
  const backdated = signJwt({ room: 'r1', iat: iat - 40 * 86_400, exp: iat + 86_400 }, secret);
  assert.equal(checkInvitation(backdated, secret, 'r1', now).ok, false);
  const month = mintInvitation({ room: 'r1', ttlSeconds: 30 * 86_400 }, secret, now);
  assert.ok(checkInvitation(month, secret, 'r1', now).ok, 'exactly the maximum is fine');
  assert.equal(checkInvitation(month, secret, 'r1', now, 7 * 86_400).ok, false, 'a smaller configured maximum');
  const hour = mintInvitation({ room: 'r1', ttlSeconds: 3_600 }, secret, now);
  assert.ok(checkInvitation(hour, secret, 'r1', now, 3_600).ok);
});
