import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { FRAME_MAX_BYTES } from '@parley/protocol';
import { fuzz, fuzzTable } from '../../e2e/support/fuzzer';
import { closeAllSockets, connect, fakeWebRoot, join, next, sleep } from './support';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const MEMORY_SETTINGS = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };
const MEMORY_NODE_OPTIONS = '--max-semi-space-size=2';

// The server runs in a process of its own, so that its resident memory is its own (the fuzzing
// clients would otherwise count) and a crash shows as an exit.
let proc: ChildProcess;
let url: string;
const stderr: string[] = [];

before(async () => {
  proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      STATIC_DIR: fakeWebRoot(),
      // Limits high enough that the random phase reaches validation; the floods go over them.
      RATE_MESSAGES_PER_SECOND: '2000',
      RATE_MESSAGES_BURST: '500',
      RATE_DISCONNECT_AFTER: '100',
      RATE_CONNECTIONS_PER_MINUTE: '200',
      RATE_ADDRESS_CONNECTIONS_PER_MINUTE: '200',
      RATE_JOINS_PER_MINUTE: '0',
      // Refused work would soon shut the fuzzer out (strikes): it must keep reaching the parser.
      RATE_STRIKES_PER_MINUTE: '0',
      RATE_ADDRESS_STRIKES_PER_MINUTE: '0',
      // The server as `npm start` runs it (docs/OPERATIONS.md, Memory): smaller young
      // generation, two allocator arenas, large frames in their own mappings. Once the clients
      // are gone, the server's idle collector gives back what the attack made it take
      // (observability/IdleCollector.ts); nothing here forces a collection.
      ...MEMORY_SETTINGS,
      NODE_OPTIONS: [process.env.NODE_OPTIONS, MEMORY_NODE_OPTIONS].filter(Boolean).join(' '),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    proc.stderr?.on('data', (c: Buffer) => {
      stderr.push(c.toString());
      const all = stderr.join('');
      const m = /open (http:\/\/[^\s]+)/.exec(all);
      if (m?.[1]) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr.join('')}`)));
  });
});
after(async () => {
  closeAllSockets();
  if (proc.exitCode === null) {
    proc.kill('SIGTERM');
    await once(proc, 'exit');
  }
});

/** Resident memory of the server process by kind (anonymous, file-backed), for the record. */
function rssParts(): string {
  const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
  const mb = (field: string): string =>
    (Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024).toFixed(1);
  return `anonymous ${mb('RssAnon')} MB, file ${mb('RssFile')} MB`;
}

/** Resident memory of the server process, in MB. */
function serverRssMb(): number {
  const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function gauge(name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

/** The V8 heap and the memory outside it (Buffers), from the server's /metrics, in MB. */
async function heapFigures(): Promise<string> {
  const mb = async (name: string): Promise<string> => ((await gauge(name)) / 1048576).toFixed(1);
  return `heap used ${await mb('nodejs_heap_size_used_bytes')} MB of ${await mb('nodejs_heap_size_total_bytes')} MB, external ${await mb('nodejs_external_memory_bytes')} MB`;
}

/**
 * The server's RSS once it stops falling: V8 shrinks its heap when the process has been idle
 * for a while (its memory reducer), so sample every 2 s until three samples agree within 1 MB.
 */
async function settledRssMb(ms: number): Promise<number> {
  const samples = [serverRssMb()];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    await sleep(2_000);
    samples.push(serverRssMb());
    const last3 = samples.slice(-3);
    if (last3.length === 3 && Math.max(...last3) - Math.min(...last3) < 1) break;
  }
  return samples[samples.length - 1]!;
}

/** The server's RSS once it is below `limitMb`, or the last sample after `ms`. */
async function rssBackWithin(limitMb: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let rss = serverRssMb();
  while (rss >= limitMb && Date.now() < deadline) {
    await sleep(1_000);
    rss = serverRssMb();
  }
  return rss;
}

/** A call's worth of signaling on both namespaces. */
async function exchange(room: string): Promise<void> {
  const [a, b] = await Promise.all([connect(url), connect(url)]);
  await join(a, { room, name: 'A' });
  assert.equal((await join(b, { room, name: 'B' })).participants.length, 1);
  const [sa, sb] = await Promise.all([connect(url, '/'), connect(url, '/')]);
  assert.deepEqual(await sa.timeout(2_000).emitWithAck('join', { username: 'a', room }), { ok: true });
  const ready = next(sa, 'ready');
  assert.deepEqual(await sb.timeout(2_000).emitWithAck('join', { username: 'b', room }), { ok: true });
  await ready;
  const offer = { type: 'offer', sdp: 'v=0\r\n' };
  const got = next(sb, 'data');
  sa.emit('data', { username: 'a', room, data: offer });
  assert.deepEqual(await got, offer);
  closeAllSockets();
}

test('100,000 hostile events on both namespaces (deep to 100,000 levels, wide, binary, raw frames) and floods leave the server serving, with its state and memory back', async () => {
  // Warm up (JIT, Socket.IO internals), then measure the baseline.
  // Warm up: Socket.IO internals and the JIT code of every refusal path belong to where the
  // server starts from (a few thousand events compile them; their memory does not come back).
  await exchange('warm-up');
  await fuzz(url, {
    events: 2_000,
    sockets: 2,
    frameMax: FRAME_MAX_BYTES,
    floodSize: 10,
    connectionFloodSize: 0,
    seed: 1,
  });
  const baseline = await settledRssMb(20_000);
  const heapBefore = `${await heapFigures()}, RSS ${rssParts()}`;
  // FUZZ_EVENTS shortens a run while working on the fuzzer; the suite runs the full 100,000.
  const events = Number(process.env.FUZZ_EVENTS ?? 100_000);

  const report = await fuzz(url, {
    events,
    sockets: 4,
    frameMax: FRAME_MAX_BYTES,
    floodSize: 1_500,
    connectionFloodSize: 230,
    deepMax: 100_000,
  });
  console.log(`\n${fuzzTable(report)}`);
  assert.equal(proc.exitCode, null, 'the server process is still running');
  assert.ok(report.total >= events);
  assert.ok(
    report.perNamespace['/parley'] > events * 0.4 && report.perNamespace['/'] > events * 0.4,
    'both namespaces fuzzed',
  );
  const c = report.counts;
  for (const kind of ['deep-frame', 'wide', 'binary', 'oversized-frame', 'raw-garbage', 'raw-engine'] as const)
    assert.equal(c[kind].accepted, 0, `${kind}: nothing accepted`);
  assert.ok(
    c['deep-frame'].sent > events / 200 && c['deep-frame'].cutOff === c['deep-frame'].sent,
    'every deep frame closes',
  );
  assert.equal(c['oversized-frame'].cutOff, c['oversized-frame'].sent, 'every oversized frame closes');
  assert.equal(c['deep-object'].accepted, 0);
  assert.equal(c['huge-string'].accepted, 0);
  assert.equal(c['binary'].accepted, 0);
  assert.ok(
    c['wrong-type'].refused === c['wrong-type'].sent - c['wrong-type'].cutOff,
    'every wrong-typed event refused',
  );
  assert.equal(c['unknown-event'].accepted, 0);
  assert.ok(c['out-of-order'].accepted > 0 && c['out-of-order'].refused > 0);
  assert.ok(
    c['message-flood'].refused > 0 && c['message-flood'].cutOff === report.floodSockets,
    'floods are told, then disconnected',
  );
  assert.ok(c['connection-flood'].refused >= 30, 'connections over the per-address limit are refused');

  // Still serving: HTTP and a fresh exchange on each namespace.
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  await exchange('after-fuzz');

  // Nothing left behind: no rooms, no connections, and the memory back near where it started.
  const deadline = Date.now() + 10_000;
  while ((await gauge('parley_connected_sockets')) > 0 && Date.now() < deadline) await sleep(100);
  assert.equal(await gauge('parley_connected_sockets'), 0, 'no connections left');
  assert.equal(await gauge('parley_rooms'), 0, 'no rooms left');
  assert.equal(await gauge('parley_participants'), 0);
  const afterMb = await rssBackWithin(baseline + 20, 45_000);
  const growth = afterMb - baseline;
  console.log(
    `server RSS: ${baseline.toFixed(1)} MB before, ${afterMb.toFixed(1)} MB after the clients are gone (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB); ${(report.total / (report.ms / 1000)).toFixed(0)} events/s`,
  );
  console.log(`before: ${heapBefore}; after: ${await heapFigures()}, RSS ${rssParts()}`);
  assert.ok(growth < 20, `RSS grew by ${growth.toFixed(1)} MB`);
  assert.equal(proc.exitCode, null);
});
