import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { OkReply } from '@parley/protocol';
import { io } from 'socket.io-client';
import type { ParleyServer } from '../src/ParleyServer';
import { closeAllSockets, connect, join, request, sleep, startTestServer } from './support';
import { DISCONNECT_GRACE_MS } from '../src/liveness';

/** Parse the Prometheus text format into `name{labels}` -> value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const ROOT_PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const metric = (m: Map<string, number>, key: string): number => m.get(key) ?? 0;

describe('metrics', () => {
  let server: ParleyServer;
  let url: string;
  before(async () => {
    ({ server, url } = await startTestServer({
      meshMax: 2,
      turnUrls: ['turn:127.0.0.1:3478'],
      turnSecret: 'metrics-secret',
    }));
  });
  afterEach(() => closeAllSockets());
  after(() => server.close());

  test('counters and gauges move when people join and leave', async () => {
    const m0 = await scrape(url);
    assert.equal(metric(m0, 'parley_rooms'), 0);
    assert.equal(metric(m0, 'parley_participants'), 0);
    assert.ok(m0.has('nodejs_eventloop_lag_seconds'), 'event-loop lag is exported');
    assert.ok(m0.has(`parley_info{version="${ROOT_PACKAGE.version}"}`));

    const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
    await join(a, { room: 'metrics-1', name: 'A' });
    await join(b, { room: 'metrics-1', name: 'B' });
    const full = await request<OkReply>(c, 'join', { room: 'metrics-1', name: 'C' });
    assert.equal(!full.ok && full.error, 'room-full');
    await request(c, 'join', { room: 'bad room!', name: 'C' });
    c.emit('nonsense', {});
    await sleep(50);

    const m1 = await scrape(url);
    assert.equal(metric(m1, 'parley_connected_sockets') - metric(m0, 'parley_connected_sockets'), 3);
    assert.equal(metric(m1, 'parley_rooms'), 1);
    assert.equal(metric(m1, 'parley_participants'), 2);
    assert.equal(metric(m1, 'parley_joins_total') - metric(m0, 'parley_joins_total'), 2);
    assert.equal(
      metric(m1, 'parley_turn_credentials_issued_total') - metric(m0, 'parley_turn_credentials_issued_total'),
      2,
    );
    assert.equal(metric(m1, 'parley_rejected_messages_total{reason="room-full"}'), 1);
    assert.equal(metric(m1, 'parley_rejected_messages_total{reason="invalid-message"}'), 1);
    assert.equal(metric(m1, 'parley_rejected_messages_total{reason="unknown-event"}'), 1);

    await request(a, 'leave', {});
    b.io.engine.close(); // the connection drops (not a polite disconnect): removed after the grace
    await sleep(DISCONNECT_GRACE_MS + 200);
    const m2 = await scrape(url);
    assert.equal(metric(m2, 'parley_rooms'), 0);
    assert.equal(metric(m2, 'parley_participants'), 0);
    assert.equal(metric(m2, 'parley_leaves_total{reason="left"}'), 1);
    assert.equal(metric(m2, 'parley_leaves_total{reason="disconnected"}'), 1);
    assert.equal(metric(m2, 'parley_connected_sockets') - metric(m0, 'parley_connected_sockets'), 2, 'a and c remain');
  });

  test('two servers in one process keep separate counters', async () => {
    const other = await startTestServer();
    try {
      const before = await scrape(url);
      const s = await connect(other.url);
      await join(s, { room: 'metrics-2', name: 'A' });
      const there = await scrape(other.url);
      const here = await scrape(url);
      assert.equal(metric(there, 'parley_joins_total'), 1);
      assert.equal(metric(here, 'parley_joins_total'), metric(before, 'parley_joins_total'), 'unchanged here');
    } finally {
      closeAllSockets();
      await other.server.close();
    }
  });
});

describe('refusals an operator can see', () => {
  test('handshake, origin, frame and seed-protocol refusals are counted by stage and reason', async () => {
    const { server, url } = await startTestServer({ rateAddressConnectionsPerMinute: 4 });
    try {
      // A page from another site asking for Parley's namespace (same-origin by default).
      const foreign = io(`${url}/parley`, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        extraHeaders: { origin: 'http://elsewhere.example' },
      });
      await new Promise((resolve) => foreign.once('connect_error', resolve));
      foreign.close();
      // A frame nested past the payload bounds: the connection is closed.
      const deep = await connect(url);
      let nested: unknown = 'x';
      for (let i = 0; i < 40; i++) nested = { n: nested };
      const closed = new Promise((resolve) => deep.once('disconnect', resolve));
      deep.emit('media-state', nested);
      await closed;
      // A seed client's malformed join.
      const seed = await connect(url, '/');
      seed.emit('join', { room: 42 });
      await sleep(100);
      // The address's connection ceiling (4 here): the next handshake is refused.
      await connect(url);
      await assert.rejects(connect(url));
      const m = await scrape(url);
      assert.equal(
        metric(m, 'parley_refused_connections_total{stage="origin",reason="origin-not-allowed",namespace="/parley"}'),
        1,
      );
      assert.equal(
        metric(m, 'parley_refused_connections_total{stage="frame",reason="payload-bounds",namespace="/parley"}'),
        1,
      );
      assert.equal(metric(m, 'parley_seed_rejected_messages_total{reason="invalid-message"}'), 1);
      assert.equal(metric(m, 'parley_refused_connections_total{stage="handshake",reason="address",namespace="*"}'), 1);
    } finally {
      closeAllSockets();
      await server.close();
    }
  });
});

describe('health and readiness', () => {
  test('/healthz is ok; /readyz is ready, then 503 while draining for shutdown', async () => {
    const { server, url } = await startTestServer();
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { status: string; details: { topology: string; sfu: { state: string } } };
    assert.equal(body.status, 'ready');
    assert.equal(body.details.topology, 'auto');
    // The forwarding unit is loaded only when a room needs it; here it is built (or says why not).
    assert.ok(['available', 'unavailable'].includes(body.details.sfu.state), JSON.stringify(body.details));

    const socket = await connect(url);
    const notice = new Promise((r) => socket.once('server-shutdown', r));
    const done = server.shutdown();
    assert.deepEqual(await notice, { reconnect: true });
    // While draining the port still answers, but is no longer ready and refuses joins.
    const draining = await fetch(`${url}/readyz`);
    assert.equal(draining.status, 503);
    assert.equal(((await draining.json()) as { status: string }).status, 'draining');
    assert.equal((await fetch(`${url}/healthz`)).status, 200, 'still alive while draining');
    const other = await connect(url);
    const refused = await request<OkReply>(other, 'join', { room: 'late', name: 'Late' });
    assert.equal(!refused.ok && refused.error, 'shutting-down');
    await done;
    closeAllSockets();
  });
});
