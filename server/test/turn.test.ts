import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { CheckReply, IceServer } from '@parley/protocol';
import type { ParleyServer } from '../src/ParleyServer';
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
  const bad = await request<CheckReply>(a, 'check', { room: 'x' });
  assert.equal(!bad.ok && bad.error, 'invalid-message');
});
