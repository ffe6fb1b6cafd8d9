import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { CheckReply, IceServer } from '@parley/protocol';
import type { ParleyServer } from '../src/ParleyServer';
import { mintInvitation } from '../src/access/invitations';
import { verifyTurnCredential } from '../src/turn/credentials';
import { closeAllSockets, connect, join, request, startTestServer } from './support';

const SECRET = 'integration-turn-secret-3f9a';
let server: ParleyServer;
let url: string;

before(async () => {
  ({ server, url } = await startTestServer({
    stunUrls: ['stun:127.0.0.1:3478'],
    turnUrls: ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'],
    turnSecret: SECRET,
    turnTtl: 600,
  }));
});
afterEach(() => closeAllSockets());
after(() => server.close());

function turnEntry(servers: IceServer[]): IceServer {
  const turn = servers.find((s) => s.urls.some((u) => u.startsWith('turn:')));
  assert.ok(turn, 'a TURN entry is present');
  return turn;
}

test('the join reply carries STUN and per-participant TURN credentials, never the secret', async () => {
  const a = await connect(url);
  const before = Date.now();
  const reply = await join(a, { room: 'turn-1', name: 'Ada' });
  assert.deepEqual(reply.iceServers[0], { urls: ['stun:127.0.0.1:3478'] });
  const turn = turnEntry(reply.iceServers);
  assert.deepEqual(turn.urls, ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp']);
  const [expiry, user] = (turn.username ?? '').split(':');
  assert.equal(user, reply.self.id, 'the username names the participant');
  const ttl = Number(expiry) - Math.floor(before / 1000);
  assert.ok(ttl >= 599 && ttl <= 601, `expires after TURN_TTL (got ${ttl} s)`);
  assert.equal(verifyTurnCredential(SECRET, turn.username ?? '', turn.credential ?? ''), 'ok');
  assert.equal(
    verifyTurnCredential(SECRET, turn.username ?? '', turn.credential ?? '', Date.now() + 601_000),
    'expired',
  );
  assert.ok(!JSON.stringify(reply).includes(SECRET), 'the secret is not in the reply');
});

test('a rejoin gets fresh credentials for the same participant', async () => {
  const a = await connect(url);
  const first = await join(a, { room: 'turn-2', name: 'Ada' });
  a.disconnect();
  await new Promise((r) => setTimeout(r, 1_100)); // the expiry has one-second resolution
  const b = await connect(url);
  const again = await join(b, {
    room: 'turn-2',
    name: 'Ada',
    resume: { participantId: first.self.id, token: first.resumeToken },
  });
  assert.equal(again.self.id, first.self.id);
  const t1 = turnEntry(first.iceServers);
  const t2 = turnEntry(again.iceServers);
  assert.notEqual(t2.username, t1.username);
  assert.ok(Number(t2.username?.split(':')[0]) > Number(t1.username?.split(':')[0]));
  assert.equal(verifyTurnCredential(SECRET, t2.username ?? '', t2.credential ?? ''), 'ok');
});

test('a resumed id with odd characters still yields a valid TURN username', async () => {
  const a = await connect(url);
  // Only the server makes ids; one with odd characters needs a token the server made for it.
  const token = server.resumeTokens.mint('turn-3', 'a:b/c');
  const reply = await join(a, { room: 'turn-3', name: 'Ada', resume: { participantId: 'a:b/c', token } });
  assert.equal(reply.self.id, 'a:b/c');
  const turn = turnEntry(reply.iceServers);
  assert.match(turn.username ?? '', /^\d+:a_b_c$/);
  assert.equal(verifyTurnCredential(SECRET, turn.username ?? '', turn.credential ?? ''), 'ok');
});

test('check answers with ICE servers and the address without joining', async () => {
  const a = await connect(url);
  const reply = await request<CheckReply>(a, 'check', {});
  assert.ok(reply.ok);
  assert.equal(reply.address, '127.0.0.1');
  const turn = turnEntry(reply.iceServers);
  assert.equal(verifyTurnCredential(SECRET, turn.username ?? '', turn.credential ?? ''), 'ok');
  assert.ok(!JSON.stringify(reply).includes(SECRET));
  assert.equal(server.rooms.participantCount, 0, 'a check joins nothing');
  const bad = await request<CheckReply>(a, 'check', { room: 'bad room' });
  assert.equal(!bad.ok && bad.error, 'invalid-message');
});

const stunOnly = (r: CheckReply): boolean =>
  r.ok && r.iceServers.every((s) => s.username === undefined && s.urls.every((u) => u.startsWith('stun:')));

test('checks get TURN credentials within their own rate limit; joins are not affected', async () => {
  const { server: s2, url: u2 } = await startTestServer({
    turnUrls: ['turn:127.0.0.1:3478'],
    turnSecret: SECRET,
    rateChecksPerMinute: 3,
  });
  try {
    const a = await connect(u2);
    for (let i = 0; i < 3; i++) {
      const r = await request<CheckReply>(a, 'check', {});
      assert.ok(r.ok && r.turnWithheld === undefined && turnEntry(r.iceServers), `check ${i + 1} has TURN`);
    }
    // Another connection of the same client (same address, no cookie) shares the budget.
    const b = await connect(u2);
    const over = await request<CheckReply>(b, 'check', {});
    assert.ok(stunOnly(over), 'over the limit: no credentials');
    assert.equal(over.ok && over.turnWithheld?.error, 'rate-limited');
    const joined = await join(b, { room: 'turn-5', name: 'Ada' });
    assert.ok(turnEntry(joined.iceServers), 'a join still gets its credentials');
  } finally {
    closeAllSockets();
    await s2.close();
  }
});

test('on an invitation-only server a check gets TURN only with a valid invitation, and never when banned', async () => {
  const access = 'a'.repeat(40);
  const { server: s2, url: u2 } = await startTestServer({
    turnUrls: ['turn:127.0.0.1:3478'],
    turnSecret: SECRET,
    stunUrls: ['stun:127.0.0.1:3478'],
    accessSecret: access,
    banSeconds: 60,
  });
  try {
    const a = await connect(u2);
    const plain = await request<CheckReply>(a, 'check', {});
    assert.ok(stunOnly(plain), 'no invitation: STUN only');
    assert.equal(plain.ok && plain.turnWithheld?.error, 'token-required');
    assert.deepEqual(plain.ok && plain.iceServers, [{ urls: ['stun:127.0.0.1:3478'] }]);
    const forged = mintInvitation({ room: 'inv', ttlSeconds: 60 }, 'f'.repeat(40));
    const r1 = await request<CheckReply>(a, 'check', { room: 'inv', token: forged });
    assert.equal(r1.ok && r1.turnWithheld?.error, 'token-invalid');
    const otherRoom = mintInvitation({ room: 'other', ttlSeconds: 60 }, access);
    const r2 = await request<CheckReply>(a, 'check', { room: 'inv', token: otherRoom });
    assert.equal(r2.ok && r2.turnWithheld?.error, 'token-wrong-room');
    const good = mintInvitation({ room: 'inv', ttlSeconds: 60, role: 'host' }, access);
    const r3 = await request<CheckReply>(a, 'check', { room: 'inv', token: good });
    assert.ok(r3.ok && r3.turnWithheld === undefined);
    const turn = turnEntry(r3.iceServers);
    assert.equal(verifyTurnCredential(SECRET, turn.username ?? '', turn.credential ?? ''), 'ok');
    // Removed from the room: no relay for that room's pre-join either.
    const [host, guest] = await Promise.all([connect(u2), connect(u2)]);
    await join(host, { room: 'inv', name: 'H', token: good });
    const jg = await join(guest, {
      room: 'inv',
      name: 'G',
      token: mintInvitation({ room: 'inv', ttlSeconds: 60 }, access),
    });
    await request(host, 'participant-remove', { id: jg.self.id });
    const banned = await request<CheckReply>(guest, 'check', { room: 'inv', token: good });
    assert.ok(stunOnly(banned));
    assert.equal(banned.ok && banned.turnWithheld?.error, 'banned');
  } finally {
    closeAllSockets();
    await s2.close();
  }
});
