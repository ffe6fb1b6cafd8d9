// Work the server takes on for one client is bounded: its queue, password checks, what is
// buffered toward it, its lobby places; and the host's tools against abuse (lobby-clear, bans by
// address). Addresses other than 127.0.0.1 are simulated with TRUST_PROXY and X-Forwarded-For.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { PARLEY_NAMESPACE, type JoinReply, type OkReply, type RoomState } from '@parley/protocol';
import { io, type Socket } from 'socket.io-client';
import type { Config } from '../src/config';
import type { ParleyServer } from '../src/ParleyServer';
import { closeAllSockets, connect, join, next, request, startTestServer } from './support';

const servers: ParleyServer[] = [];
const extra: Socket[] = [];
afterEach(async () => {
  closeAllSockets();
  for (const s of extra.splice(0)) s.disconnect();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(overrides: Partial<Config>): Promise<string> {
  const { server, url } = await startTestServer(overrides);
  servers.push(server);
  return url;
}

/** A client from `address` (through the trusted proxy header), with an optional browser cookie. */
async function connectAs(url: string, address: string, cookie?: string): Promise<Socket> {
  const headers: Record<string, string> = { 'x-forwarded-for': address };
  if (cookie) headers.cookie = cookie;
  const socket = io(url + PARLEY_NAMESPACE, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: headers,
  });
  extra.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** A fresh browser: the cookie a page load hands out. */
async function browserCookie(url: string): Promise<string> {
  const res = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
  await res.arrayBuffer();
  const set = res.headers.get('set-cookie') ?? '';
  const cookie = set.split(';')[0] ?? '';
  assert.match(cookie, /^parley_client=/);
  return cookie;
}

async function refusal(reply: Promise<JoinReply | OkReply>): Promise<string> {
  const r = await reply;
  assert.equal(r.ok, false, `expected a refusal, got ${JSON.stringify(r).slice(0, 120)}`);
  return r.ok ? '' : r.error;
}

const tally = (replies: Array<{ ok: boolean; error?: string }>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of replies) {
    const k = r.ok ? 'ok' : (r.error ?? '?');
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
};

describe('work per connection', () => {
  test('a connection that sends without waiting is refused with queue-full past 16 waiting events', async () => {
    const url = await serve({ passwordHashQueue: 1_000 });
    const host = await connect(url);
    await join(host, { room: 'queue-1', name: 'H' });
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        request<OkReply>(host, 'room-password', { password: `password-${i}` }).catch(() => ({
          ok: false as const,
          error: 'timeout',
        })),
      ),
    );
    const t = tally(replies);
    assert.ok((t['queue-full'] ?? 0) >= 20, `refused past the bound: ${JSON.stringify(t)}`);
    assert.ok((t.ok ?? 0) >= 16, `the first ones were handled: ${JSON.stringify(t)}`);
    // Once replies are back the connection works again.
    assert.deepEqual(await request(host, 'room-lock', { locked: false }), { ok: true });
  });

  test('password checks wait in a bounded queue; past it, server-busy, and other work goes on', async () => {
    const url = await serve({ passwordHashConcurrency: 1, passwordHashQueue: 1 });
    const host = await connect(url);
    await join(host, { room: 'busy-1', name: 'H' });
    await request(host, 'room-password', { password: 'right one' });
    const guests = await Promise.all(Array.from({ length: 6 }, () => connect(url)));
    const replies = await Promise.all(
      guests.map((g) => request<JoinReply>(g, 'join', { room: 'busy-1', name: 'G', password: 'right one' })),
    );
    const t = tally(replies);
    assert.ok((t['server-busy'] ?? 0) >= 1, `some were refused: ${JSON.stringify(t)}`);
    assert.ok((t.ok ?? 0) >= 2, `one running plus one waiting got through: ${JSON.stringify(t)}`);
    const res = await fetch(`${url}/`);
    assert.equal(res.status, 200, 'static files are served meanwhile');
  });

  test('password checks have their own budget per room: wrong guesses run out, even the right one waits', async () => {
    const url = await serve({ trustProxy: true, passwordRoomChecksPerMinute: 30, passwordChecksPerMinute: 1_000 });
    const host = await connectAs(url, '10.1.0.1');
    await join(host, { room: 'guess-1', name: 'H' });
    await request(host, 'room-password', { password: 'right one' });
    // Three wrong guesses from three addresses spend the room's 30 (the set above cost 1).
    for (let i = 0; i < 3; i++) {
      const g = await connectAs(url, `10.1.1.${i}`);
      assert.equal(
        await refusal(request(g, 'join', { room: 'guess-1', name: 'G', password: `guess ${i}` })),
        'wrong-password',
      );
    }
    const late = await connectAs(url, '10.1.2.1');
    assert.equal(
      await refusal(request(late, 'join', { room: 'guess-1', name: 'L', password: 'right one' })),
      'password-limited',
    );
    // Another room is not affected.
    const other = await connectAs(url, '10.1.2.2');
    await join(other, { room: 'guess-2', name: 'O' });
    assert.deepEqual(await request(other, 'room-password', { password: 'x' }), { ok: true });
  });

  test('password checks per address: failed ones count ten times', async () => {
    const url = await serve({ trustProxy: true, passwordChecksPerMinute: 20, passwordRoomChecksPerMinute: 1_000 });
    const host = await connectAs(url, '10.2.0.1');
    await join(host, { room: 'addr-pw', name: 'H' });
    await request(host, 'room-password', { password: 'right one' });
    const g = await connectAs(url, '10.2.0.2');
    for (let i = 0; i < 2; i++) {
      assert.equal(
        await refusal(request(g, 'join', { room: 'addr-pw', name: 'G', password: 'nope' })),
        'wrong-password',
      );
    }
    assert.equal(
      await refusal(request(g, 'join', { room: 'addr-pw', name: 'G', password: 'right one' })),
      'password-limited',
      'two failures spent the address budget of 20, even for the right password',
    );
    const neighbour = await connectAs(url, '10.2.0.3');
    await join(neighbour, { room: 'addr-pw', name: 'N', password: 'right one' });
  });

  test('a participant that stops reading is disconnected once a megabyte waits for it; the server keeps serving', async () => {
    const url = await serve({ sendBufferMaxBytes: 1_048_576 });
    const [slow, sender] = await Promise.all([connect(url), connect(url)]);
    const js = await join(slow, { room: 'slow-1', name: 'Slow' });
    await join(sender, { room: 'slow-1', name: 'Sender' });
    const left = next<{ id: string; reason: string }>(sender, 'participant-left', 20_000);
    // Stop reading: the kernel buffers fill, then the server would have to hold the rest.
    const raw = (slow.io.engine.transport as unknown as { ws?: { _socket?: { pause(): void } } }).ws?._socket;
    assert.ok(raw, 'the test reaches the underlying TCP socket');
    raw.pause();
    const sdp = 'a'.repeat(90_000);
    const replies: Array<{ ok: boolean; error?: string }> = [];
    let gone = false;
    void left.then(() => (gone = true));
    for (let i = 0; i < 400 && !gone; i++) {
      replies.push(
        await request<OkReply>(sender, 'signal', {
          to: js.self.id,
          data: { kind: 'description', description: { type: 'offer', sdp } },
        }),
      );
    }
    assert.deepEqual(await left, { id: js.self.id, reason: 'disconnected' });
    const sent = replies.filter((r) => r.ok).length;
    assert.ok(sent * 90_000 < 40 * 1_048_576, `dropped long before everything was buffered (${sent} signals sent)`);
    assert.equal(
      await refusal(
        request(sender, 'signal', {
          to: js.self.id,
          data: { kind: 'description', description: { type: 'offer', sdp: 'v=0' } },
        }),
      ),
      'unknown-participant',
    );
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  });
});

describe('lobby and bans', () => {
  test('one address holds at most LOBBY_PER_ADDRESS places in a lobby; others still get in line', async () => {
    const url = await serve({ trustProxy: true, lobbyPerAddress: 2 });
    const host = await connectAs(url, '10.3.0.1');
    await join(host, { room: 'lobby-addr', name: 'H' });
    await request(host, 'room-lobby', { enabled: true });
    for (let i = 0; i < 2; i++) {
      const fake = await connectAs(url, '10.3.0.66');
      assert.equal(await refusal(request(fake, 'join', { room: 'lobby-addr', name: `Fake ${i}` })), 'in-lobby');
    }
    const third = await connectAs(url, '10.3.0.66');
    const r = await request<JoinReply>(third, 'join', { room: 'lobby-addr', name: 'Fake 3' });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error, 'lobby-full');
    assert.match(!r.ok ? (r.message ?? '') : '', /your network/);
    const real = await connectAs(url, '10.3.0.2');
    assert.equal(await refusal(request(real, 'join', { room: 'lobby-addr', name: 'Real guest' })), 'in-lobby');
  });

  test('lobby-clear refuses everyone waiting at once; only the host may', async () => {
    const url = await serve({});
    const host = await connect(url);
    await join(host, { room: 'clear-1', name: 'H' });
    const member = await connect(url);
    await join(member, { room: 'clear-1', name: 'M' });
    await request(host, 'room-lobby', { enabled: true });
    const waiters = await Promise.all(Array.from({ length: 4 }, () => connect(url)));
    for (const [i, w] of waiters.entries()) {
      assert.equal(await refusal(request(w, 'join', { room: 'clear-1', name: `W${i}` })), 'in-lobby');
    }
    assert.equal(await refusal(request(member, 'lobby-clear', {})), 'not-host');
    const denied = waiters.map((w) => next(w, 'lobby-denied'));
    const emptied = next<RoomState>(host, 'room-state');
    assert.deepEqual(await request(host, 'lobby-clear', {}), { ok: true });
    await Promise.all(denied);
    assert.deepEqual((await emptied).waiting, []);
    assert.equal(server0(url)?.rooms.get('clear-1')?.size, 2, 'nobody got in');
  });

  test('a removal bans the browser; with banAddress a fresh browser profile from that address is banned too', async () => {
    const url = await serve({ trustProxy: true });
    const host = await connectAs(url, '10.4.0.1', await browserCookie(url));
    await join(host, { room: 'ban-addr', name: 'H' });

    // Without banAddress: a fresh browser profile (new cookie) from the same address gets back in.
    const eve = await connectAs(url, '10.4.0.66', await browserCookie(url));
    const je = await join(eve, { room: 'ban-addr', name: 'Eve' });
    assert.deepEqual(await request(host, 'participant-remove', { id: je.self.id }), { ok: true });
    const eve2 = await connectAs(url, '10.4.0.66', await browserCookie(url));
    const je2 = await join(eve2, { room: 'ban-addr', name: 'Eve' });

    // With banAddress: the same trick fails, and a client without a cookie from there too.
    const told = next<{ reason: string }>(eve2, 'removed');
    assert.deepEqual(await request(host, 'participant-remove', { id: je2.self.id, banAddress: true }), { ok: true });
    assert.equal((await told).reason, 'removed');
    const eve3 = await connectAs(url, '10.4.0.66', await browserCookie(url));
    assert.equal(await refusal(request(eve3, 'join', { room: 'ban-addr', name: 'Eve' })), 'banned');
    const eve4 = await connectAs(url, '10.4.0.66');
    assert.equal(await refusal(request(eve4, 'join', { room: 'ban-addr', name: 'Eve' })), 'banned');
    // Another address of the same IPv6 /64 is the same network: a new address there does not help.
    const v6 = await connectAs(url, '2001:db8:4:4::1');
    const jv6 = await join(v6, { room: 'ban-addr', name: 'Six' });
    assert.deepEqual(await request(host, 'participant-remove', { id: jv6.self.id, banAddress: true }), { ok: true });
    const v6b = await connectAs(url, '2001:db8:4:4:ffff::2');
    assert.equal(await refusal(request(v6b, 'join', { room: 'ban-addr', name: 'Six' })), 'banned');
    const v6other = await connectAs(url, '2001:db8:4:5::1');
    await join(v6other, { room: 'ban-addr', name: 'Neighbour' });
    // Another address, and another room from the banned address, are not affected.
    const bob = await connectAs(url, '10.4.0.2', await browserCookie(url));
    await join(bob, { room: 'ban-addr', name: 'Bob' });
    await join(eve3, { room: 'ban-addr-elsewhere', name: 'Eve' });
    assert.equal(
      await refusal(request(host, 'participant-remove', { id: 'x', banAddress: 'yes' })),
      'invalid-message',
      'banAddress is a boolean',
    );
  });
});

/** The server behind `url` (for room counts). */
function server0(url: string): ParleyServer | undefined {
  return servers.find((s) => url.endsWith(`:${s.port}`));
}
