/**
 * One run of the signaling benchmark: start a server process, open N clients from worker
 * processes, let them idle, exchange signals at a fixed rate, and measure the server from
 * outside (/proc) while the workers time everything the clients see.
 */
import { fileURLToPath } from 'node:url';
import { descriptors, sampleProcess, type ProcSample } from '../support/proc';
import { compile, forkWorker, startServerProcess, ROOT, type ServerProcess, type Worker } from '../support/processes';
import { summarize, type Summary } from '../support/stats';
import type { FromWorker, RoomPlan, Target, ToWorker } from './messages';

export interface ScenarioOptions {
  target: Target;
  clients: number;
  /** Room sizes, cycled (every room's members live in one worker). */
  roomSizes: number[];
  workers: number;
  /** socket.io-client transports (default websocket only). */
  transports?: string[];
  /** Connect+join attempts in flight per worker; 0 opens all at once (join storm). */
  concurrency: number;
  /** Signals per second per client; 0 skips the signal phase. */
  rate: number;
  signalSeconds: number;
  idleSeconds: number;
  /** How long deliveries are still counted after the last signal is sent. */
  drainSeconds: number;
  log(message: string): void;
}

export interface ScenarioResult {
  target: Target;
  clients: number;
  joined: number;
  failed: number;
  errors: Record<string, number>;
  /** Seed protocol: `ready` events seen vs. what complete rooms produce. */
  readies?: { seen: number; expected: number };
  join: Summary;
  joinSeconds: number;
  joinsPerSecond: number;
  /** Connections that dropped while idle (before the signal phase). */
  droppedIdle: number;
  relay?: {
    latency: Summary;
    sent: number;
    expected: number;
    delivered: number;
    dropped: number;
    refused: number;
    cpuSeconds: number;
    seconds: number;
  };
  server: {
    baseRss: number;
    idleRss: number;
    peakRss: number;
    rssPerConnection: number;
    joinCpuSeconds: number;
    totalCpuSeconds: number;
    /** Open-file limit of the server process, and descriptors it held before any client. */
    fdLimit: number;
    fdBase: number;
  };
}

/** Split `clients` into rooms whose sizes cycle through `sizes`, never leaving a room of 1. */
export function planRooms(clients: number, sizes: number[], prefix: string): RoomPlan[] {
  const rooms: RoomPlan[] = [];
  let left = clients;
  for (let i = 0; left > 0; i++) {
    let size = Math.min(sizes[i % sizes.length] as number, left);
    if (left - size === 1) size = size > 2 ? size - 1 : size + 1;
    rooms.push({ name: `${prefix}-${i}`, size });
    left -= size;
  }
  return rooms;
}

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
let compiled: Promise<{ worker: string; bare: string; bareSeed: string }> | null = null;
function scripts(): Promise<{ worker: string; bare: string; bareSeed: string }> {
  compiled ??= Promise.all([
    compile(here('./loadWorker.ts')),
    compile(here('./bareRelay.ts')),
    compile(here('./bareSeedRelay.ts')),
  ]).then(([worker, bare, bareSeed]) => ({ worker, bare, bareSeed }));
  return compiled;
}

/** Extra Node options for the server under test, e.g. `--cpu-prof` (BENCH_SIGNAL_SERVER_ARGS). */
const serverArgs = (process.env.BENCH_SIGNAL_SERVER_ARGS ?? '').split(' ').filter(Boolean);

async function startTarget(target: Target): Promise<ServerProcess> {
  if (target === 'bare') return startServerProcess((await scripts()).bare, {}, serverArgs);
  if (target === 'bare-seed') return startServerProcess((await scripts()).bareSeed, {}, serverArgs);
  // Parley's built server, as operators run it (info-level logs; they go to /dev/null here).
  // Every generated client comes from 127.0.0.1: per-address limits would measure themselves.
  return startServerProcess(
    `${ROOT}server/dist/cli.js`,
    {
      LOG_LEVEL: 'info',
      MESH_MAX: '6',
      RATE_CONNECTIONS_PER_MINUTE: '0',
      RATE_JOINS_PER_MINUTE: '0',
      RATE_ADDRESS_CONNECTIONS_PER_MINUTE: '0',
      RATE_ADDRESS_JOINS_PER_MINUTE: '0',
    },
    serverArgs,
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const { worker: workerScript } = await scripts();
  const server = await startTarget(o.target);
  const workers: Array<Worker<ToWorker, FromWorker>> = [];
  try {
    await sleep(o.idleSeconds * 500);
    const base = sampleProcess(server.pid);
    const fds = descriptors(server.pid);
    const rooms = planRooms(o.clients, o.roomSizes, `${o.target}-${o.clients}`);
    const perWorker: RoomPlan[][] = Array.from({ length: o.workers }, () => []);
    rooms.forEach((r, i) => perWorker[i % o.workers]?.push(r));
    for (let i = 0; i < o.workers; i++) workers.push(forkWorker<ToWorker, FromWorker>(workerScript));
    await Promise.all(workers.map((w) => w.next('ready', 30_000)));

    // Connect and join.
    const timeoutMs = 60_000;
    const joinStarted = performance.now();
    workers.forEach((w, i) =>
      w.send({
        type: 'connect',
        urls: [server.url],
        target: o.target,
        transports: o.transports ?? ['websocket'],
        rooms: perWorker[i] ?? [],
        concurrency: o.concurrency,
        timeoutMs,
      }),
    );
    type Connected = Extract<FromWorker, { type: 'connected' }>;
    // Ramping is bounded by the clients' own timeouts; allow for a slow (shared) machine.
    const rampLimitMs = timeoutMs * 2 + o.clients * 50;
    const connected = await Promise.all(workers.map((w) => w.next<Connected>('connected', rampLimitMs)));
    const joinSeconds = (performance.now() - joinStarted) / 1000;
    const afterJoin = sampleProcess(server.pid);
    const joinMs = connected.flatMap((c) => [...c.joinMs]);
    const errors: Record<string, number> = {};
    for (const c of connected) for (const [k, v] of Object.entries(c.errors)) errors[k] = (errors[k] ?? 0) + v;
    const failed = connected.reduce((n, c) => n + c.failed, 0);
    o.log(`${o.target} ${o.clients}: ${joinMs.length} joined, ${failed} failed in ${joinSeconds.toFixed(1)} s`);

    // Idle: what holding the connections costs.
    await sleep(o.idleSeconds * 1000);
    const idle = sampleProcess(server.pid);
    type Report = Extract<FromWorker, { type: 'report' }>;
    for (const w of workers) w.send({ type: 'report' });
    const reports = await Promise.all(workers.map((w) => w.next<Report>('report', 30_000)));
    const readiesSeen = reports.reduce((n, r) => n + r.readies, 0);
    const droppedIdle = reports.reduce((n, r) => n + r.dropped, 0);

    let relay: ScenarioResult['relay'];
    let last: ProcSample = idle;
    if (o.rate > 0 && o.signalSeconds > 0) {
      const durationMs = o.signalSeconds * 1000;
      const before = sampleProcess(server.pid);
      const t0 = performance.now();
      type Signalled = Extract<FromWorker, { type: 'signalled' }>;
      for (const w of workers) w.send({ type: 'signal', rate: o.rate, durationMs, drainMs: o.drainSeconds * 1000 });
      const results = await Promise.all(workers.map((w) => w.next<Signalled>('signalled', durationMs + 120_000)));
      last = sampleProcess(server.pid);
      const sum = (k: 'sent' | 'expected' | 'delivered' | 'dropped' | 'refused'): number =>
        results.reduce((n, r) => n + r[k], 0);
      relay = {
        latency: summarize(results.flatMap((r) => [...r.latencies])),
        sent: sum('sent'),
        expected: sum('expected'),
        delivered: sum('delivered'),
        dropped: sum('dropped'),
        refused: sum('refused'),
        cpuSeconds: last.cpuSeconds - before.cpuSeconds,
        seconds: (performance.now() - t0) / 1000,
      };
      o.log(
        `${o.target} ${o.clients}: relay p50 ${relay.latency.p50.toFixed(1)} ms, p99 ${relay.latency.p99.toFixed(1)} ms, ` +
          `${relay.delivered}/${relay.expected} delivered`,
      );
    }

    const joined = joinMs.length;
    return {
      target: o.target,
      clients: o.clients,
      joined,
      failed,
      errors,
      ...(o.target === 'seed' || o.target === 'bare-seed'
        ? { readies: { seen: readiesSeen, expected: rooms.reduce((n, r) => n + (r.size * (r.size - 1)) / 2, 0) } }
        : {}),
      join: summarize(joinMs),
      joinSeconds,
      joinsPerSecond: joined / joinSeconds,
      droppedIdle,
      ...(relay ? { relay } : {}),
      server: {
        baseRss: base.rss,
        idleRss: idle.rss,
        peakRss: last.peakRss,
        rssPerConnection: joined > 0 ? (idle.rss - base.rss) / joined : NaN,
        joinCpuSeconds: afterJoin.cpuSeconds - base.cpuSeconds,
        totalCpuSeconds: last.cpuSeconds - base.cpuSeconds,
        fdLimit: fds.limit,
        fdBase: fds.open,
      },
    };
  } finally {
    for (const w of workers) w.send({ type: 'close' });
    await Promise.all(
      workers.map((w) =>
        w
          .next('closed', 10_000)
          .catch(() => undefined)
          .finally(() => w.kill()),
      ),
    );
    await server.stop();
  }
}
