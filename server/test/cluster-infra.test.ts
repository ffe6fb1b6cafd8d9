import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PARLEY_NAMESPACE, type CheckReply } from '@parley/protocol';
import { io, type Socket } from 'socket.io-client';
import type { ParleyServer } from '../src/ParleyServer';
import { accepts, NGINX_CONF, nginxPath, renderNginxConf, startNginx, type NginxHandle } from './infra/nginx';
import { pingRedis, processCpuSeconds, redisServerPath, startRedis } from './infra/redis';
import { closeAllSockets, connect, join, next, request, startTestServer } from './support';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Whether `pid` is a running process (not a zombie awaiting its parent). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const r = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  return r.stdout.trim() !== '' && !r.stdout.trim().startsWith('Z');
}

describe('startRedis', { skip: redisServerPath() === null && 'redis-server is not installed' }, () => {
  test('answers PING, and comes back on the same port after kill() and start()', async () => {
    const redis = await startRedis();
    try {
      assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
      assert.ok(await pingRedis(redis.port));
      const firstPid = redis.pid;
      assert.ok(running(firstPid));
      assert.ok(redis.cpuSeconds() >= 0);
      await redis.kill();
      assert.equal(redis.pid, 0);
      assert.ok(!running(firstPid), 'SIGKILL ended the process');
      assert.equal(await pingRedis(redis.port), false, 'nothing answers while it is down');
      await redis.start();
      assert.notEqual(redis.pid, firstPid);
      assert.ok(await pingRedis(redis.port), 'the same port answers again');
      await redis.stop();
      assert.equal(await pingRedis(redis.port), false);
      assert.match(redis.output.join('\n'), /Ready to accept connections/);
      await redis.stop(); // idempotent
    } finally {
      await redis.stop();
    }
  });

  test('cpuSeconds() reads utime + stime from /proc', () => {
    const end = Date.now() + 300;
    while (Date.now() < end); // burn some CPU of our own
    const usage = process.cpuUsage();
    const expected = (usage.user + usage.system) / 1e6;
    const read = processCpuSeconds(process.pid);
    assert.ok(read > 0.2, `read ${read} s`);
    assert.ok(Math.abs(read - expected) < 0.1, `read ${read} s, process.cpuUsage() says ${expected} s`);
    assert.equal(processCpuSeconds(2 ** 22 + 1), 0, 'no such process');
  });

  test('a redis-server that cannot start fails with its own output', async () => {
    const first = await startRedis();
    try {
      await assert.rejects(startRedis({ port: first.port }), (err: Error) => {
        assert.match(err.message, new RegExp(`did not answer PING on 127.0.0.1:${first.port}`));
        assert.match(err.message, /exited with code 1/);
        assert.match(err.message, /Address already in use/, 'redis-server says why');
        return true;
      });
      assert.ok(await pingRedis(first.port), 'the first one is untouched');
    } finally {
      await first.stop();
    }
  });

  test('a test process that crashes leaves no redis-server or nginx running, and no temporary directory', async (t) => {
    const script = [
      "const { startRedis } = await import('./server/test/infra/redis.ts');",
      "const { startNginx, nginxPath } = await import('./server/test/infra/nginx.ts');",
      'const redis = await startRedis();',
      'console.log(`redis ${redis.pid} ${redis.dir}`);',
      'if (nginxPath() !== null) {',
      "  const nginx = await startNginx({ upstreams: ['127.0.0.1:9'] });",
      "  const { readFileSync } = await import('node:fs');",
      "  const pid = Number(readFileSync(nginx.dir + '/nginx.pid', 'utf8'));",
      '  console.log(`nginx ${pid} ${nginx.port} ${nginx.dir}`);',
      '}',
      "throw new Error('the test file crashed');",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /the test file crashed/);
    const redis = /redis (\d+) (\S+)/.exec(r.stdout);
    assert.ok(redis, r.stdout + r.stderr);
    assert.ok(!running(Number(redis[1])), `redis-server ${redis[1]} was killed when its test process exited`);
    assert.ok(!existsSync(redis[2] ?? ''), 'its directory is gone');
    const nginx = /nginx (\d+) (\d+) (\S+)/.exec(r.stdout);
    if (nginxPath() === null) return t.diagnostic('nginx is not installed: only redis-server checked');
    assert.ok(nginx, r.stdout + r.stderr);
    // The master got SIGTERM and ends its workers on its own time: give it a moment.
    await until(() => !running(Number(nginx[1])), `nginx ${nginx[1]} ended`);
    assert.equal(await accepts(Number(nginx[2])), false, 'no worker holds its port');
    assert.ok(!existsSync(nginx[3] ?? ''), 'its directory is gone');
  });
});

const haveNginx = nginxPath() !== null;

/** Resolve once `socket`'s Engine.IO connection runs on WebSocket (after the upgrade from polling). */
function upgraded(socket: Socket, ms = 10_000): Promise<void> {
  const engine = socket.io.engine;
  if (engine.transport.name === 'websocket') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no upgrade within ${ms} ms`)), ms);
    engine.once('upgrade', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function parleySockets(server: ParleyServer): number {
  return server.io.of(PARLEY_NAMESPACE).sockets.size;
}

describe(
  'three Parley servers behind deploy/nginx/parley.conf',
  { skip: !haveNginx && 'nginx is not installed' },
  () => {
    const servers: ParleyServer[] = [];
    const hosts: string[] = [];
    let nginx: NginxHandle;
    const extra: Socket[] = [];

    before(async () => {
      for (let i = 0; i < 3; i++) {
        const { server, url } = await startTestServer({ trustProxy: true });
        servers.push(server);
        hosts.push(new URL(url).host);
      }
      nginx = await startNginx({ upstreams: hosts });
    });

    after(async () => {
      for (const s of extra) s.disconnect();
      closeAllSockets();
      await nginx?.stop();
      await Promise.all(servers.map((s) => s.close()));
    });

    test('a WebSocket client joins a room through nginx and gets its reply', async () => {
      const socket = await connect(nginx.url);
      const ok = await join(socket, { room: 'through-nginx', name: 'Ada' });
      assert.equal(ok.ok, true);
      assert.equal(ok.self.name, 'Ada');
      assert.deepEqual(ok.participants, []);
      socket.disconnect();
    });

    test('a browser page opened through nginx on a port of its own may open its signaling connection', async () => {
      // The page's Origin carries nginx's port: the servers must see that same host.
      const socket = io(nginx.url + PARLEY_NAMESPACE, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        extraHeaders: { origin: nginx.url },
      });
      extra.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const ok = await join(socket, { room: 'browser-origin', name: 'Ada' });
      assert.equal(ok.ok, true);
      socket.disconnect();
    });

    test('fresh WebSocket connections are spread over all three servers (no stickiness needed)', async () => {
      // The previous test's client may still be leaving its server.
      await until(() => servers.every((s) => parleySockets(s) === 0), 'no client left from before');
      const before = servers.map(parleySockets);
      const sockets: Socket[] = [];
      for (let i = 0; i < 6; i++) sockets.push(await connect(nginx.url));
      const added = servers.map((s, i) => parleySockets(s) - (before[i] ?? 0));
      assert.deepEqual(added, [2, 2, 2], 'round robin: two on each server');
      // Each joined on the server it reached: every server holds its share of participants.
      for (const [i, socket] of sockets.entries()) await join(socket, { room: 'spread', name: `P${i}` });
      assert.deepEqual(
        servers.map((s) => s.rooms.participantCount),
        [2, 2, 2],
      );
      // nginx logs a WebSocket when it closes.
      const logged = nginx.accessLog().length;
      for (const s of sockets) s.disconnect();
      await until(() => nginx.accessLog().length >= logged + 6, 'six WebSocket lines in the access log');
      const ws = nginx.accessLog().slice(logged);
      assert.ok(
        ws.every((e) => e.uri === '/socket.io/' && e.transport === 'websocket' && e.status === 101 && e.sid === ''),
        JSON.stringify(ws),
      );
      assert.deepEqual(new Set(ws.map((e) => e.upstream)), new Set(hosts));
    });

    test('seed clients that start with long-polling keep their session on one server, upgrade and talk', async () => {
      const seed = (): Promise<Socket> => {
        // socket.io-client's defaults, as the original tutorial's clients: polling, then upgrade.
        const socket = io(nginx.url, { reconnection: false, forceNew: true });
        extra.push(socket);
        return new Promise((resolve, reject) => {
          socket.once('connect', () => resolve(socket));
          socket.once('connect_error', reject);
        });
      };
      const alice = await seed();
      await upgraded(alice);
      const bob = await seed();
      await upgraded(bob);

      alice.emit('join', { username: 'alice', room: 'seed-room' });
      await new Promise((r) => setTimeout(r, 100));
      const ready = next<{ username: string }>(alice, 'ready', 5_000);
      bob.emit('join', { username: 'bob', room: 'seed-room' });
      assert.deepEqual(await ready, { username: 'bob' });
      const relayed = next<unknown>(bob, 'data', 5_000);
      alice.emit('data', { username: 'alice', room: 'seed-room', data: { type: 'offer', sdp: 'v=0\r\n' } });
      assert.deepEqual(await relayed, { type: 'offer', sdp: 'v=0\r\n' });

      // Every request of each session (polls, and the upgrade carrying its sid) reached one server.
      // (nginx logs a WebSocket when it closes.)
      const sids = [alice.io.engine.id, bob.io.engine.id];
      alice.disconnect();
      bob.disconnect();
      await until(
        () => sids.every((sid) => nginx.accessLog().some((e) => e.sid === sid && e.transport === 'websocket')),
        'the upgrades in the access log',
      );
      for (const sid of sids) {
        const requests = nginx.accessLog().filter((e) => e.sid === sid);
        assert.ok(
          requests.some((e) => e.transport === 'polling'),
          `polling requests of ${sid}: ${JSON.stringify(requests)}`,
        );
        assert.ok(
          requests.some((e) => e.transport === 'websocket' && e.status === 101),
          'the upgrade went through',
        );
        assert.equal(new Set(requests.map((e) => e.upstream)).size, 1, JSON.stringify(requests));
        assert.ok(
          requests.every((e) => e.status === 200 || e.status === 101),
          JSON.stringify(requests),
        );
      }
    });

    test('GET / through nginx returns the web app', async () => {
      const res = await fetch(`${nginx.url}/`, { headers: { accept: 'text/html' } });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /Parley test index/);
      const ready = await fetch(`${nginx.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.equal((await fetch(`${nginx.url}/healthz`)).status, 200);
    });

    test('an nginx that cannot start fails with its own error log', async () => {
      await assert.rejects(startNginx({ upstreams: hosts, port: nginx.port }), (err: Error) => {
        assert.match(err.message, new RegExp(`nginx did not accept on 127.0.0.1:${nginx.port}`));
        assert.match(err.message, /exited with code 1/);
        assert.match(err.message, /Address already in use/, 'nginx says why');
        return true;
      });
      assert.equal((await fetch(`${nginx.url}/healthz`)).status, 200, 'the first one is untouched');
    });

    test('/metrics through nginx answers the monitoring network only', async () => {
      assert.equal((await fetch(`${nginx.url}/metrics`)).status, 200, 'from 127.0.0.1 (allowed)');
      const status = await new Promise<number>((resolve, reject) => {
        httpGet(`${nginx.url}/metrics`, { localAddress: '127.0.0.2' }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        }).once('error', reject);
      });
      assert.equal(status, 403, 'from 127.0.0.2 (not in the allowed networks)');
    });

    test('the servers see the client address nginx saw (X-Forwarded-For with TRUST_PROXY)', async () => {
      // The client comes from 127.0.0.2; nginx itself reaches the servers from 127.0.0.1.
      const socket = io(nginx.url + PARLEY_NAMESPACE, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        localAddress: '127.0.0.2',
      } as Parameters<typeof io>[1]);
      extra.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const reply = await request<CheckReply>(socket, 'check', {});
      assert.ok(reply.ok);
      assert.equal(reply.address, '127.0.0.2');
      socket.disconnect();
    });

    test('a server that is down is stepped around, for WebSocket and polling clients alike', async () => {
      // The server that held the polling sessions above (the hash of 127.0.0.1) goes down.
      const sticky = nginx.accessLog().find((e) => e.transport === 'polling')?.upstream;
      const index = hosts.indexOf(sticky ?? '');
      assert.ok(index >= 0, `the polling sessions' server: ${sticky}`);
      await servers[index]?.close();
      const alive = servers.filter((_, i) => i !== index);
      await until(() => alive.every((s) => parleySockets(s) === 0), 'no client left from before');
      const before = alive.map(parleySockets);
      const sockets: Socket[] = [];
      for (let i = 0; i < 4; i++) sockets.push(await connect(nginx.url));
      // (How they split between the two depends on where the round robin stood when it met the
      // dead server: a request that fails over goes to the next one.)
      const added = alive.map((s, i) => parleySockets(s) - (before[i] ?? 0));
      assert.equal(
        added.reduce((a, b) => a + b, 0),
        4,
        `every fresh WebSocket reached a live server: ${added.join(', ')}`,
      );
      const seed = io(nginx.url, { reconnection: false, forceNew: true });
      extra.push(seed);
      await new Promise<void>((resolve, reject) => {
        seed.once('connect', resolve);
        seed.once('connect_error', reject);
      });
      await upgraded(seed);
      const ack = await seed.timeout(5_000).emitWithAck('join', { username: 'carol', room: 'after-loss' });
      assert.deepEqual(ack, { ok: true });
      for (const s of sockets) s.disconnect();
    });

    test('with TLS, as shipped, the servers learn the scheme (X-Forwarded-Proto: https turns HSTS on)', async () => {
      const tls = await startNginx({ upstreams: hosts, tls: true });
      try {
        assert.match(tls.url, /^https:\/\/127\.0\.0\.1:\d+$/);
        const res = await new Promise<{ status: number; hsts: unknown; body: string }>((resolve, reject) => {
          httpsGet(`${tls.url}/`, { rejectUnauthorized: false, headers: { accept: 'text/html' } }, (r) => {
            let body = '';
            r.setEncoding('utf8');
            r.on('data', (c: string) => (body += c));
            r.on('end', () =>
              resolve({ status: r.statusCode ?? 0, hsts: r.headers['strict-transport-security'], body }),
            );
          }).once('error', reject);
        });
        assert.equal(res.status, 200);
        assert.match(res.body, /Parley test index/);
        assert.match(String(res.hsts), /max-age=\d+/);
        // Plain HTTP through the same file: no HSTS (the servers would otherwise send it anyway).
        const plain = await fetch(`${nginx.url}/`, { headers: { accept: 'text/html' } });
        assert.equal(plain.headers.get('strict-transport-security'), null);
      } finally {
        await tls.stop();
      }
    });
  },
);

describe('renderNginxConf', () => {
  const shipped = readFileSync(NGINX_CONF, 'utf8');
  const opts = {
    upstreams: ['127.0.0.1:4001', '127.0.0.1:4002'],
    listen: '127.0.0.1:9',
    tls: false,
    certFile: '/c',
    keyFile: '/k',
  };

  test('replaces only the upstream servers, the listen lines and the certificate paths', () => {
    const out = renderNginxConf(shipped, opts);
    const placeholder = (l: string): boolean => /^\s*(server\s+[\w.[\]:-]+:\d+|listen|ssl_certificate)/.test(l);
    const kept = (text: string): string =>
      text
        .split('\n')
        .filter((l) => !placeholder(l))
        .join('\n');
    assert.equal(kept(out), kept(shipped), 'every other line is the shipped file');
    assert.deepEqual(out.split('\n').filter(placeholder), [
      '    server 127.0.0.1:4001 max_fails=1 fail_timeout=10s;',
      '    server 127.0.0.1:4002 max_fails=1 fail_timeout=10s;',
      '    server 127.0.0.1:4001 max_fails=1 fail_timeout=10s;',
      '    server 127.0.0.1:4002 max_fails=1 fail_timeout=10s;',
      '    listen 127.0.0.1:9;',
      '    ssl_certificate /c;',
      '    ssl_certificate_key /k;',
    ]);
    assert.match(renderNginxConf(shipped, { ...opts, tls: true }), /^ {4}listen 127\.0\.0\.1:9 ssl;$/m);
  });

  test('refuses a file whose placeholders moved, and upstreams that are not host:port', () => {
    assert.throws(
      () => renderNginxConf(shipped.replace(/^\s*listen .*$/gm, ''), opts),
      /placeholder not found: listen/,
    );
    assert.throws(
      () => renderNginxConf(shipped.replace('upstream parley_sticky', 'upstream other'), opts),
      /placeholder not found: upstream parley_sticky/,
    );
    assert.throws(() => renderNginxConf(shipped, { ...opts, upstreams: [] }), TypeError);
    assert.throws(() => renderNginxConf(shipped, { ...opts, upstreams: ['127.0.0.1'] }), /not host:port/);
    assert.throws(() => renderNginxConf(shipped, { ...opts, upstreams: ['a:1; evil'] }), /not host:port/);
  });
});
