import assert from 'node:assert/strict';
import {
  connect as netConnect,
  createServer as createNetServer,
  type AddressInfo,
  type Socket as NetSocket,
} from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { JoinOk, JoinReply, Participant, RoomState } from '@parley/protocol';
import type { Socket } from 'socket.io-client';
import { HEARTBEAT_MS, HEARTBEAT_TTL_MS } from '../src/cluster/Cluster';
import type { Config } from '../src/config';
import type { ParleyServer } from '../src/ParleyServer';
import { startRedis, type RedisHandle } from './infra/redis';
import { closeAllSockets, collect, connect, join, next, request, sleep, startTestServer } from './support';

/**
 * Several servers sharing rooms through a real redis-server: whichever server each participant
 * lands on, the room behaves as on one server.
 */
let redis: RedisHandle;
const servers: Array<{ server: ParleyServer; url: string }> = [];

async function cluster(n: number, overrides: Partial<Config> = {}): Promise<string[]> {
  const urls: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = await startTestServer({ redisUrl: redis.url, roomTopology: 'mesh', ...overrides });
    servers.push(s);
    urls.push(s.url);
  }
  return urls;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(50);
  }
}

before(async () => {
  redis = await startRedis();
});

after(async () => {
  closeAllSockets();
  await Promise.all(servers.map((s) => s.server.close(2_000)));
  await redis?.stop();
});

describe('rooms shared by three servers through Redis', () => {
  let urls: string[];
  before(async () => {
    urls = await cluster(3);
  });

  test('participants on three servers join one room, signal each other, chat and leave', async () => {
    const [a, b, c] = await Promise.all(urls.map((u) => connect(u)));
    const ja = await join(a!, { room: 'shared', name: 'Ada' });
    const joinedAtA = next<{ participant: Participant }>(a!, 'participant-joined');
    const jb = await join(b!, { room: 'shared', name: 'Grace' });
    assert.deepEqual(
      jb.participants.map((p) => p.name),
      ['Ada'],
    );
    assert.equal((await joinedAtA).participant.name, 'Grace');
    const jc = await join(c!, { room: 'shared', name: 'Linus' });
    assert.deepEqual(jc.participants.map((p) => p.name).sort(), ['Ada', 'Grace']);
    assert.equal(ja.roomState.hostId, ja.self.id, 'the first joiner hosts, wherever it is');
    assert.equal(jc.roomState.hostId, ja.self.id);

    // Signals reach the server that holds the target's connection, in order.
    const atC = collect<{ from: string; data: unknown }>(c!, 'signal');
    for (let i = 0; i < 20; i++) {
      const candidate = { candidate: `candidate:${i} 1 udp 1 198.18.0.1 ${9000 + i} typ host`, sdpMid: '0' };
      const r = await request<{ ok: boolean }>(a!, 'signal', {
        to: jc.self.id,
        data: { kind: 'candidate', candidate, gen: 0 },
      });
      assert.equal(r.ok, true, JSON.stringify(r));
    }
    await until('20 signals at Linus', () => atC.length === 20);
    assert.deepEqual(
      atC.map((s) => (s.data as { candidate: { candidate: string } }).candidate.candidate.split(' ')[0]),
      [...Array(20).keys()].map((i) => `candidate:${i}`),
    );
    assert.ok(atC.every((s) => s.from === ja.self.id));
    const unknown = await request<{ ok: boolean; error?: string }>(b!, 'signal', {
      to: 'nobody',
      data: { kind: 'candidate', candidate: null, gen: 0 },
    });
    assert.equal(unknown.error, 'unknown-participant');

    // Chat: everyone sees it; a later joiner on another server gets the history.
    const chatAtA = next<{ message: { text: string } }>(a!, 'chat');
    const sent = await request<{ ok: boolean }>(b!, 'chat-send', { id: 'm1', text: 'hello from server two' });
    assert.equal(sent.ok, true);
    assert.equal((await chatAtA).message.text, 'hello from server two');
    const again = await request<{ ok: boolean; message: { at: number } }>(b!, 'chat-send', {
      id: 'm1',
      text: 'hello from server two',
    });
    assert.equal(again.ok, true, 'a resent message is acknowledged');
    const d = await connect(urls[2]!);
    const history = next<{ messages: Array<{ text: string }> }>(d, 'chat-history');
    await join(d, { room: 'shared', name: 'Barbara' });
    assert.deepEqual(
      (await history).messages.map((m) => m.text),
      ['hello from server two'],
      'the history, once',
    );

    // Leaving is seen on every server.
    const leftAtA = next<{ id: string; reason: string }>(a!, 'participant-left');
    const leaveReply = await request<{ ok: boolean }>(c!, 'leave', {});
    assert.equal(leaveReply.ok, true, JSON.stringify(leaveReply));
    assert.deepEqual(await leftAtA, { id: jc.self.id, reason: 'left' });
    const leftAtB = next<{ id: string }>(b!, 'participant-left');
    d.disconnect();
    assert.equal((await leftAtB).id !== undefined, true);
  });

  test('host actions, lock, password, lobby and bans hold across servers', async () => {
    const host = await connect(urls[0]!);
    const jh = await join(host, { room: 'guarded', name: 'Host' });
    const guest = await connect(urls[1]!);
    const jg = await join(guest, { room: 'guarded', name: 'Guest' });

    // Lock: a newcomer on the third server is refused.
    assert.equal((await request<{ ok: boolean }>(host, 'room-lock', { locked: true })).ok, true);
    const late = await connect(urls[2]!);
    const locked = await request<JoinReply>(late, 'join', { room: 'guarded', name: 'Late' });
    assert.equal(locked.ok ? 'joined' : locked.error, 'room-locked');
    await request(host, 'room-lock', { locked: false });

    // A guest cannot use host powers, wherever it is.
    const notHost = await request<{ ok: boolean; error?: string }>(guest, 'room-lock', { locked: true });
    assert.equal(notHost.error, 'not-host');

    // Password: set on server one, checked for a joiner on server three.
    assert.equal((await request<{ ok: boolean }>(host, 'room-password', { password: 'open sesame' })).ok, true);
    const noPw = await request<JoinReply>(late, 'join', { room: 'guarded', name: 'Late' });
    assert.equal(noPw.ok ? 'joined' : noPw.error, 'password-required');
    const wrong = await request<JoinReply>(late, 'join', { room: 'guarded', name: 'Late', password: 'nope' });
    assert.equal(wrong.ok ? 'joined' : wrong.error, 'wrong-password');
    const right = await request<JoinReply>(late, 'join', { room: 'guarded', name: 'Late', password: 'open sesame' });
    assert.equal(right.ok, true);
    await request(late, 'leave', {});
    await request(host, 'room-password', { password: null });

    // Lobby: a joiner on server three waits; the host on server one sees it and admits it.
    await request(host, 'room-lobby', { enabled: true });
    const states = collect<RoomState>(host, 'room-state');
    const waiter = await connect(urls[2]!);
    const waiting = await request<JoinReply>(waiter, 'join', { room: 'guarded', name: 'Waiter' });
    assert.equal(waiting.ok ? 'joined' : waiting.error, 'in-lobby');
    await until('the host sees the waiter', () => (states.at(-1)?.waiting.length ?? 0) === 1);
    const entry = states.at(-1)!.waiting[0]!;
    assert.equal(entry.name, 'Waiter');
    const admitted = next(waiter, 'lobby-admitted');
    assert.equal((await request<{ ok: boolean }>(host, 'lobby-admit', { id: entry.id })).ok, true);
    await admitted;
    const inside = await request<JoinReply>(waiter, 'join', { room: 'guarded', name: 'Waiter' });
    assert.equal(inside.ok, true, JSON.stringify(inside));
    await request(host, 'room-lobby', { enabled: false });

    // Removal with a ban: the removed guest is told, and cannot come back through another server.
    const removed = next<{ reason: string }>(guest, 'removed');
    const kicked = await request<{ ok: boolean }>(host, 'participant-remove', { id: jg.self.id });
    assert.equal(kicked.ok, true);
    assert.equal((await removed).reason, 'removed');
    const back = await request<JoinReply>(guest, 'join', { room: 'guarded', name: 'Guest' });
    assert.equal(back.ok ? 'joined' : back.error, 'banned');
    assert.ok(jh.self.id);
  });

  test('20 joins racing for the last seat of a full room, spread over three servers, admit exactly one', async () => {
    const max = 4; // MESH_MAX of the test servers (a mesh-only room cannot grow)
    const seated: Socket[] = [];
    for (let i = 0; i < max - 1; i++) {
      const s = await connect(urls[i % 3]!);
      await join(s, { room: 'last-seat', name: `Seated ${i}` });
      seated.push(s);
    }
    const racers = await Promise.all(Array.from({ length: 20 }, (_, i) => connect(urls[i % 3]!)));
    const replies = await Promise.all(
      racers.map((s, i) => request<JoinReply>(s, 'join', { room: 'last-seat', name: `Racer ${i}` })),
    );
    const ok = replies.filter((r) => r.ok);
    const full = replies.filter((r) => !r.ok && r.error === 'room-full');
    assert.equal(ok.length, 1, JSON.stringify(replies.filter((r) => !r.ok).slice(0, 3)));
    assert.equal(full.length, 19);
    assert.equal((ok[0] as JoinOk).participants.length, max - 1);
  });
});

describe('a server that stops hands its rooms over', () => {
  test('the room moves to another server with its state; participants rejoin as themselves', async () => {
    const [u1, u2] = await cluster(2, { roomTopology: 'mesh' });
    const s1 = servers.at(-2)!.server;
    // The room's first joiner makes server one its home.
    const a = await connect(u1!);
    const ja = await join(a, { room: 'handover', name: 'Ada' });
    const b = await connect(u2!);
    const jb = await join(b, { room: 'handover', name: 'Grace' });
    await request(a, 'room-lock', { locked: true });
    await request(b, 'chat-send', { id: 'c1', text: 'kept across the move' });
    await sleep(100);

    // Server one stops. Grace's connection (on server two) is cut so that it rejoins the
    // room's new home; Ada reconnects to server two.
    const dropped = next(b, 'disconnect', 10_000);
    await s1.close(2_000);
    await dropped;
    const b2 = await connect(u2!);
    const history = next<{ messages: Array<{ text: string }> }>(b2, 'chat-history');
    const rb = await join(b2, {
      room: 'handover',
      name: 'Grace',
      resume: { participantId: jb.self.id, token: jb.resumeToken },
    });
    assert.equal(rb.self.id, jb.self.id, 'the same participant');
    assert.deepEqual(
      (await history).messages.map((m) => m.text),
      ['kept across the move'],
    );
    assert.equal(rb.roomState.locked, true, 'still locked');
    const a2 = await connect(u2!);
    const ra = await join(a2, {
      room: 'handover',
      name: 'Ada',
      resume: { participantId: ja.self.id, token: ja.resumeToken },
    });
    assert.equal(ra.self.id, ja.self.id, 'past the lock: it was in the room');
    assert.equal(ra.roomState.hostId, ja.self.id, 'and host again');
    const stranger = await connect(u2!);
    const refused = await request<JoinReply>(stranger, 'join', { room: 'handover', name: 'Eve' });
    assert.equal(refused.ok ? 'joined' : refused.error, 'room-locked');
  });
});

describe('connections cut for a reconnect, and Redis coming back', () => {
  test('a socket whose room moves away sees a transport close, so that its client reconnects by itself', async () => {
    const [u1, u2] = await cluster(2);
    const s1 = servers.at(-2)!.server;
    const a = await connect(u1!);
    await join(a, { room: 'cut-for-reconnect', name: 'Ada' });
    const b = await connect(u2!);
    await join(b, { room: 'cut-for-reconnect', name: 'Grace' });
    const s2 = servers.at(-1)!.server;
    // Server one holds the room: Ada's socket stays there, Grace's is routed to it.
    assert.deepEqual(
      [s1, s2].map((s) => [
        s.cluster?.health.rooms,
        s.cluster?.health.routedConnections,
        s.cluster?.health.remoteConnections,
      ]),
      [
        [1, 0, 1],
        [0, 1, 0],
      ],
    );
    // Its room's home stops: Grace's idle connection is cut. With a namespace DISCONNECT
    // ("io server disconnect") Socket.IO's client would not reconnect.
    const reason = next<string>(b, 'disconnect', 10_000);
    await s1.close(2_000);
    assert.equal(await reason, 'transport close');
  });

  test('after Redis restarts empty, a server back first takes none of the others for dead before they beat again', async () => {
    // Server two reaches Redis through a door the test holds shut a while after Redis is back,
    // as a server whose reconnect backoff runs a few seconds behind.
    const door = await tcpDoor(redis.port);
    const [u1] = await cluster(1);
    const [u2] = await cluster(1, { redisUrl: door.url });
    const [s1, s2] = [servers.at(-2)!.server, servers.at(-1)!.server];
    try {
      const a = await connect(u1!);
      const ja = await join(a, { room: 'redis-restart', name: 'Ada' });
      const b = await connect(u2!);
      const jb = await join(b, { room: 'redis-restart', name: 'Grace' });
      const left = collect<{ id: string }>(a, 'participant-left');
      const cut: string[] = [];
      for (const s of [a, b]) s.on('disconnect', (r: string) => cut.push(r));

      door.shut();
      await redis.kill();
      await until('both servers see Redis down', () => !s1.cluster?.up && !s2.cluster?.up);
      await redis.start();
      await until('server one sees Redis up', () => s1.cluster?.up === true, 15_000);
      await sleep(4_000);
      door.open();
      await until('server two sees Redis up', () => s2.cluster?.up === true, 15_000);
      // Past the time a missing heartbeat proves nothing, and a beat more.
      await sleep(HEARTBEAT_TTL_MS + HEARTBEAT_MS);
      assert.deepEqual(left, [], 'nobody left the room');
      assert.deepEqual(cut, [], 'no connection was cut');
      // And the room still works across the two servers.
      const atA = next<{ from: string }>(a, 'signal', 5_000);
      const sent = await request<{ ok: boolean }>(b, 'signal', {
        to: ja.self.id,
        data: { kind: 'candidate', candidate: null, gen: 0 },
      });
      assert.equal(sent.ok, true, JSON.stringify(sent));
      assert.equal((await atA).from, jb.self.id);
    } finally {
      door.close();
    }
  });
});

/**
 * A TCP relay to 127.0.0.1:`port` that the test can shut (every connection through it is cut and
 * new ones are refused) and open again.
 */
async function tcpDoor(port: number): Promise<{ url: string; shut(): void; open(): void; close(): void }> {
  let shut = false;
  const live = new Set<NetSocket>();
  const server = createNetServer((client) => {
    if (shut) return client.destroy();
    const upstream = netConnect({ host: '127.0.0.1', port });
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      live.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        live.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${address.port}`,
    shut() {
      shut = true;
      for (const s of live) s.destroy();
    },
    open() {
      shut = false;
    },
    /** Stop accepting; the connections through it end with the servers that hold them. */
    close() {
      shut = true;
      server.close();
    },
  };
}
