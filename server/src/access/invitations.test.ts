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
