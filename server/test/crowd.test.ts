// A crowd behind one address (an office, a school) gets in with the default limits, while an
// attacker from that same address is told apart by what it does: refused work, failed
// passwords, floods, cookies minted to look like a crowd.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PARLEY_NAMESPACE, type JoinReply, type OkReply } from '@parley/protocol';
import { io, type Socket } from 'socket.io-client';
import { defaults } from '../src/config';
import type { ParleyServer } from '../src/ParleyServer';
import { request, startTestServer } from './support';

const CROWD = 500;
const ROOMS = 125; // MESH_MAX is 4: four people per room
const ADDRESS = '127.0.0.1';

let server: ParleyServer;
let url: string;
const sockets: Socket[] = [];
/** The crowd's browser cookies, one per person. */
const crowd: string[] = [];

/** The default limits, not the test servers' "no limits". */
const defaultLimits = {
  rateMessagesPerSecond: defaults.rateMessagesPerSecond,
  rateConnectionsPerMinute: defaults.rateConnectionsPerMinute,
  rateJoinsPerMinute: defaults.rateJoinsPerMinute,
  rateAddressConnectionsPerMinute: defaults.rateAddressConnectionsPerMinute,
  rateAddressJoinsPerMinute: defaults.rateAddressJoinsPerMinute,
  rateStrikesPerMinute: defaults.rateStrikesPerMinute,
  rateAddressStrikesPerMinute: defaults.rateAddressStrikesPerMinute,
};

before(async () => {
  ({ server, url } = await startTestServer(defaultLimits));
});
after(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

/** A page load: the browser cookie the server hands out. */
async function browserCookie(base = url): Promise<string> {
  const res = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
  await res.arrayBuffer();
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  assert.match(cookie, /^parley_client=/);
  return cookie;
}

/** Connect like a browser with `cookie` (or like a script without one); rejects when refused. */
async function open(cookie?: string, base = url): Promise<Socket> {
  const socket = io(base + PARLEY_NAMESPACE, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(cookie ? { extraHeaders: { cookie } } : {}),
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

const refused = async (cookie?: string): Promise<boolean> =>
  open(cookie).then(
    (s) => {
      s.disconnect();
      return false;
    },
    () => true,
  );

describe('a crowd behind one address', () => {
  test(
    `${CROWD} people with their own browsers join from one address within a minute`,
    { timeout: 60_000 },
    async () => {
      const started = Date.now();
      for (let i = 0; i < CROWD; i++) crowd.push(await browserCookie());
      const replies: JoinReply[] = [];
      for (let batch = 0; batch < CROWD; batch += 50) {
        replies.push(
          ...(await Promise.all(
            crowd.slice(batch, batch + 50).map(async (cookie, k) => {
              const s = await open(cookie);
              return request<JoinReply>(s, 'join', { room: `crowd-${(batch + k) % ROOMS}`, name: `P${batch + k}` });
            }),
          )),
        );
      }
      const seconds = (Date.now() - started) / 1000;
      assert.ok(seconds < 60, `all within the minute (${seconds.toFixed(1)} s)`);
      const refusals = replies.filter((r) => !r.ok);
      assert.deepEqual(refusals, [], 'nobody was refused');
      assert.equal(server.rooms.participantCount, CROWD);
      assert.equal(server.limits.suspect(ADDRESS), false);
    },
  );

  test('a client that floods refused work from that address is refused; the crowd is not', async () => {
    const cookie = await browserCookie();
    const attacker = await open(cookie);
    // Invalid events: each is refused and counts as a strike (30 a minute is the limit).
    const replies = await Promise.all(
      Array.from({ length: 40 }, () => request<OkReply>(attacker, 'join', { room: '../../etc', name: '' })),
    );
    assert.ok(replies.every((r) => !r.ok && r.error === 'invalid-message'));
    const again = await request<JoinReply>(attacker, 'join', { room: 'crowd-victim', name: 'Mallory' });
    assert.equal(again.ok, false);
    assert.equal(!again.ok && again.error, 'rate-limited', 'no more joins for this browser');
    assert.equal(await refused(cookie), true, 'no new connection for this browser either');
    // Someone from the crowd, and a newcomer from the same address, are not touched.
    const member = await open(crowd[0]);
    const ok = await request<JoinReply>(member, 'join', { room: 'crowd-late-0', name: 'Late' });
    assert.equal(ok.ok, true);
    const newcomer = await open(await browserCookie());
    assert.equal((await request<JoinReply>(newcomer, 'join', { room: 'crowd-late-0', name: 'New' })).ok, true);
  });

  test('a client guessing a room password from that address runs out fast', async () => {
    const host = await open(crowd[1]);
    await request(host, 'leave', {});
    await request<JoinReply>(host, 'join', { room: 'crowd-locked', name: 'Teacher' });
    assert.deepEqual(await request(host, 'room-password', { password: 'class 4b' }), { ok: true });
    const guesser = await open(await browserCookie());
    const answers: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await request<JoinReply>(guesser, 'join', { room: 'crowd-locked', name: 'G', password: `guess ${i}` });
      answers.push(r.ok ? 'ok' : r.error);
    }
    const wrong = answers.filter((a) => a === 'wrong-password').length;
    assert.ok(wrong <= 6, `at most six real guesses a minute: ${answers.join(', ')}`);
    assert.ok(
      answers.slice(-3).every((a) => a === 'password-limited' || a === 'rate-limited'),
      `then refused without a check: ${answers.join(', ')}`,
    );
  });

  test('cookies minted to look like a crowd stop paying once the address did refused work', async () => {
    // Fresh cookies, each doing refused work under the per-client strike limit.
    for (let i = 0; i < 8 && !server.limits.suspect(ADDRESS); i++) {
      const s = await open(await browserCookie());
      await Promise.all(Array.from({ length: 20 }, () => request(s, 'chat-send', { nonsense: true })));
      s.disconnect();
    }
    assert.equal(server.limits.suspect(ADDRESS), true, 'the address is suspect');
    // Newcomers now share one browser's budget (120 connections a minute): minting runs dry.
    let refusedCount = 0;
    for (let i = 0; i < 130; i++) if (await refused(await browserCookie())) refusedCount++;
    assert.ok(refusedCount >= 10, `fresh cookies are refused (${refusedCount} of 130)`);
    assert.equal(await refused(), true, 'so are clients without a cookie');
    // The people already there keep connecting and joining.
    for (let i = 10; i < 20; i++) {
      const s = await open(crowd[i]);
      const r = await request<JoinReply>(s, 'join', { room: `crowd-again-${i}`, name: `P${i}` });
      assert.equal(r.ok, true, `crowd member ${i} rejoins`);
    }
  });
});

describe('a crowd of clients without cookies behind one address', () => {
  // Native apps, scripts, seed clients on another origin: they cannot be told apart.
  let scripted: ParleyServer;
  let base: string;
  before(async () => {
    ({ server: scripted, url: base } = await startTestServer(defaultLimits));
  });
  after(() => scripted.close());

  test(`${CROWD} clients without cookies join from one address within a minute`, { timeout: 60_000 }, async () => {
    const started = Date.now();
    const replies: JoinReply[] = [];
    for (let batch = 0; batch < CROWD; batch += 50) {
      replies.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, async (_, k) => {
            const s = await open(undefined, base);
            return request<JoinReply>(s, 'join', { room: `app-${(batch + k) % ROOMS}`, name: `A${batch + k}` });
          }),
        )),
      );
    }
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds < 60, `all within the minute (${seconds.toFixed(1)} s)`);
    assert.deepEqual(
      replies.filter((r) => !r.ok),
      [],
      'nobody was refused',
    );
    assert.equal(scripted.rooms.participantCount, CROWD);
  });

  test('refused work by one of them shuts out the cookie-less clients there, not the browsers', async () => {
    const attacker = await open(undefined, base);
    const replies = await Promise.all(
      Array.from({ length: 40 }, () => request<OkReply>(attacker, 'join', { room: '../../etc', name: '' })),
    );
    assert.ok(replies.every((r) => !r.ok && r.error === 'invalid-message'));
    assert.equal(
      await open(undefined, base).then(
        () => false,
        () => true,
      ),
      true,
      'no new cookie-less connection for a minute',
    );
    const browser = await open(await browserCookie(base), base);
    assert.equal((await request<JoinReply>(browser, 'join', { room: 'app-browser', name: 'Browser' })).ok, true);
  });
});
