import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  connect as netConnect,
  createServer as createNetServer,
  type AddressInfo,
  type Socket as NetSocket,
} from 'node:net';
import { fileURLToPath } from 'node:url';
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
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
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
    // The servers say what they hold and route.
    const metrics = await Promise.all(urls.map(async (u) => (await fetch(`${u}/metrics`)).text()));
    const figure = (text: string, name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.deepEqual(
      metrics.map((m) => figure(m, 'parley_redis_up')),
      [1, 1, 1],
    );
    assert.equal(figure(metrics[0]!, 'parley_cluster_rooms'), 1, 'server one holds the room');
    // Grace's, Barbara's and Linus's sockets (Linus left the room, his socket is still there).
    assert.equal(figure(metrics[0]!, 'parley_cluster_remote_connections'), 3);
    assert.equal(figure(metrics[2]!, 'parley_cluster_routed_connections'), 2);
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

  test("a room's state goes with the room: the same name later is a new room", async () => {
    const a = await connect(urls[0]!);
    await join(a, { room: 'fleeting', name: 'Ada' });
    const b = await connect(urls[1]!);
    await join(b, { room: 'fleeting', name: 'Grace' });
    await request(a, 'room-lock', { locked: true });
    await request(b, 'chat-send', { id: 'x', text: 'gone with the room' });
    await request(b, 'leave', {});
    await request(a, 'leave', {});
    const c = await connect(urls[2]!);
    const history = next<{ messages: unknown[] }>(c, 'chat-history');
    const fresh = await join(c, { room: 'fleeting', name: 'Linus' });
    assert.equal(fresh.roomState.locked, false);
    assert.equal(fresh.roomState.hostId, fresh.self.id);
    assert.deepEqual((await history).messages, []);
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

/** A server in its own process (so it can die as in a crash), on 127.0.0.1. */
async function spawnServer(env: Record<string, string>): Promise<{ url: string; kill(): Promise<void> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', RESUME_SECRET_FILE: 'off', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const output: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    proc.stderr.on('data', (c: Buffer) => {
      output.push(c.toString());
      const m = /open https?:\/\/[^:]+:(\d+)/.exec(output.join(''));
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output.join('')}`)));
  });
  process.once('exit', () => proc.kill('SIGKILL'));
  return {
    url: `http://127.0.0.1:${port}`,
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await once(proc, 'exit');
    },
  };
}

describe('a server that dies', () => {
  test('its participants leave every room within 30 s; the rooms it held move on with their state', async () => {
    const [live] = await cluster(1);
    const doomed = await spawnServer({ REDIS_URL: redis.url, ROOM_TOPOLOGY: 'mesh' });

    // Room one is held by the live server; Linus joins it through the doomed one.
    const ada = await connect(live!);
    await join(ada, { room: 'survivor', name: 'Ada' });
    const linus = await connect(doomed.url);
    const jl = await join(linus, { room: 'survivor', name: 'Linus' });
    // Room two is held by the doomed server (its first joiner is there); Grace joins through the live one.
    const barbara = await connect(doomed.url);
    const jba = await join(barbara, { room: 'orphan', name: 'Barbara' });
    const grace = await connect(live!);
    const jg = await join(grace, { room: 'orphan', name: 'Grace' });
    await request(barbara, 'room-lock', { locked: true });
    assert.deepEqual(
      jg.participants.map((p) => p.name),
      ['Barbara'],
    );

    const killedAt = Date.now();
    const leftAtAda = next<{ id: string; reason: string }>(ada, 'participant-left', 30_000);
    const graceCut = next<string>(grace, 'disconnect', 30_000);
    await doomed.kill();

    // Linus's seat in a room held elsewhere is freed once its server stops beating.
    const left = await leftAtAda;
    const leftAfter = Date.now() - killedAt;
    assert.deepEqual(left, { id: jl.self.id, reason: 'disconnected' });
    // Grace's connection was routed to the dead server: it is cut so that she rejoins.
    assert.equal(await graceCut, 'transport close');
    const cutAfter = Date.now() - killedAt;
    console.log(`after SIGKILL: seat freed in ${leftAfter} ms, routed connection cut in ${cutAfter} ms`);
    assert.ok(leftAfter < 30_000 && cutAfter < 30_000);

    // Grace rejoins as herself; the live server now holds the room, still locked, and nobody of
    // the dead server is listed.
    const grace2 = await connect(live!);
    const rg = await join(grace2, {
      room: 'orphan',
      name: 'Grace',
      resume: { participantId: jg.self.id, token: jg.resumeToken },
    });
    assert.equal(rg.self.id, jg.self.id);
    assert.deepEqual(rg.participants, [], `no ghost of ${jba.self.id}`);
    assert.equal(rg.roomState.locked, true, 'the lock set on the dead server holds');
    const eve = await connect(live!);
    const refused = await request<JoinReply>(eve, 'join', { room: 'orphan', name: 'Eve' });
    assert.equal(refused.ok ? 'joined' : refused.error, 'room-locked');
    // Linus comes back through the live server as himself.
    const linus2 = await connect(live!);
    const rl = await join(linus2, {
      room: 'survivor',
      name: 'Linus',
      resume: { participantId: jl.self.id, token: jl.resumeToken },
    });
    assert.equal(rl.self.id, jl.self.id);
    assert.deepEqual(
      rl.participants.map((p) => p.name),
      ['Ada'],
    );
  });
});

describe('Redis lost for a while', () => {
  test('servers keep serving what they hold, refuse what they cannot decide, and recover', async () => {
    const [u1, u2] = await cluster(2);
    const a = await connect(u1!);
    const ja = await join(a, { room: 'outage', name: 'Ada' });
    const b = await connect(u1!);
    const jb = await join(b, { room: 'outage', name: 'Grace' });
    const c = await connect(u2!);
    const jc = await join(c, { room: 'outage', name: 'Linus' });
    const candidate = { kind: 'candidate', candidate: null, gen: 0 };

    await redis.kill();
    await until('server two sees Redis gone', async () => (await fetch(`${u2}/readyz`)).status === 503);
    const ready = (await (await fetch(`${u2}/readyz`)).json()) as {
      status: string;
      details: { redis: { state: string } };
    };
    assert.equal(ready.status, 'redis-unavailable');
    assert.equal(ready.details.redis.state, 'down');
    // Two participants on the room's own server still reach each other.
    const atB = next<{ from: string }>(b, 'signal');
    assert.equal((await request<{ ok: boolean }>(a, 'signal', { to: jb.self.id, data: candidate })).ok, true);
    assert.equal((await atB).from, ja.self.id);
    // What needs the other server is refused with a clear error, not lost silently.
    const routed = await request<{ ok: boolean; error?: string }>(c, 'signal', { to: ja.self.id, data: candidate });
    assert.equal(routed.error, 'cluster-unavailable');
    const newcomer = await connect(u2!);
    const refused = await request<{ ok: boolean; error?: string; message?: string }>(newcomer, 'join', {
      room: 'elsewhere',
      name: 'Eve',
    });
    assert.equal(refused.error, 'cluster-unavailable');
    assert.match(refused.message ?? '', /try again/);
    await sleep(2_000);

    await redis.start();
    await until('both servers ready again', async () => {
      const r = await Promise.all([u1, u2].map((u) => fetch(`${u}/readyz`)));
      return r.every((x) => x.status === 200);
    });
    // The room is still held by server one, and Linus's connection still reaches it.
    const atA = next<{ from: string }>(a, 'signal');
    await until('a routed signal goes through again', async () => {
      const r = await request<{ ok: boolean }>(c, 'signal', { to: ja.self.id, data: candidate });
      return r.ok;
    });
    assert.equal((await atA).from, jc.self.id);
    // Joins work again, through either server, and everyone sees the newcomer.
    // (a server that saw Redis come back claims rooms it does not hold only after RECOVERY_CLAIM_MS)
    const joinedAtC = next<{ participant: Participant }>(c, 'participant-joined', 10_000);
    const jn = await join(newcomer, { room: 'outage', name: 'Eve' });
    assert.deepEqual(jn.participants.map((p) => p.name).sort(), ['Ada', 'Grace', 'Linus']);
    assert.equal((await joinedAtC).participant.name, 'Eve');
  });

  test('a server that stops while Redis is away, or just before Redis stops, leaves no failure unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown): void => void unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const [u1, u2] = await cluster(2);
      const seeds = await Promise.all([u1, u1, u2].map((u) => connect(u!, '/')));
      for (const s of seeds) s.emit('join', { room: 'seed-outage' });
      await sleep(300);
      await redis.kill();
      // Seed relays fan out through the Socket.IO adapter, which queues them while Redis is away.
      // Queued commands time out after 2 s (commandTimeout).
      for (let i = 0; i < 20; i++) seeds[0]!.emit('data', { type: 'candidate', i });
      await sleep(2_500);
      const first = servers.find((s) => s.url === u1)!;
      await first.server.close(1_000);
      await redis.start();
      const second = servers.find((s) => s.url === u2)!;
      await until('server two ready again', async () => (await fetch(`${u2}/readyz`)).status === 200);
      await second.server.close(1_000);
      await redis.stop();
      await sleep(500);
      await redis.start();
      assert.deepEqual(
        unhandled.map((e) => (e as Error).message ?? String(e)),
        [],
      );
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('without REDIS_URL', () => {
  test('one process: no Redis client is loaded (and with it, one is)', async () => {
    const probe = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const { startTestServer } = await import(${JSON.stringify(fileURLToPath(new URL('./support.ts', import.meta.url)))});
      const { server, url } = await startTestServer({ redisUrl: process.argv[1] ?? '' });
      await fetch(url + '/readyz');
      console.log(Object.keys(require.cache).filter((k) => /ioredis|redis-adapter/.test(k)).length);
      await server.close(1000);`;
    const run = async (url: string): Promise<number> => {
      const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe, url], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
      await once(proc, 'exit');
      return Number(out.trim());
    };
    assert.equal(await run(''), 0);
    assert.ok((await run(redis.url)) > 0, 'the probe sees the client when it is loaded');
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

describe('a home that no longer serves a routed socket', () => {
  test("tells the socket's server to cut it, so that its client reconnects instead of talking to nobody", async () => {
    const [u1, u2] = await cluster(2);
    const s1 = servers.at(-2)!.server;
    const a = await connect(u1!);
    await join(a, { room: 'forgotten', name: 'Ada' });
    const b = await connect(u2!);
    const jb = await join(b, { room: 'forgotten', name: 'Grace' });
    // Server one forgets Grace's routed socket, as when it took her server for dead.
    const { Redis } = await import('ioredis');
    const raw = new Redis(redis.url);
    const left = next<{ id: string }>(a, 'participant-left', 10_000);
    await raw.publish(
      `parley:bus:${s1.cluster!.id}`,
      JSON.stringify({ t: 'close', vs: `${b.id}#1`, reason: 'transport close' }),
    );
    assert.equal((await left).id, jb.self.id);
    raw.disconnect();
    // Grace still talks to it: her server is told to cut her connection.
    const cut = next<string>(b, 'disconnect', 10_000);
    b.emit('signal', { to: 'anyone', data: { kind: 'candidate', candidate: null, gen: 0 } });
    assert.equal(await cut, 'transport close');
  });
});
