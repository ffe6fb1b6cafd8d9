// Work-queue pressure on one Parley server: what a few hostile sockets that stay under the
// message rate limit can do to everyone else. Prints figures, asserts nothing.
//
//   node --import tsx bench/abuse/pressure.ts [--seconds 10]
//
// 1. Static-file latency (GET of a 256 KiB file) while idle, then while attackers send
//    `room-password` (a host action: one scrypt each) and joins with wrong passwords.
// 2. Server RSS while senders push large signals to a participant that stops reading.
// The server runs as a child process (`server/src/cli.ts` through tsx) with its default limits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const argSeconds = process.argv.indexOf('--seconds');
const SECONDS = argSeconds > 0 ? Number(process.argv[argSeconds + 1]) : 10;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function startServer(): Promise<{ url: string; proc: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-pressure-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>pressure</title>');
  writeFileSync(join(dir, 'big.js'), 'x'.repeat(256 * 1024));
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', STATIC_DIR: dir, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
    proc.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /open http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return { url: `http://127.0.0.1:${port}`, proc };
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function connect(url: string): Promise<Socket> {
  const s = io(`${url}/parley`, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('connect_error', reject);
  });
  return s;
}

const ack = (s: Socket, event: string, payload: unknown, ms = 30_000): Promise<{ ok: boolean; error?: string }> =>
  s
    .timeout(ms)
    .emitWithAck(event, payload)
    .catch(() => ({ ok: false, error: 'timeout' })) as Promise<{ ok: boolean; error?: string }>;

/** Median and worst of `n` sequential static GETs, in seconds. */
async function staticLatency(url: string, n: number): Promise<{ median: number; worst: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(`${url}/big.js`);
    await res.arrayBuffer();
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(n / 2)] ?? NaN, worst: times[n - 1] ?? NaN };
}

async function passwordPressure(url: string, pid: number): Promise<void> {
  const idle = await staticLatency(url, 10);
  // Four attacker sockets, each hosting its own room and changing its password as fast as the
  // message limit lets it (50/s each), and four guessing a victim room's password.
  const victimHost = await connect(url);
  await ack(victimHost, 'join', { room: 'victim', name: 'Host' });
  await ack(victimHost, 'room-password', { password: 'correct horse' });
  const attackers: Socket[] = [];
  const tally = new Map<string, number>();
  const count = (r: { ok: boolean; error?: string }): void => {
    const k = r.ok ? 'ok' : (r.error ?? '?');
    tally.set(k, (tally.get(k) ?? 0) + 1);
  };
  let running = true;
  for (let i = 0; i < 4; i++) {
    const host = await connect(url);
    await ack(host, 'join', { room: `attack-${i}`, name: 'A' });
    const guesser = await connect(url);
    attackers.push(host, guesser);
    void (async () => {
      for (let n = 0; running && host.connected; n++) {
        void ack(host, 'room-password', { password: `pw-${n}` }).then(count);
        void ack(guesser, 'join', { room: 'victim', name: 'G', password: `guess-${n}` }).then(count);
        await sleep(25);
      }
    })();
  }
  await sleep(2_000);
  const busy = await staticLatency(url, 10);
  const rss = rssMiB(pid);
  await sleep(Math.max(0, SECONDS * 1000 - 2_000));
  const late = await staticLatency(url, 10);
  running = false;
  for (const s of [...attackers, victimHost]) s.disconnect();
  console.log('\n### Password attempts (8 sockets under the message limit)\n');
  console.log('| phase | static median s | static worst s | server RSS MiB |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| idle | ${idle.median.toFixed(3)} | ${idle.worst.toFixed(3)} | - |`);
  console.log(`| attack, 2 s in | ${busy.median.toFixed(3)} | ${busy.worst.toFixed(3)} | ${rss} |`);
  console.log(`| attack, ${SECONDS} s in | ${late.median.toFixed(3)} | ${late.worst.toFixed(3)} | ${rssMiB(pid)} |`);
  console.log(`\nReplies seen by the attackers: ${JSON.stringify(Object.fromEntries(tally))}`);
}

async function signalPressure(url: string, pid: number): Promise<void> {
  const before = rssMiB(pid);
  const target = await connect(url);
  const joined = (await ack(target, 'join', { room: 'slow', name: 'Slow' })) as { ok: boolean; self?: { id: string } };
  const to = joined.self?.id ?? '';
  const senders: Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const s = await connect(url);
    await ack(s, 'join', { room: 'slow', name: `S${i}` });
    senders.push(s);
  }
  // The target stops reading: its TCP window fills and the server has to hold what it sends.
  const raw = (target.io.engine.transport as unknown as { ws?: { _socket?: { pause(): void } } }).ws?._socket;
  raw?.pause();
  const sdp = 'a'.repeat(90_000);
  const tally = new Map<string, number>();
  let running = true;
  for (const s of senders) {
    void (async () => {
      while (running && s.connected) {
        void ack(s, 'signal', { to, data: { kind: 'description', description: { type: 'offer', sdp } } }, 5_000).then(
          (r) => tally.set(r.ok ? 'ok' : (r.error ?? '?'), (tally.get(r.ok ? 'ok' : (r.error ?? '?')) ?? 0) + 1),
        );
        await sleep(25);
      }
    })();
  }
  const samples: number[] = [];
  for (let t = 0; t < SECONDS; t++) {
    await sleep(1_000);
    samples.push(rssMiB(pid));
  }
  running = false;
  for (const s of [...senders, target]) s.disconnect();
  await sleep(1_000);
  console.log('\n### Large signals toward a participant that stops reading (4 senders, 90 kB at 40/s each)\n');
  console.log('| before | peak RSS MiB | RSS after 1 s, MiB | 1 s after the clients left |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| ${before} | ${Math.max(...samples)} | ${samples[0]} | ${rssMiB(pid)} |`);
  console.log(`\nReplies seen by the senders: ${JSON.stringify(Object.fromEntries(tally))}`);
}

// A fresh server per phase: the per-address limits of one phase must not colour the next.
for (const phase of [passwordPressure, signalPressure]) {
  const { url, proc } = await startServer();
  try {
    console.log(`\nServer pid ${proc.pid}, RSS at start ${rssMiB(proc.pid!)} MiB, ${SECONDS} s per phase.`);
    await phase(url, proc.pid!);
  } finally {
    proc.kill('SIGTERM');
  }
}
