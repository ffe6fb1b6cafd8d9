// A crowd of clients without cookies (native apps, scripts, seed clients on another origin)
// behind one address gets in with the default limits; one of them doing refused work shuts
// out only the cookie-less clients of that address, never its browsers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PARLEY_NAMESPACE, type JoinReply, type OkReply } from '@parley/protocol';
import { io, type Socket } from 'socket.io-client';
import { defaults } from '../src/config';
import type { ParleyServer } from '../src/ParleyServer';
import { request, startTestServer } from './support';

const CROWD = 500;
const ROOMS = 100;

let server: ParleyServer;
let url: string;
const sockets: Socket[] = [];

before(async () => {
  ({ server, url } = await startTestServer({
    rateMessagesPerSecond: defaults.rateMessagesPerSecond,
    rateConnectionsPerMinute: defaults.rateConnectionsPerMinute,
    rateJoinsPerMinute: defaults.rateJoinsPerMinute,
    rateAddressConnectionsPerMinute: defaults.rateAddressConnectionsPerMinute,
    rateAddressJoinsPerMinute: defaults.rateAddressJoinsPerMinute,
    rateStrikesPerMinute: defaults.rateStrikesPerMinute,
    rateAddressStrikesPerMinute: defaults.rateAddressStrikesPerMinute,
  }));
});
after(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

async function open(cookie?: string): Promise<Socket> {
  const socket = io(url + PARLEY_NAMESPACE, {
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

test(`${CROWD} clients without cookies join from one address within a minute`, { timeout: 60_000 }, async () => {
  const started = Date.now();
  const replies: JoinReply[] = [];
  for (let batch = 0; batch < CROWD; batch += 50) {
    replies.push(
      ...(await Promise.all(
        Array.from({ length: 50 }, async (_, k) => {
          const s = await open();
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
  assert.equal(server.rooms.participantCount, CROWD);
});

test('refused work from a cookie-less client shuts out the cookie-less clients of its address, not its browsers', async () => {
  const attacker = await open();
  const replies = await Promise.all(
    Array.from({ length: 40 }, () => request<OkReply>(attacker, 'join', { room: '../../etc', name: '' })),
  );
  assert.ok(replies.every((r) => !r.ok && r.error === 'invalid-message'));
  await assert.rejects(open(), 'no new cookie-less connection for a minute');
  const page = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
  await page.arrayBuffer();
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const browser = await open(cookie);
  assert.equal((await request<JoinReply>(browser, 'join', { room: 'app-browser', name: 'Browser' })).ok, true);
});
