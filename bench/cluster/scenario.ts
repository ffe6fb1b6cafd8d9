/**
 * One run of the cluster benchmark: start a redis-server and one to three Parley servers joined
 * through it (or one server without Redis, the baseline), spread each room's members over the
 * servers as a load balancer would, and drive them with the signaling benchmark's load workers.
 * Every server and Redis are measured from outside (/proc); each delivered signal is classed by
 * where its sender and receiver sit relative to the room's home server.
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { redisServerPath, startRedis, type RedisHandle } from '../../server/test/infra/redis';
import { planRooms } from '../signal/scenario';
import { NO_SLOT, type FromWorker, type RoomPlan, type ToWorker } from '../signal/messages';
import { sampleProcess } from '../support/proc';
import { compile, forkWorker, startServerProcess, ROOT, type ServerProcess, type Worker } from '../support/processes';
import { summarize, type Summary } from '../support/stats';
import { routeOf, spreadRooms, type Route } from './routes';

export interface ClusterScenarioOptions {
  /** Server processes; with `redis` false only 1 makes sense (the one-process baseline). */
  servers: number;
  redis: boolean;
  clients: number;
  roomSize: number;
  workers: number;
  /** Connect+join attempts in flight per worker. */
  concurrency: number;
  /** Signals per second per client. */
  rate: number;
  signalSeconds: number;
  idleSeconds: number;
  drainSeconds: number;
  log(message: string): void;
}

/** CPU seconds used over a phase: all server processes together, and redis-server. */
export interface PhaseCpu {
  servers: number;
  /** Each server process's share of `servers` (index = server). */
  perServer: number[];
  redis: number;
  /** Wall-clock length of the phase. */
  seconds: number;
}

export interface ClusterScenarioResult {
  servers: number;
  redis: boolean;
  clients: number;
  joined: number;
  failed: number;
  errors: Record<string, number>;
  join: Summary;
  joinsPerSecond: number;
  joinCpu: PhaseCpu;
  /** Rooms whose home each server holds (index = server); empty without Redis. */
  homes: number[];
  /** Rooms whose home could not be found in Redis (their deliveries are not classed). */
  unknownHomes: number;
  droppedIdle: number;
  relay: {
    latency: Summary;
    byRoute: Partial<Record<Route, Summary>>;
    sent: number;
    expected: number;
    delivered: number;
    dropped: number;
    refused: number;
    cpu: PhaseCpu;
  };
}

/**
 * The server process holding each room, from the room's lease in Redis (`parley:home:<room>`,
 * see server/src/cluster/scripts.ts). A server's cluster id is `<hostname>-<pid>-<random>`
 * (server/src/cluster/Cluster.ts), so its pid names the process. -1 when not found.
 */
async function homesOf(redisUrl: string, rooms: RoomPlan[], servers: ServerProcess[]): Promise<Map<string, number>> {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const pipe = client.pipeline();
    for (const room of rooms) pipe.get(`parley:home:${room.name}`);
    const replies = (await pipe.exec()) ?? [];
    const homes = new Map<string, number>();
    rooms.forEach((room, i) => {
      const id = replies[i]?.[1];
      const pid = typeof id === 'string' ? Number(/-(\d+)-[0-9a-f]+$/.exec(id)?.[1]) : NaN;
      homes.set(
        room.name,
        servers.findIndex((s) => s.pid === pid),
      );
    });
    return homes;
  } finally {
    client.disconnect();
  }
}

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
let compiled: Promise<string> | null = null;
const workerScript = (): Promise<string> => (compiled ??= compile(here('../signal/loadWorker.ts')));

/** Extra Node options for the servers under test, e.g. `--cpu-prof` (BENCH_CLUSTER_SERVER_ARGS). */
const serverArgs = (process.env.BENCH_CLUSTER_SERVER_ARGS ?? '').split(' ').filter(Boolean);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Why the cluster rows cannot run here, or null. */
export function missingRedis(): string | null {
  return redisServerPath() === null
    ? 'redis-server is not installed (Debian package redis-server; `npm run bench:cluster` installs it)'
    : null;
}

export async function runClusterScenario(o: ClusterScenarioOptions): Promise<ClusterScenarioResult> {
  if (!o.redis && o.servers !== 1) throw new RangeError('servers: without Redis only one server can hold a room');
  const script = await workerScript();
  let redis: RedisHandle | null = null;
  const servers: ServerProcess[] = [];
  const workers: Array<Worker<ToWorker, FromWorker>> = [];
  try {
    if (o.redis) redis = await startRedis();
    // Parley's built server as operators run it, with the per-client and per-address limits
    // lifted (every generated client comes from 127.0.0.1; they would measure themselves).
    const env = {
      LOG_LEVEL: 'info',
      MESH_MAX: String(Math.max(6, o.roomSize)),
      RATE_CONNECTIONS_PER_MINUTE: '0',
      RATE_JOINS_PER_MINUTE: '0',
      RATE_ADDRESS_CONNECTIONS_PER_MINUTE: '0',
      RATE_ADDRESS_JOINS_PER_MINUTE: '0',
      ...(redis ? { REDIS_URL: redis.url } : {}),
    };
    servers.push(
      ...(await Promise.all(
        Array.from({ length: o.servers }, () => startServerProcess(`${ROOT}server/dist/cli.js`, env, serverArgs)),
      )),
    );
    const cpu = (): { perServer: number[]; redis: number; at: number } => ({
      perServer: servers.map((s) => sampleProcess(s.pid).cpuSeconds),
      redis: redis?.cpuSeconds() ?? 0,
      at: performance.now(),
    });
    const between = (a: ReturnType<typeof cpu>, b: ReturnType<typeof cpu>): PhaseCpu => ({
      servers: b.perServer.reduce((n, c, i) => n + c - (a.perServer[i] ?? 0), 0),
      perServer: b.perServer.map((c, i) => c - (a.perServer[i] ?? 0)),
      redis: b.redis - a.redis,
      seconds: (b.at - a.at) / 1000,
    });
    await sleep(o.idleSeconds * 500);

    const label = `${o.servers}${o.redis ? 'r' : ''}-${o.clients}`;
    const rooms = spreadRooms(planRooms(o.clients, [o.roomSize], `cluster-${label}`), o.servers);
    const perWorker: RoomPlan[][] = Array.from({ length: o.workers }, () => []);
    rooms.forEach((r, i) => perWorker[i % o.workers]?.push(r));
    for (let i = 0; i < o.workers; i++) workers.push(forkWorker<ToWorker, FromWorker>(script));
    await Promise.all(workers.map((w) => w.next('ready', 30_000)));

    // Connect and join.
    const timeoutMs = 60_000;
    const beforeJoin = cpu();
    workers.forEach((w, i) =>
      w.send({
        type: 'connect',
        urls: servers.map((s) => s.url),
        target: 'parley',
        transports: ['websocket'],
        rooms: perWorker[i] ?? [],
        concurrency: o.concurrency,
        timeoutMs,
      }),
    );
    type Connected = Extract<FromWorker, { type: 'connected' }>;
    const connected = await Promise.all(
      workers.map((w) => w.next<Connected>('connected', timeoutMs * 2 + o.clients * 50)),
    );
    const afterJoin = cpu();
    const joinCpu = between(beforeJoin, afterJoin);
    const joinMs = connected.flatMap((c) => [...c.joinMs]);
    const errors: Record<string, number> = {};
    for (const c of connected) for (const [k, v] of Object.entries(c.errors)) errors[k] = (errors[k] ?? 0) + v;
    const failed = connected.reduce((n, c) => n + c.failed, 0);
    o.log(`${label}: ${joinMs.length} joined, ${failed} failed in ${joinCpu.seconds.toFixed(1)} s`);

    // Which server holds each room (outside the measured phases).
    const homes = redis ? await homesOf(redis.url, rooms, servers) : new Map(rooms.map((r) => [r.name, 0]));
    const homeCounts = redis ? servers.map((_, i) => [...homes.values()].filter((h) => h === i).length) : [];
    const unknownHomes = [...homes.values()].filter((h) => h < 0).length;

    await sleep(o.idleSeconds * 1000);
    type Report = Extract<FromWorker, { type: 'report' }>;
    for (const w of workers) w.send({ type: 'report' });
    const reports = await Promise.all(workers.map((w) => w.next<Report>('report', 30_000)));
    const droppedIdle = reports.reduce((n, r) => n + r.dropped, 0);

    // Signals.
    const durationMs = o.signalSeconds * 1000;
    const beforeSignals = cpu();
    type Signalled = Extract<FromWorker, { type: 'signalled' }>;
    for (const w of workers) w.send({ type: 'signal', rate: o.rate, durationMs, drainMs: o.drainSeconds * 1000 });
    const results = await Promise.all(workers.map((w) => w.next<Signalled>('signalled', durationMs + 120_000)));
    const signalCpu = between(beforeSignals, cpu());

    const byRoute = new Map<Route, number[]>();
    results.forEach((r, w) => {
      // A worker's slots: its rooms' members in order (see FromWorker `signalled`).
      const slots = (perWorker[w] ?? []).flatMap((room) =>
        Array.from({ length: room.size }, (_, i) => ({ room, server: room.servers?.[i] ?? 0 })),
      );
      for (let i = 0; i < r.latencies.length; i++) {
        const to = slots[r.receivers[i] as number];
        const from = r.senders[i] === NO_SLOT ? undefined : slots[r.senders[i] as number];
        const home = to ? (homes.get(to.room.name) ?? -1) : -1;
        if (!to || !from || home < 0) continue;
        const route = routeOf(from.server, to.server, home);
        let list = byRoute.get(route);
        if (!list) byRoute.set(route, (list = []));
        list.push(r.latencies[i] as number);
      }
    });
    const sum = (k: 'sent' | 'expected' | 'delivered' | 'dropped' | 'refused'): number =>
      results.reduce((n, r) => n + r[k], 0);
    const relay: ClusterScenarioResult['relay'] = {
      latency: summarize(results.flatMap((r) => [...r.latencies])),
      byRoute: Object.fromEntries([...byRoute].map(([route, l]) => [route, summarize(l)])),
      sent: sum('sent'),
      expected: sum('expected'),
      delivered: sum('delivered'),
      dropped: sum('dropped'),
      refused: sum('refused'),
      cpu: signalCpu,
    };
    o.log(
      `${label}: relay p50 ${relay.latency.p50.toFixed(1)} ms, p99 ${relay.latency.p99.toFixed(1)} ms, ` +
        `${relay.delivered}/${relay.expected} delivered`,
    );
    return {
      servers: o.servers,
      redis: o.redis,
      clients: o.clients,
      joined: joinMs.length,
      failed,
      errors,
      join: summarize(joinMs),
      joinsPerSecond: joinMs.length / joinCpu.seconds,
      joinCpu,
      homes: homeCounts,
      unknownHomes,
      droppedIdle,
      relay,
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
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.stop();
  }
}
