import { REDIS_MESSAGES, ROUTES } from './cluster/routes';
import { missingRedis, runClusterScenario, type ClusterScenarioResult } from './cluster/scenario';
import { fmt } from './support/stats';

import type { Benchmark } from './types';

/**
 * Knobs for development runs (the defaults are the published configuration):
 * BENCH_CLUSTER_N=1200 clients; BENCH_CLUSTER_SERVERS=1,2,3 server counts with Redis (the
 * one-process baseline without Redis always runs first); BENCH_CLUSTER_SECONDS=20 length of the
 * signal phase; BENCH_CLUSTER_ROUNDS=2 runs of every setup; BENCH_CLUSTER_SERVER_ARGS (Node options
 * of the servers under test, e.g. for profiling).
 */
function envList(name: string): string[] | undefined {
  const v = process.env[name];
  return v ? v.split(',').map((s) => s.trim()) : undefined;
}

const ROOM_SIZE = 4;

function setupLabel(r: ClusterScenarioResult): string {
  if (!r.redis) return '1 process, no Redis';
  return `${r.servers} server${r.servers > 1 ? 's' : ''} + Redis`;
}

const cpuCell = (seconds: number, over: number): string => `${fmt(seconds, 1)} (${fmt((100 * seconds) / over)}%)`;

/** Server-to-server messages through Redis that the run's delivered signals took. */
function redisMessages(r: ClusterScenarioResult): number {
  return ROUTES.reduce((n, route) => n + (r.relay.byRoute[route]?.count ?? 0) * REDIS_MESSAGES[route], 0);
}

/** One row for the whole setup, then one per route its signals took (when there is more than one). */
function rows(r: ClusterScenarioResult, run: number): Array<Array<string | number>> {
  const { relay } = r;
  const perSignalUs = (1e6 * (relay.cpu.servers + relay.cpu.redis)) / relay.delivered;
  const out: Array<Array<string | number>> = [
    [
      setupLabel(r),
      run,
      'all',
      fmt(r.clients),
      `${fmt(r.joined)}${r.failed ? ` (${fmt(r.failed)} failed)` : ''}`,
      fmt(r.joinsPerSecond),
      fmt(r.join.p50, 1),
      fmt(r.join.p99, 1),
      `${fmt(relay.delivered)}/${fmt(relay.expected)}`,
      fmt(relay.latency.p50, 1),
      fmt(relay.latency.p99, 1),
      fmt(redisMessages(r) / relay.delivered, 2),
      cpuCell(relay.cpu.servers, relay.cpu.seconds),
      r.redis ? cpuCell(relay.cpu.redis, relay.cpu.seconds) : '-',
      fmt(perSignalUs),
      fmt(r.joinCpu.servers, 1),
      r.redis ? fmt(r.joinCpu.redis, 1) : '-',
    ],
  ];
  const routes = ROUTES.filter((route) => relay.byRoute[route] !== undefined);
  if (routes.length < 2) return out;
  for (const route of routes) {
    const s = relay.byRoute[route];
    if (!s) continue;
    const blank = ['', '', '', '', ''];
    out.push([
      setupLabel(r),
      run,
      route,
      ...blank,
      fmt(s.count),
      fmt(s.p50, 1),
      fmt(s.p99, 1),
      REDIS_MESSAGES[route],
      '',
      '',
      '',
      '',
      '',
    ]);
  }
  return out;
}

const bench: Benchmark = {
  name: 'cluster',
  description:
    'Several Parley servers sharing rooms through Redis (REDIS_URL): N socket.io-client connections from ' +
    `the signaling benchmark's worker processes join rooms of ${ROOM_SIZE}, each room's members spread ` +
    'round-robin over 1, 2 or 3 server processes with one redis-server (as a load balancer without sticky ' +
    'rooms would), and each client sends one addressed signal a second; beside it one server process without ' +
    'Redis. A room has one home server (the first to claim it); a socket on another server reaches it over ' +
    'Redis, so relay latency is also given by route. Server CPU (all server processes) and Redis CPU come ' +
    'from /proc. Every setup runs twice, interleaved. Latencies in ms; they include the load generator ' +
    'sharing the machine.',
  async run({ smoke, log }) {
    const missing = missingRedis();
    if (missing !== null) return { columns: [], rows: [], skipped: missing };
    const clients = Number(envList('BENCH_CLUSTER_N')?.[0] ?? (smoke ? 24 : 1200));
    const serverCounts = (envList('BENCH_CLUSTER_SERVERS') ?? ['1', '2', '3']).map(Number);
    const signalSeconds = Number(process.env.BENCH_CLUSTER_SECONDS ?? (smoke ? 1 : 20));
    const rounds = Number(process.env.BENCH_CLUSTER_ROUNDS ?? (smoke ? 1 : 2));
    const setups = [{ servers: 1, redis: false }, ...serverCounts.map((servers) => ({ servers, redis: true }))];
    const results: Array<{ run: number; result: ClusterScenarioResult }> = [];
    // Rounds interleave the setups, so a busy spell of a shared machine hits one run of each
    // rather than every run of one.
    for (let run = 1; run <= rounds; run++) {
      for (const setup of setups) {
        const result = await runClusterScenario({
          ...setup,
          clients,
          roomSize: ROOM_SIZE,
          workers: smoke ? 1 : 2,
          concurrency: smoke ? 8 : 100,
          rate: 1,
          signalSeconds,
          idleSeconds: smoke ? 0.2 : 2,
          drainSeconds: smoke ? 0.5 : 2,
          log,
        });
        results.push({ run, result });
      }
    }

    const notes: string[] = [
      'Columns: joins/s = clients joined / time from the first connect to the last join acknowledged; ' +
        'join = connect + join acknowledged; relay = addressed signal from sender to receiver ' +
        '(per route: count of deliveries); Redis msgs/signal = server-to-server messages through Redis per ' +
        'delivered signal; server CPU = CPU seconds of all server processes together during the signal phase ' +
        '(share of one core), Redis CPU likewise for redis-server; CPU µs/signal = (server + Redis CPU) / ' +
        'delivered signals; join CPU = CPU seconds during the joins.',
      'Routes: "same server, home" = sender and receiver on the room\'s home server (relayed in memory); ' +
        '"same server, not home" = both on another server (to the home and back: two Redis messages); ' +
        '"different servers, one home" = one Redis message; "different servers, neither home" = two.',
    ];
    for (const { run, result: r } of results) {
      const name = `${setupLabel(r)}, run ${run}`;
      const base = results.find((b) => b.run === run && !b.result.redis)?.result;
      const messages = redisMessages(r);
      if (base && messages > 0) {
        const extra = r.relay.cpu.servers + r.relay.cpu.redis - base.relay.cpu.servers;
        notes.push(
          `${name}: rooms held by each server ${r.homes.join(', ')}, CPU seconds of each during the signals ` +
            `${r.relay.cpu.perServer.map((c) => fmt(c, 1)).join(', ')}; ${fmt(messages)} Redis messages cost ` +
            `${fmt(extra, 1)} CPU seconds more than the one process without Redis (servers + Redis), ` +
            `${fmt((1e6 * extra) / messages)} µs each.`,
        );
      }
      if (r.unknownHomes > 0) notes.push(`${name}: ${r.unknownHomes} rooms had no home in Redis after the joins.`);
      if (r.droppedIdle > 0 || r.relay.dropped > 0) {
        notes.push(`${name}: ${r.relay.dropped} clients dropped (${r.droppedIdle} while idle).`);
      }
      if (r.relay.refused > 0) notes.push(`${name}: ${r.relay.refused} signals refused.`);
      if (Object.keys(r.errors).length > 0) notes.push(`${name} failures: ${JSON.stringify(r.errors)}`);
    }
    return {
      columns: [
        'servers',
        'run',
        'route',
        'clients',
        'joined',
        'joins/s',
        'join p50',
        'join p99',
        'delivered/expected',
        'relay p50',
        'relay p99',
        'Redis msgs/signal',
        'server CPU s',
        'Redis CPU s',
        'CPU µs/signal',
        'join CPU s (servers)',
        'join CPU s (Redis)',
      ],
      rows: results.flatMap(({ run, result }) => rows(result, run)),
      notes,
      data: results,
    };
  },
};

export default bench;
