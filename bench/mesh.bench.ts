// Full-mesh calls of 2, 4 and 6 Chromium pages on this machine, with the web app's adaptive
// send quality on and off (`?adapt=0`): how long until everyone is connected to everyone, and
// the frame rates every receiver decodes.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../e2e/support/browser';
import { startServer, type RunningServer } from '../e2e/support/server';
import { descendantsCpuSeconds, sampleProcess } from './support/proc';
import { joinFromPreJoin } from '../e2e/support/call';
import type { BenchContext, BenchResult, Benchmark } from './types';

/** Longest wait for a room to connect fully before the run is reported as not connected. */
const CONNECT_LIMIT_MS = 90_000;
/** Time after everyone connected before measuring, so encoders and bandwidth estimates settle. */
const WARMUP_MS = 4_000;
const MEASURE_MS = 10_000;
const SMOKE_WARMUP_MS = 1_000;
const SMOKE_MEASURE_MS = 2_000;

interface Run {
  participants: number;
  /** How the room's media travelled: peer to peer, or through the server's forwarding unit. */
  topology: 'mesh' | 'sfu';
  adapt: boolean;
  /** CPU of all the browsers per participant, in percent of one core, over the measuring window. */
  clientCpu: number;
  /** CPU of the server over the measuring window, percent of one core. */
  serverCpu: number;
  /** Navigation to the call page on every page at once -> every pair connected and decoding. */
  connectMs: number | null;
  /** Decoded frames per second of every stream (one per receiver and sender). */
  fps: number[];
  /** Width of the video each page sends, averaged over its senders. */
  sentWidth: number;
}

interface StreamStats {
  /** framesDecoded per remote participant id. */
  decoded: Record<string, number>;
  sentWidths: number[];
}

/** Inbound frames decoded per remote and outbound frame widths, from the page's Call. */
function streamStats(page: Page): Promise<StreamStats> {
  return page.evaluate(async () => {
    const call = (window as unknown as { __parleyCall?: { getStats(): Promise<Record<string, RTCStats[]>> } })
      .__parleyCall;
    const out: StreamStats = { decoded: {}, sentWidths: [] };
    if (!call) return out;
    for (const [id, list] of Object.entries(await call.getStats())) {
      for (const s of list as Array<RTCStats & Record<string, unknown>>) {
        if (s.kind !== 'video') continue;
        if (s.type === 'inbound-rtp') out.decoded[id] = (out.decoded[id] ?? 0) + Number(s.framesDecoded ?? 0);
        if (s.type === 'outbound-rtp' && typeof s.frameWidth === 'number') out.sentWidths.push(s.frameWidth);
      }
    }
    return out;
  });
}

/** True when the page shows `remotes` tiles, all connected and showing video. */
function allConnected(page: Page, remotes: number): Promise<boolean> {
  return page.evaluate((n) => {
    const tiles = [...document.querySelectorAll<HTMLElement>('[data-testid="remote-tile"]')];
    return (
      tiles.length === n &&
      tiles.every((t) => t.dataset.linkState === 'connected' && (t.querySelector('video')?.videoWidth ?? 0) > 0)
    );
  }, remotes);
}

/** Each remote tile's link state and video width, for a report when a room does not connect. */
function tileStates(page: Page): Promise<string[]> {
  return page.evaluate(() => [
    document.querySelector('.phase')?.textContent ?? 'joined',
    ...[...document.querySelectorAll<HTMLElement>('[data-testid="remote-tile"]')].map(
      (t) => `${t.dataset.linkState ?? '?'}:${t.querySelector('video')?.videoWidth ?? 0}`,
    ),
  ]);
}

async function runRoom(
  browser: Browser,
  server: RunningServer,
  topology: 'mesh' | 'sfu',
  n: number,
  adapt: boolean,
  ctx: BenchContext,
): Promise<Run> {
  const url = server.url;
  const contexts: BrowserContext[] = [];
  try {
    const pages: Page[] = [];
    for (let i = 0; i < n; i++) {
      const c = await browser.newContext({
        baseURL: url,
        permissions: ['camera', 'microphone'],
        viewport: { width: 640, height: 480 },
      });
      contexts.push(c);
      const page = await c.newPage();
      // A page that loses its signaling connection says why in its console: report it.
      page.on('console', (m) => {
        if (m.text().includes('signaling connection lost')) ctx.log(`  P${i + 1}: ${m.text()}`);
      });
      await page.goto('/'); // load the app once so the join below measures the call, not the download
      pages.push(page);
    }
    const room = `bench-${topology}-${n}-${adapt ? 'adapt' : 'fixed'}-${Date.now()}`;
    await Promise.all(pages.map((p, i) => p.goto(`/call/P${i + 1}/${room}${adapt ? '' : '?adapt=0'}`)));
    // Everyone presses Join on the pre-join screen at once.
    const started = Date.now();
    await Promise.all(pages.map((p) => joinFromPreJoin(p)));
    let connectMs: number | null = null;
    while (Date.now() - started < CONNECT_LIMIT_MS) {
      const states = await Promise.all(pages.map((p) => allConnected(p, n - 1)));
      if (states.every(Boolean)) {
        connectMs = Date.now() - started;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    ctx.log(
      `${topology}, ${n} participants, adaptation ${adapt ? 'on' : 'off'}: connected in ${connectMs ?? 'n/a'} ms`,
    );
    if (connectMs === null) {
      for (const [i, p] of pages.entries()) ctx.log(`  P${i + 1} sees ${JSON.stringify(await tileStates(p))}`);
    }
    await new Promise((r) => setTimeout(r, ctx.smoke ? SMOKE_WARMUP_MS : WARMUP_MS));
    const measureMs = ctx.smoke ? SMOKE_MEASURE_MS : MEASURE_MS;
    const before = await Promise.all(pages.map(streamStats));
    const cpu0 = { client: descendantsCpuSeconds(process.pid), server: sampleProcess(server.proc.pid!).cpuSeconds };
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, measureMs));
    const cpu1 = { client: descendantsCpuSeconds(process.pid), server: sampleProcess(server.proc.pid!).cpuSeconds };
    const after = await Promise.all(pages.map(streamStats));
    const seconds = (Date.now() - t0) / 1000;
    // The browsers' CPU includes the server's only if it were our child: it is, so take it out.
    const clientCpu = ((cpu1.client - cpu0.client - (cpu1.server - cpu0.server)) / seconds / n) * 100;
    const serverCpu = ((cpu1.server - cpu0.server) / seconds) * 100;
    const fps: number[] = [];
    for (const [i, a] of after.entries()) {
      const b = before[i];
      const ids = Object.keys(a.decoded);
      for (const id of ids) {
        const was = b?.decoded[id] ?? 0;
        const now = a.decoded[id] ?? 0;
        // A counter that went down belongs to a connection rebuilt during the window: count
        // only the new connection's frames.
        fps.push((now >= was ? now - was : now) / seconds);
      }
      // A stream that is missing counts as 0 fps: the person sees nothing of that participant.
      for (let k = ids.length; k < n - 1; k++) fps.push(0);
    }
    const widths = after.flatMap((a) => a.sentWidths);
    const sentWidth = widths.length > 0 ? widths.reduce((x, y) => x + y, 0) / widths.length : 0;
    return { participants: n, topology, adapt, clientCpu, serverCpu, connectMs, fps, sentWidth };
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

const bench: Benchmark = {
  name: 'mesh',
  description:
    'Rooms of Chromium pages (fake camera) joining at the same instant, as a full mesh and through the ' +
    "server's forwarding unit: time until every page decodes every other, decoded frame rates of all streams, " +
    'browser and server CPU, with adaptive send quality on and off.',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const sizes = ctx.smoke ? [2] : (process.env.MESH_BENCH_SIZES ?? '2,4,6').split(',').map(Number);
    const topologies = (process.env.MESH_BENCH_TOPOLOGIES ?? (ctx.smoke ? 'mesh' : 'mesh,sfu'))
      .split(',')
      .filter((x): x is 'mesh' | 'sfu' => x === 'mesh' || x === 'sfu');
    const adapts = (process.env.MESH_BENCH_ADAPT ?? 'on,off').split(',').map((x) => x === 'on');
    const runs: Run[] = [];
    for (const topology of topologies) {
      const server = await startServer({
        env: { ROOM_TOPOLOGY: topology, SFU_ANNOUNCED_IPS: '127.0.0.1', MESH_MAX: '12', ROOM_MAX: '50' },
      });
      try {
        for (const n of sizes) {
          for (const adapt of adapts) {
            // A fresh browser per room so one run's leftovers do not weigh on the next.
            const browser = await launchChromium();
            try {
              const logged = server.output.length;
              const run = await runRoom(browser, server, topology, n, adapt, ctx);
              runs.push(run);
              // When a room did not connect, show what the server warned about meanwhile.
              if (run.connectMs === null) {
                for (const line of server.output.slice(logged).join('').split('\n')) {
                  if (line.trim()) ctx.log(`  server: ${line.slice(0, 300)}`);
                }
              }
            } finally {
              await browser.close();
            }
          }
        }
      } finally {
        await server.kill('SIGTERM');
      }
    }
    return {
      columns: [
        'topology',
        'participants',
        'adaptation',
        'join -> all connected (s)',
        'min fps',
        'avg fps',
        'streams',
        'sent width (px)',
        'browser CPU per person (% core)',
        'server CPU (% core)',
      ],
      rows: runs.map((r) => [
        r.topology,
        r.participants,
        r.adapt ? 'on' : 'off',
        r.connectMs === null ? `> ${CONNECT_LIMIT_MS / 1000}` : round1(r.connectMs / 1000),
        round1(Math.min(...r.fps)),
        round1(r.fps.reduce((a, b) => a + b, 0) / Math.max(r.fps.length, 1)),
        r.fps.length,
        Math.round(r.sentWidth),
        Math.round(r.clientCpu),
        Math.round(r.serverCpu),
      ]),
      notes: [
        `All pages run in one machine's browser (${ctx.smoke ? 'smoke: ' : ''}${sizes.join(', ')} participants); ` +
          'every page encodes its camera once per other participant and decodes every other, so CPU, not the ' +
          'network, is the limit. fps = framesDecoded over the measuring window, per receiving stream; a ' +
          'stream that never arrived counts as 0.',
      ],
      data: runs,
    };
  },
};

export default bench;
