import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, afterEach, describe, test } from 'node:test';
import type { OkReply, SignalData } from '@parley/protocol';
import { io, type Socket } from 'socket.io-client';
import { ConfigError, loadConfig } from '../src/config';
import type { ParleyServer } from '../src/ParleyServer';
import { closeAllSockets, connect, join, next, request, sleep, startTestServer } from './support';

/** The exposition text of `url`'s /metrics. */
async function exposition(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

/** Parse the Prometheus text format into `name{labels}` -> value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/**
 * prom-client's default process gauges whose names end in `_total` (promtool: "non-counter
 * metrics should not have _total suffix"). They are prom-client's names, the ones Node dashboards
 * expect, so they stay; any other complaint fails the test.
 */
const PROM_CLIENT_GAUGES = new Set([
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
]);

const value = (m: Map<string, number>, key: string): number => m.get(key) ?? 0;

const offer: SignalData = { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } };

/** A socket of `url`'s `namespace` that may be refused: resolves with the refusal's message, or null when connected. */
function tryConnect(url: string, namespace: string, origin?: string): Promise<string | null> {
  const socket: Socket = io(url + namespace, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(origin ? { extraHeaders: { origin } } : {}),
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve(null);
    });
    socket.once('connect_error', (err) => {
      socket.disconnect();
      resolve(err.message);
    });
  });
}

const servers: ParleyServer[] = [];
async function start(...args: Parameters<typeof startTestServer>): Promise<{ server: ParleyServer; url: string }> {
  const started = await startTestServer(...args);
  servers.push(started.server);
  return started;
}

afterEach(() => closeAllSockets());
after(() => Promise.all(servers.map((s) => s.close())));

/** A server with some of everything counted: joins of each result, relayed signals, refusals. */
async function busyServer(): Promise<string> {
  const { url } = await start({ meshMax: 2, rateJoinsPerMinute: 3 });
  const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
  const ja = await join(a, { room: 'figures', name: 'A' });
  const jb = await join(b, { room: 'figures', name: 'B' });
  const got = next(b, 'signal');
  assert.deepEqual(await request<OkReply>(a, 'signal', { to: jb.self.id, data: offer }), { ok: true });
  await got;
  assert.equal((await request<OkReply>(c, 'join', { room: 'figures', name: 'C' })).ok, false); // room-full
  assert.equal(ja.ok, true);
  return url;
}

describe('metrics operators can use', () => {
  test('every metric name follows Prometheus naming (checked by promtool when installed, and by rule)', async (t) => {
    const text = await exposition(await busyServer());
    // The rules promtool applies to names and types, for machines without it.
    const types = new Map<string, string>();
    for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1] ?? '', m[2] ?? '');
    const helps = new Set([...text.matchAll(/^# HELP (\S+) \S/gm)].map((m) => m[1]));
    assert.ok(types.size > 20, `${types.size} metrics`);
    for (const [name, type] of types) {
      assert.match(name, /^[a-z_][a-z0-9_]*$/, `${name}: lower snake case`);
      assert.ok(helps.has(name), `${name} has a help text`);
      if (type === 'counter') assert.match(name, /_total$/, `${name}: a counter ends in _total`);
      else if (!PROM_CLIENT_GAUGES.has(name))
        assert.doesNotMatch(name, /_total$/, `${name}: only counters end in _total`);
      if (type === 'histogram') assert.match(name, /_(seconds|bytes)$/, `${name}: a histogram names its base unit`);
      assert.doesNotMatch(name, /_(milliseconds|ms|kb|mb)(_|$)/, `${name}: base units (seconds, bytes)`);
      if (name.startsWith('parley_') === false)
        assert.match(name, /^(process|nodejs)_/, `${name}: Parley's own metrics are prefixed parley_`);
    }
    for (const name of ['parley_join_duration_seconds', 'parley_signal_relay_duration_seconds'])
      assert.equal(types.get(name), 'histogram', name);

    const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
    if (promtool.error) {
      t.skip('promtool is not installed (Debian package prometheus): names checked by the rules above only');
      return;
    }
    const checked = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const complaints = `${checked.stdout}${checked.stderr}`
      .split('\n')
      .filter((line) => line.trim() !== '' && !PROM_CLIENT_GAUGES.has(line.split(' ')[0] ?? ''));
    assert.deepEqual(complaints, [], "promtool check metrics complains only about prom-client's own gauges");
    // And Parley's own metrics alone pass outright.
    const own = text
      .split('\n')
      .filter((line) => /^(# (HELP|TYPE) )?parley_/.test(line))
      .join('\n');
    const ownChecked = spawnSync('promtool', ['check', 'metrics'], { input: `${own}\n`, encoding: 'utf8' });
    assert.equal(ownChecked.status, 0, `promtool check metrics (parley_*):\n${ownChecked.stdout}${ownChecked.stderr}`);
  });

  test('join time is a histogram by result, signal relay time another', async () => {
    const url = await busyServer();
    const m = samples(await exposition(url));
    assert.equal(value(m, 'parley_join_duration_seconds_count{result="joined"}'), 2);
    assert.equal(value(m, 'parley_join_duration_seconds_count{result="refused"}'), 1);
    assert.ok(value(m, 'parley_join_duration_seconds_sum{result="joined"}') > 0);
    assert.ok(value(m, 'parley_join_duration_seconds_sum{result="joined"}') < 5);
    assert.equal(value(m, 'parley_join_duration_seconds_bucket{le="+Inf",result="joined"}'), 2);
    assert.equal(value(m, 'parley_signal_relay_duration_seconds_count'), 1);
    assert.ok(value(m, 'parley_signal_relay_duration_seconds_sum') < 1);
  });

  test('refusals at the handshake (rate, origin), of the seed namespace when off, floods in both namespaces and budgets are counted', async () => {
    const { url } = await start({
      // Test clients have no cookie: they are held to their address's budgets.
      rateAddressConnectionsPerMinute: 4,
      rateMessagesPerSecond: 1,
      rateMessagesBurst: 1,
      rateDisconnectAfter: 3,
      rateAddressJoinsPerMinute: 1,
    });
    // Origin refusal on /parley (the page's own origin only).
    assert.match((await tryConnect(url, '/parley', 'https://elsewhere.example')) ?? '', /may not open \/parley/);
    // A flood on /parley: one message passes, the next are refused, then the connection closes.
    const p = await connect(url);
    await join(p, { room: 'flood', name: 'P' });
    const closed = new Promise<void>((resolve) => p.once('disconnect', () => resolve()));
    for (let i = 0; i < 6; i++) p.emit('media-state', { audio: false, video: false });
    await closed;
    // A flood on the seed namespace.
    const s = await connect(url, '/');
    for (let i = 0; i < 3; i++) s.emit('data', { to: 'x', data: 1 });
    await sleep(100);
    // Joins past RATE_ADDRESS_JOINS_PER_MINUTE (the flood's join took the one allowed).
    const q = await connect(url);
    const refused = await request<OkReply>(q, 'join', { room: 'later', name: 'Q' });
    assert.equal(!refused.ok && refused.error, 'rate-limited');
    // Connections past RATE_ADDRESS_CONNECTIONS_PER_MINUTE, refused at the handshake.
    assert.match((await tryConnect(url, '/parley')) ?? '', /.+/);

    const { url: off } = await start({ seedProtocol: false });
    assert.match((await tryConnect(off, '/')) ?? '', /seed protocol is off/);

    const m = samples(await exposition(url));
    assert.equal(
      value(m, 'parley_refused_connections_total{stage="origin",reason="origin-not-allowed",namespace="/parley"}'),
      1,
    );
    assert.ok(value(m, 'parley_refused_connections_total{stage="handshake",reason="address",namespace="*"}') >= 1);
    assert.ok(value(m, 'parley_rate_limited_messages_total{namespace="/parley",action="refused"}') >= 1);
    assert.equal(value(m, 'parley_rate_limited_messages_total{namespace="/parley",action="disconnected"}'), 1);
    assert.ok(value(m, 'parley_rate_limited_messages_total{namespace="/",action="refused"}') >= 1);
    assert.equal(value(m, 'parley_budget_refusals_total{budget="joins"}'), 1);
    const mOff = samples(await exposition(off));
    assert.equal(
      value(mOff, 'parley_refused_connections_total{stage="namespace",reason="seed-protocol-off",namespace="/"}'),
      1,
    );
  });

  test('with METRICS_PORT, /metrics is served there only (127.0.0.1 by default) and the main port answers 404', async () => {
    const { server, url } = await start({ metricsPort: 0 });
    assert.notEqual(server.metricsPort, server.port);
    assert.equal(
      server.metricsHttp?.address() && (server.metricsHttp.address() as { address: string }).address,
      '127.0.0.1',
    );
    const main = await fetch(`${url}/metrics`, { headers: { accept: 'text/html' } });
    assert.equal(main.status, 404);
    const own = `http://127.0.0.1:${server.metricsPort}`;
    assert.match(await exposition(own), /^# HELP parley_/m);
    assert.equal((await fetch(`${own}/`)).status, 404);
    assert.equal((await fetch(`${own}/healthz`)).status, 404);
    // The main port still serves everything else.
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  });

  test('METRICS_PORT equal to PORT is a configuration error that says why', () => {
    assert.throws(
      () => loadConfig({ PORT: '9000', METRICS_PORT: '9000' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.option === 'METRICS_PORT' &&
        /must differ from PORT \(9000\)/.test(err.message),
    );
    assert.equal(loadConfig({ PORT: '9000', METRICS_PORT: '9100' }).metricsPort, 9100);
    assert.equal(loadConfig({}).metricsPort, null);
    assert.equal(loadConfig({}).metricsHost, '127.0.0.1');
    assert.equal(loadConfig({ METRICS_HOST: '0.0.0.0' }).metricsHost, '0.0.0.0');
  });
});
