import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Socket } from 'socket.io-client';
import { DISCONNECT_GRACE_MS, SILENT_DISCONNECT_GRACE_MS } from '../src/liveness';
import type { ParleyServer } from '../src/ParleyServer';
import type { JoinReply } from '@parley/protocol';
import { closeAllSockets, collect, connect, join, next, request, sleep, startTestServer } from './support';

let server: ParleyServer;
let url: string;

before(async () => {
  ({ server, url } = await startTestServer());
});
afterEach(() => closeAllSockets());
after(() => server.close());

/** Cut the transport under the socket without a Socket.IO goodbye, as a dropped network does. */
function dropTransport(socket: Socket): void {
  socket.io.engine.close();
}

describe('participants whose connection drops', () => {
  test('a dropped transport is announced as disconnected after the grace period', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'drop-1', name: 'A' });
    const jb = await join(b, { room: 'drop-1', name: 'B' });
    const droppedAt = Date.now();
    const left = next<{ id: string; reason: string }>(a, 'participant-left', DISCONNECT_GRACE_MS + 2_000);
    dropTransport(b);
    assert.deepEqual(await left, { id: jb.self.id, reason: 'disconnected' });
    const waited = Date.now() - droppedAt;
    assert.ok(waited >= DISCONNECT_GRACE_MS - 50, `announced after the grace (${waited} ms)`);
    assert.equal(server.rooms.get('drop-1')?.size, 1);
  });

  test('resuming inside the grace keeps the participant and nobody sees it leave', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'drop-2', name: 'A' });
    const jb = await join(b, { room: 'drop-2', name: 'B' });
    const leftAtA = collect(a, 'participant-left');
    dropTransport(b);
    await sleep(200);
    const b2 = await connect(url);
    const again = await join(b2, {
      room: 'drop-2',
      name: 'B',
      resume: { participantId: jb.self.id, token: jb.resumeToken },
    });
    assert.equal(again.self.id, jb.self.id);
    assert.equal(again.participants.length, 1);
    await sleep(DISCONNECT_GRACE_MS + 300);
    assert.equal(leftAtA.length, 0, 'no participant-left for a resumed participant');
    assert.equal(server.rooms.get('drop-2')?.size, 2);
    // The resumed participant still leaves normally later.
    const left = next<{ id: string; reason: string }>(a, 'participant-left');
    b2.disconnect();
    assert.deepEqual(await left, { id: jb.self.id, reason: 'left' });
  });

  test('a clean disconnect leaves at once, without waiting for the grace', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'drop-3', name: 'A' });
    await join(b, { room: 'drop-3', name: 'B' });
    const left = next(a, 'participant-left', DISCONNECT_GRACE_MS / 2);
    b.disconnect();
    await left;
  });

  test('a room at the cap still refuses a newcomer while a dropped member is in its grace', async () => {
    const cap = server.config.meshMax;
    const socks = await Promise.all(Array.from({ length: cap }, () => connect(url)));
    const joined = [];
    for (const [i, s] of socks.entries()) joined.push(await join(s, { room: 'drop-4', name: `P${i}` }));
    dropTransport(socks[cap - 1]!);
    await sleep(100);
    const late = await connect(url);
    const r = await late.timeout(2_000).emitWithAck('join', { room: 'drop-4', name: 'late' });
    assert.equal((r as { error?: string }).error, 'room-full');
    // The dropped one comes back into its own seat.
    const back = await connect(url);
    const j = joined[cap - 1]!;
    const again = await join(back, {
      room: 'drop-4',
      name: `P${cap - 1}`,
      resume: { participantId: j.self.id, token: j.resumeToken },
    });
    assert.equal(again.self.id, j.self.id);
  });

  test('a rejoin asked again on its connection (its answer came late) is answered again, not refused', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'drop-again', name: 'A' });
    const seenAtA = next(a, 'participant-joined');
    const jb = await join(b, { room: 'drop-again', name: 'B' });
    await seenAtA;
    const leftAtA = collect(a, 'participant-left');
    const joinedAtA = collect(a, 'participant-joined');
    dropTransport(b);
    await sleep(200);
    const b2 = await connect(url);
    const resume = { participantId: jb.self.id, token: jb.resumeToken };
    const first = await join(b2, { room: 'drop-again', name: 'B', resume });
    // The client timed out before `first` reached it and asks once more on the same connection.
    const second = await join(b2, { room: 'drop-again', name: 'B', resume: { ...resume, token: first.resumeToken } });
    assert.equal(second.self.id, jb.self.id);
    assert.deepEqual(
      second.participants.map((p) => p.name),
      ['A'],
    );
    assert.equal(server.rooms.get('drop-again')?.size, 2);
    // Still a join for anyone else: another room, or another participant's id, is refused.
    const other = await request<JoinReply>(b2, 'join', { room: 'drop-other', name: 'B', resume });
    assert.equal(!other.ok && other.error, 'already-joined');
    const plain = await request<JoinReply>(b2, 'join', { room: 'drop-again', name: 'B' });
    assert.equal(!plain.ok && plain.error, 'already-joined');
    await sleep(DISCONNECT_GRACE_MS + 300);
    assert.equal(leftAtA.length, 0, 'nobody saw B leave');
    assert.equal(joinedAtA.length, 0, 'nor join twice');
  });
});

describe('liveness pings (PING_INTERVAL, PING_TIMEOUT)', () => {
  let quick: ParleyServer;
  let quickUrl: string;
  before(async () => {
    ({ server: quick, url: quickUrl } = await startTestServer({ pingInterval: 1, pingTimeout: 1 }));
  });
  after(() => quick.close());

  test('a client that stops answering pings leaves after interval + timeout + the longer grace of a silent connection', async () => {
    const [a, b] = await Promise.all([connect(quickUrl), connect(quickUrl)]);
    await join(a, { room: 'ping-1', name: 'A' });
    const jb = await join(b, { room: 'ping-1', name: 'B' });
    // B's network vanishes without closing the connection: pings still arrive, no pong leaves.
    const engine = b.io.engine as unknown as { _sendPacket(type: string, ...rest: unknown[]): void };
    const send = engine._sendPacket.bind(engine);
    engine._sendPacket = (type, ...rest) => {
      if (type !== 'pong') send(type, ...rest);
    };
    const silentAt = Date.now();
    const left = await next<{ id: string; reason: string }>(
      a,
      'participant-left',
      1_000 + 1_000 + SILENT_DISCONNECT_GRACE_MS + 5_000,
    );
    assert.deepEqual(left, { id: jb.self.id, reason: 'disconnected' });
    const waited = Date.now() - silentAt;
    assert.ok(waited >= SILENT_DISCONNECT_GRACE_MS, `not before the grace (${waited} ms)`);
    // A client that keeps answering stays.
    await sleep(500);
    assert.ok(a.connected);
    assert.equal(quick.rooms.get('ping-1')?.size, 1);
  });

  test('a silent client that comes back after the connection timed out keeps its seat, unnoticed', async () => {
    const [a, b] = await Promise.all([connect(quickUrl), connect(quickUrl)]);
    await join(a, { room: 'ping-2', name: 'A' });
    const jb = await join(b, { room: 'ping-2', name: 'B' });
    const leaves = collect(a, 'participant-left');
    const engine = b.io.engine as unknown as { _sendPacket(type: string, ...rest: unknown[]): void };
    const send = engine._sendPacket.bind(engine);
    engine._sendPacket = (type, ...rest) => {
      if (type !== 'pong') send(type, ...rest);
    };
    b.io.reconnection(false);
    // The server gives up on the connection after interval + timeout (about 2 s here)...
    await new Promise<void>((resolve) => b.once('disconnect', () => resolve()));
    // ...and the network stays away a while longer, past the short grace of a closed connection.
    await sleep(DISCONNECT_GRACE_MS + 2_000);
    assert.deepEqual(leaves, [], 'nobody was told B left');
    const back = await connect(quickUrl);
    const again = await join(back, {
      room: 'ping-2',
      name: 'B',
      resume: { participantId: jb.self.id, token: jb.resumeToken },
    });
    assert.equal(again.self.id, jb.self.id);
    await sleep(300);
    assert.deepEqual(leaves, []);
    assert.equal(quick.rooms.get('ping-2')?.size, 2);
  });
});
