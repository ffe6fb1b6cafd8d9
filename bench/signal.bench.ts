import { runScenario, type ScenarioResult } from './signal/scenario';
import type { Target } from './signal/messages';
import { fmt, summarize } from './support/stats';

import type { Benchmark } from './types';

/**
 * Knobs for development runs (the defaults are the published configuration):
 * BENCH_SIGNAL_N=1000,5000 client counts; BENCH_SIGNAL_TARGETS=parley,bare;
 * BENCH_SIGNAL_SECONDS=20 length of the signal phase; BENCH_SIGNAL_STORM=2000 (0 skips it);
 * BENCH_SIGNAL_TRANSPORTS=websocket (or `polling,websocket`, socket.io-client's default).
 */
function envList(name: string): string[] | undefined {
  const v = process.env[name];
  return v ? v.split(',').map((s) => s.trim()) : undefined;
}

const ALL_TARGETS: Target[] = ['seed', 'bare-seed', 'parley', 'bare'];
const label: Record<Target, string> = {
  seed: 'seed protocol (Parley server)',
  'bare-seed': 'bare Socket.IO seed relay',
  parley: 'Parley protocol',
  bare: 'bare Socket.IO relay',
};
/** Each protocol against the bare relay of the same protocol. */
const PAIRS: Array<{ ours: Target; bare: Target }> = [
  { ours: 'parley', bare: 'bare' },
  { ours: 'seed', bare: 'bare-seed' },
];
const ROOM_SIZES = [2, 3, 4, 5, 6];

const KB = 1024;
const MB = 1024 * 1024;

function row(scenario: string, r: ScenarioResult): Array<string | number> {
  const relay = r.relay;
  return [
    scenario,
    label[r.target],
    fmt(r.clients),
    `${fmt(r.joined)}${r.failed ? ` (${fmt(r.failed)} failed)` : ''}`,
    fmt(r.join.p50, 1),
    fmt(r.join.p99, 1),
    fmt(r.joinsPerSecond),
    relay ? fmt(relay.latency.p50, 1) : '-',
    relay ? fmt(relay.latency.p95, 1) : '-',
    relay ? fmt(relay.latency.p99, 1) : '-',
    relay ? fmt(relay.latency.max, 1) : '-',
    relay ? `${fmt(relay.delivered)}/${fmt(relay.expected)}` : '-',
    relay ? `${fmt(relay.cpuSeconds, 1)} (${fmt((100 * relay.cpuSeconds) / relay.seconds)}%)` : '-',
    fmt(r.server.idleRss / MB),
    fmt(r.server.rssPerConnection / KB, 1),
  ];
}

const bench: Benchmark = {
  name: 'signal',
  description:
    'Signaling load: N socket.io-client connections from separate worker processes join rooms of 2 to 6 ' +
    'and each sends one addressed signal a second (an ICE candidate); the same load against the seed ' +
    'protocol and Parley protocol of the built Parley server and against a bare Socket.IO relay (the ' +
    'reference). Join storm: clients opened all at once. Server CPU and RSS come from /proc. ' +
    'Latencies in ms; relay latency includes the load generator sharing the machine.',
  async run({ smoke, log }) {
    // 5,000 and 10,000 (the targets' comparisons) run three times: one run of a saturated machine
    // is a coin toss; the notes compare medians.
    const counts = (
      envList('BENCH_SIGNAL_N') ??
      (smoke ? ['20'] : ['1000', '5000', '10000', '5000', '10000', '5000', '10000', '20000'])
    ).map(Number);
    const transports = envList('BENCH_SIGNAL_TRANSPORTS') ?? ['websocket'];
    const targets = (envList('BENCH_SIGNAL_TARGETS') as Target[] | undefined) ?? ALL_TARGETS;
    const signalSeconds = Number(process.env.BENCH_SIGNAL_SECONDS ?? (smoke ? 1 : 20));
    const storm = Number(process.env.BENCH_SIGNAL_STORM ?? (smoke ? 20 : 2000));
    // The smoke variant storms one target only: the code path is the same for all three.
    const stormTargets: Target[] = smoke ? [targets.includes('parley') ? 'parley' : (targets[0] as Target)] : targets;
    const idleSeconds = smoke ? 0.2 : 3;
    const drainSeconds = smoke ? 0.5 : 2;
    const results: Array<{ scenario: string; result: ScenarioResult }> = [];
    const rows: Array<Array<string | number>> = [];

    const seen = new Set<number>();
    for (const clients of counts) {
      seen.add(clients);
      for (const target of targets) {
        const result = await runScenario({
          target,
          clients,
          roomSizes: ROOM_SIZES,
          workers: smoke ? 1 : 2,
          transports,
          concurrency: 100,
          rate: 1,
          signalSeconds,
          idleSeconds,
          drainSeconds,
          log,
        });
        results.push({ scenario: 'steady', result });
        rows.push(row('1 signal/s each', result));
      }
    }
    if (storm > 0) {
      for (const target of stormTargets) {
        const result = await runScenario({
          target,
          clients: storm,
          roomSizes: ROOM_SIZES,
          workers: smoke ? 1 : 2,
          transports,
          concurrency: 0,
          rate: 0,
          signalSeconds: 0,
          idleSeconds: smoke ? idleSeconds : 1,
          drainSeconds,
          log,
        });
        results.push({ scenario: 'storm', result });
        rows.push(row('join storm (all at once)', result));
      }
    }

    const notes: string[] = [
      'Columns: join = connect + join acknowledged (seed protocol: connect only, its join has no reply); ' +
        'relay = addressed signal from sender to receiver (seed protocol: relayed to everyone else in the room); ' +
        'server CPU = CPU seconds of the server process during the signal phase (and share of one core); ' +
        'RSS = server resident memory with everyone connected and idle; per connection = (idle RSS - RSS before any client) / clients.',
    ];
    const steady = (target: Target, clients: number): ScenarioResult[] =>
      results
        .filter((r) => r.scenario === 'steady' && r.result.target === target && r.result.clients === clients)
        .map((r) => r.result);
    const median = (xs: number[]): number => summarize(xs).p50;
    for (const clients of seen) {
      for (const { ours, bare } of PAIRS) {
        const a = steady(ours, clients);
        const b = steady(bare, clients);
        if (a.length === 0 || b.length === 0) continue;
        const p99 = (rs: ScenarioResult[]): number[] =>
          rs.map((r) => r.relay?.latency.p99).filter((x): x is number => x !== undefined);
        const pa = p99(a);
        const pb = p99(b);
        const runs =
          pa.length > 1 ? ` (runs: ${pa.map((x) => fmt(x)).join(', ')} vs ${pb.map((x) => fmt(x)).join(', ')})` : '';
        const joinsA = median(a.map((r) => r.joinsPerSecond));
        const joinsB = median(b.map((r) => r.joinsPerSecond));
        notes.push(
          `At ${fmt(clients)} clients, ${label[ours]} vs ${label[bare]}: relay p99 ${fmt(median(pa), 1)} vs ` +
            `${fmt(median(pb), 1)} ms${pa.length > 1 ? ` (medians of ${pa.length})` : ''}${runs}; ` +
            `joins/s ${fmt(joinsA)} vs ${fmt(joinsB)} (${fmt((100 * joinsA) / joinsB)} %).`,
        );
      }
    }
    for (const { scenario, result } of results) {
      const room = result.server.fdLimit - result.server.fdBase;
      if (result.clients > room) {
        notes.push(
          `${scenario} ${result.target} ${result.clients}: the server process may open ${fmt(result.server.fdLimit)} files ` +
            `and held ${result.server.fdBase} before any client, so at most ${fmt(room)} connections fit ` +
            '(one descriptor each; raise `ulimit -n` where the hard limit allows).',
        );
      }
      if (result.readies && result.readies.seen !== result.readies.expected) {
        notes.push(
          `${scenario} ${result.target} ${result.clients}: ${result.readies.seen} of ${result.readies.expected} seed "ready" events arrived.`,
        );
      }
      if (Object.keys(result.errors).length > 0) {
        notes.push(`${scenario} ${result.target} ${result.clients} failures: ${JSON.stringify(result.errors)}`);
      }
    }
    return {
      columns: [
        'scenario',
        'server',
        'clients',
        'joined',
        'join p50',
        'join p99',
        'joins/s',
        'relay p50',
        'relay p95',
        'relay p99',
        'relay max',
        'delivered/expected',
        'server CPU s',
        'idle RSS MB',
        'RSS/conn KB',
      ],
      rows,
      notes,
      data: results,
    };
  },
};

export default bench;
