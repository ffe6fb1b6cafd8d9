/**
 * What the forwarding-unit benchmarks share: the server under test (Parley's built server with
 * ROOM_TOPOLOGY=sfu, or the bare engine reference), worker processes of synthetic peers, and one
 * measurement window (server CPU and RSS from /proc, packets, loss and latency from the peers).
 */
import { fileURLToPath } from 'node:url';
import { sampleProcess } from '../support/proc';
import { compile, forkWorker, startServerProcess, ROOT, type ServerProcess, type Worker } from '../support/processes';
import { summarize, type Summary } from '../support/stats';
import type { FromWorker, PeerPlan, PeerReport, ToWorker } from './messages';

export type Target = 'parley' | 'bare';
export const TARGET_LABEL: Record<Target, string> = {
  parley: 'Parley server',
  bare: 'bare engine (reference)',
};

export type PeerWorker = Worker<ToWorker, FromWorker>;
type Opened = Extract<FromWorker, { type: 'opened' }>;

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
let compiled: Promise<{ worker: string; bare: string }> | null = null;
function scripts(): Promise<{ worker: string; bare: string }> {
  compiled ??= Promise.all([compile(here('./peerWorker.ts')), compile(here('./bareSfu.ts'))]).then(
    ([worker, bare]) => ({ worker, bare }),
  );
  return compiled;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Comma-separated list from the environment, or undefined. */
export function envList(name: string): string[] | undefined {
  const v = process.env[name];
  return v ? v.split(',').map((s) => s.trim()) : undefined;
}

/**
 * Start the server under test. Resolves with null and a reason when Parley's server has no
 * forwarding unit to measure (its /readyz details say why).
 */
export async function startTarget(
  target: Target,
  env: Record<string, string> = {},
): Promise<{ server: ServerProcess } | { server: null; reason: string }> {
  if (target === 'bare') {
    try {
      const { createRequire } = await import('node:module');
      createRequire(import.meta.url).resolve('medooze-media-server');
    } catch {
      return { server: null, reason: 'medooze-media-server is not installed' };
    }
    return { server: await startServerProcess((await scripts()).bare) };
  }
  // Parley's built server, as operators run it; every synthetic peer comes from 127.0.0.1, so
  // per-address limits would measure themselves.
  const server = await startServerProcess(`${ROOT}server/dist/cli.js`, {
    LOG_LEVEL: 'warn',
    ROOM_TOPOLOGY: 'sfu',
    ROOM_MAX: '500',
    RATE_CONNECTIONS_PER_MINUTE: '0',
    RATE_JOINS_PER_MINUTE: '0',
    RATE_ADDRESS_CONNECTIONS_PER_MINUTE: '0',
    RATE_ADDRESS_JOINS_PER_MINUTE: '0',
    ...env,
  });
  const reason = await sfuUnavailable(server.url);
  if (reason !== null) {
    await server.stop();
    return { server: null, reason };
  }
  return { server };
}

/** Why the server cannot forward media (from GET /readyz), or null when it can. */
export async function sfuUnavailable(url: string): Promise<string | null> {
  const res = await fetch(`${url}/readyz`);
  const body = (await res.json()) as { details?: { sfu?: { state?: string; reason?: string } } };
  const sfu = body.details?.sfu;
  if (!sfu) return 'the server reports no forwarding unit in /readyz (it predates the SFU)';
  if (sfu.state === 'available' || sfu.state === 'running') return null;
  return `the server's forwarding unit is ${sfu.state ?? 'unknown'}: ${sfu.reason ?? 'no reason given'}`;
}

export async function startWorkers(n: number): Promise<PeerWorker[]> {
  const { worker } = await scripts();
  return Array.from({ length: n }, () => forkWorker<ToWorker, FromWorker>(worker));
}

export async function closeWorkers(workers: PeerWorker[]): Promise<void> {
  for (const w of workers) w.send({ type: 'close' });
  await Promise.all(
    workers.map((w) =>
      w
        .next('closed', 15_000)
        .catch(() => undefined)
        .finally(() => w.kill()),
    ),
  );
}

/** Open a group of participants in a worker; resolves when all joined (or failed). */
export async function openPeers(w: PeerWorker, plan: PeerPlan): Promise<Opened> {
  w.send({ type: 'open', plan });
  return w.next<Opened>('opened', 360_000 + plan.names.length * 2_000);
}

export interface Window {
  seconds: number;
  /** Server CPU seconds in the window and share of one core (%). */
  serverCpuSeconds: number;
  serverCpuPercent: number;
  serverRss: number;
  /** Synthetic peers' CPU, share of one core (%), all workers together. */
  peersCpuPercent: number;
  sent: number;
  receivedVideo: number;
  receivedAudio: number;
  lost: number;
  lostVideo: number;
  /** Streams that received packets in the window. */
  flowingStreams: number;
  latency: Summary;
}

/** Measure for `seconds`: counters restart, then server and peers are sampled at both ends. */
export async function measure(server: ServerProcess, workers: PeerWorker[], seconds: number): Promise<Window> {
  const report = async (): Promise<PeerReport[]> => {
    for (const w of workers) w.send({ type: 'report' });
    return Promise.all(workers.map((w) => w.next<PeerReport>('report', 30_000)));
  };
  const exited = (): Error | null =>
    server.proc.exitCode !== null || server.proc.signalCode !== null
      ? new Error(
          `the server exited (${server.proc.exitCode ?? server.proc.signalCode}); its last output:\n${server.stderrTail()}`,
        )
      : null;
  const gone = exited();
  if (gone) throw gone;
  const startReports = await report();
  for (const w of workers) w.send({ type: 'mark' });
  const before = sampleProcess(server.pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const died = exited();
  if (died) throw died;
  const after = sampleProcess(server.pid);
  const elapsed = (performance.now() - t0) / 1000;
  const reports = await report();
  const sum = (k: 'sent' | 'receivedVideo' | 'receivedAudio' | 'lost' | 'lostVideo' | 'flowingStreams'): number =>
    reports.reduce((n, r) => n + r[k], 0);
  const peersCpu = reports.reduce((n, r) => n + r.cpuSeconds, 0) - startReports.reduce((n, r) => n + r.cpuSeconds, 0);
  const cpu = after.cpuSeconds - before.cpuSeconds;
  return {
    seconds: elapsed,
    serverCpuSeconds: cpu,
    serverCpuPercent: (100 * cpu) / elapsed,
    serverRss: after.rss,
    peersCpuPercent: (100 * peersCpu) / elapsed,
    sent: sum('sent'),
    receivedVideo: sum('receivedVideo'),
    receivedAudio: sum('receivedAudio'),
    lost: sum('lost'),
    lostVideo: sum('lostVideo'),
    flowingStreams: sum('flowingStreams'),
    latency: summarize(reports.flatMap((r) => [...r.latencies])),
  };
}

/** Loss in the window, % of the packets the received sequences say were sent. */
export function lossPercent(w: Window): number {
  const expected = w.receivedVideo + w.receivedAudio + w.lost;
  return expected > 0 ? (100 * w.lost) / expected : NaN;
}

/** Server CPU per forwarded packet (µs), everything the server does in the window included. */
export function microsPerPacket(w: Window): number {
  const forwarded = w.receivedVideo + w.receivedAudio + w.lost;
  return forwarded > 0 ? (w.serverCpuSeconds * 1e6) / forwarded : NaN;
}
