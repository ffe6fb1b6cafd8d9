/**
 * The long call: a four-person room through the forwarding unit and a three-person mesh room,
 * held open with cameras on, a chat message every few seconds and a screen share switched on and
 * off, while each page's JS heap, the server's memory and the forwarding unit's packet rate are
 * sampled. `npm run soak` runs it for 30 minutes; e2e/soak.test.ts for 2.
 *
 * The server runs as in production (`npm start`'s allocator settings and semi-space size) with
 * the inspector open on loopback, so its heap can be collected before each sample and snapshot.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchChromium, newParticipant } from '../../e2e/support/browser';
import { joinThroughUi, remoteVideos, waitForRemoteVideos } from '../../e2e/support/call';
import { openChat, sendChat } from '../../e2e/support/features';
import { smallCamera } from '../../e2e/support/faultsSfu';
import { startServer, type RunningServer } from '../../e2e/support/server';
import { Inspector } from './inspector';

const MB = 1024 * 1024;

export interface SoakOptions {
  /** How long the rooms are held after everyone joined. */
  minutes: number;
  /** Time between samples. */
  sampleSeconds: number;
  /** Growth is measured from the first sample at or after this time (the warm-up before it). */
  baselineSeconds?: number;
  /** Time between chat messages in each room. */
  chatSeconds?: number;
  /** Time between switching a screen share on or off in each room. */
  screenSeconds?: number;
  /** Take server heap snapshots at the baseline and at the end, into these paths. */
  heapSnapshots?: { baseline: string; end: string };
  log?(message: string): void;
}

export interface SoakSample {
  /** Seconds since everyone joined. */
  t: number;
  /** Each page's JS heap after a collection, MB (same order as `SoakResult.pages`). */
  pageHeapMb: number[];
  serverRssMb: number;
  /** The server's JS heap after a collection, and memory outside it that V8 tracks, MB. */
  serverHeapMb: number;
  serverExternalMb: number;
  /** RTP packets per second the forwarding unit sent since the previous sample. */
  forwardedPps: number;
  /** Rooms through the forwarding unit and its media connections at the sample (0 and 0: none). */
  sfuRooms?: number;
  sfuConnections?: number;
  /** Remote videos each page decoded frames of since the previous sample (same order as pages). */
  decoding?: number[];
}

export interface SoakGrowth {
  /** Largest growth of any page's heap from the baseline to the end, MB (and that page). */
  pageHeapMb: number;
  page: string;
  serverRssMb: number;
  serverHeapMb: number;
}

export interface SoakResult {
  minutes: number;
  sampleSeconds: number;
  baselineSeconds: number;
  /** Seconds it took the seven pages to join and decode each other. */
  joinSeconds: number;
  pages: Array<{ name: string; room: 'sfu' | 'mesh' }>;
  samples: SoakSample[];
  /** Growth after the warm-up: end minus the baseline sample. */
  growth: SoakGrowth;
  /** Chat messages sent, screen share switches, and activity steps that failed. */
  chats: number;
  screenToggles: number;
  errors: string[];
  /** Remote videos each page is decoding at the end (3 in the forwarding unit's room, 2 in the mesh). */
  videosAtEnd: number[];
  /** Whether the last chat message of each room reached every page of the room. */
  lastChatDelivered: boolean;
}

/** The thresholds of issue 18: a long call must not grow more than this after its first minute. */
export const LIMITS = { pageHeapMb: 20, serverRssMb: 10 };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) * 1024;
}

/** The forwarding unit's packet total, rooms and connections, from the server's metrics. */
async function sfuMetrics(server: RunningServer): Promise<{ total: number; rooms: number; connections: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    total: value('parley_sfu_forwarded_packets_total'),
    rooms: value('parley_sfu_rooms'),
    connections: value('parley_sfu_connections'),
  };
}

/** Each remote video's decoded frame count on `page`, by participant id (empty if the page does not answer). */
function framesByPeer(page: Page): Promise<Map<string, number>> {
  return remoteVideos(page)
    .then((videos) => new Map(videos.filter((v) => v.width > 0).map((v) => [v.id, v.frames])))
    .catch(() => new Map<string, number>());
}

/** Videos whose frame count grew from `before` to `after`. */
function growing(before: Map<string, number> | undefined, after: Map<string, number>): number {
  return [...after].filter(([id, n]) => n > (before?.get(id) ?? 0)).length;
}

interface Person {
  name: string;
  room: 'sfu' | 'mesh';
  page: Page;
  cdp: CDPSession;
}

/** Growth from the baseline sample to the last one. */
export function growthOf(samples: SoakSample[], names: string[], baselineSeconds: number): SoakGrowth {
  const base = samples.find((s) => s.t >= baselineSeconds) ?? samples[0];
  const last = samples[samples.length - 1];
  if (!base || !last) return { pageHeapMb: NaN, page: '', serverRssMb: NaN, serverHeapMb: NaN };
  let pageHeapMb = -Infinity;
  let page = '';
  names.forEach((name, i) => {
    const g = (last.pageHeapMb[i] ?? NaN) - (base.pageHeapMb[i] ?? NaN);
    if (g > pageHeapMb) {
      pageHeapMb = g;
      page = name;
    }
  });
  return {
    pageHeapMb,
    page,
    serverRssMb: last.serverRssMb - base.serverRssMb,
    serverHeapMb: last.serverHeapMb - base.serverHeapMb,
  };
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const log = opts.log ?? (() => {});
  const baselineSeconds = opts.baselineSeconds ?? 60;
  const chatMs = (opts.chatSeconds ?? 5) * 1000;
  const screenMs = (opts.screenSeconds ?? 30) * 1000;
  let server: RunningServer | null = null;
  let browser: Browser | null = null;
  let inspector: Inspector | null = null;
  try {
    server = await startServer({
      env: {
        ROOM_TOPOLOGY: 'auto',
        MESH_MAX: '3',
        SFU_ANNOUNCED_IPS: '127.0.0.1',
        LOG_LEVEL: process.env.SOAK_LOG_LEVEL ?? 'warn',
        // As `npm start` runs it, with the inspector on a free loopback port.
        MALLOC_ARENA_MAX: '2',
        MALLOC_MMAP_THRESHOLD_: '131072',
        NODE_OPTIONS: '--max-semi-space-size=2 --inspect=127.0.0.1:0',
      },
    });
    const url = Inspector.urlIn(server.output.join(''));
    if (!url) throw new Error(`the server printed no inspector address: ${server.output.join('')}`);
    inspector = await Inspector.connect(url);
    const pid = server.proc.pid as number;
    browser = await launchChromium();

    const people: Person[] = [];
    const joining = performance.now();
    const rooms = { sfu: `soak-sfu-${Date.now()}`, mesh: `soak-mesh-${Date.now()}` };
    const cast: Array<[string, 'sfu' | 'mesh']> = [
      ['Ada', 'sfu'],
      ['Bo', 'sfu'],
      ['Cy', 'sfu'],
      ['Di', 'sfu'],
      ['Ed', 'mesh'],
      ['Flo', 'mesh'],
      ['Gus', 'mesh'],
    ];
    for (const [name, room] of cast) {
      const { page } = await newParticipant(browser, server.url);
      // Seven pages on a small machine: loads and clicks can take a while. Cameras of 320x240,
      // as in the fault tests: with the fake camera's 640x480 the seven encoders (three layers
      // each in the forwarding unit's room) starved the pages past Socket.IO's ping timeout and
      // ICE's 30 s, and the measurement became one of rejoins.
      page.setDefaultTimeout(120_000);
      await smallCamera(page, 320, 240);
      await joinThroughUi(page, name, rooms[room]);
      people.push({ name, room, page, cdp: await page.context().newCDPSession(page) });
      log(`${name} joined the ${room} room`);
    }
    // The fourth joiner moved the first room to the forwarding unit (MESH_MAX=3).
    // A page that does not get there is reported, and the call held anyway: memory is what is
    // measured, and the end checks say whether everyone decodes everyone by then.
    const errors: string[] = [];
    for (const p of people) {
      await waitForRemoteVideos(p.page, p.room === 'sfu' ? 3 : 2, 120_000).catch(async (err: Error) => {
        const shows = await p.page
          .evaluate(() => document.body.innerText.replace(/\s+/g, ' ').slice(0, 300))
          .catch(() => '?');
        errors.push(`${p.name} at the start: ${err.message}; the page shows: ${shows}`);
        log(errors[errors.length - 1] as string);
      });
    }
    // Everyone reads the chat (the panel renders every message).
    for (const p of people) await openChat(p.page);
    const joinSeconds = (performance.now() - joining) / 1000;
    log(`7 pages joined and decoding in ${joinSeconds.toFixed(1)} s`);

    const samples: SoakSample[] = [];
    let chats = 0;
    let screenToggles = 0;
    const lastChat = { sfu: '', mesh: '' };
    const start = performance.now();
    const end = start + opts.minutes * 60_000;
    let lastForwarded = { at: start, total: (await sfuMetrics(server)).total };
    const lastFrames = new Map<Person, Map<string, number>>();
    let snapshotTaken = false;

    const sample = async (): Promise<void> => {
      const t = (performance.now() - start) / 1000;
      const pageHeapMb: number[] = [];
      for (const p of people) {
        await p.cdp.send('HeapProfiler.collectGarbage');
        const { usedSize } = await p.cdp.send('Runtime.getHeapUsage');
        pageHeapMb.push(usedSize / MB);
      }
      const decoding: number[] = [];
      for (const p of people) {
        const frames = await framesByPeer(p.page);
        decoding.push(growing(lastFrames.get(p), frames));
        lastFrames.set(p, frames);
      }
      const mem = await inspector!.memory();
      const sfu = await sfuMetrics(server!);
      const now = { at: performance.now(), total: sfu.total };
      const forwardedPps = ((now.total - lastForwarded.total) * 1000) / (now.at - lastForwarded.at);
      lastForwarded = now;
      const s: SoakSample = {
        t,
        pageHeapMb,
        serverRssMb: rssOf(pid) / MB,
        serverHeapMb: mem.heapUsed / MB,
        serverExternalMb: mem.external / MB,
        forwardedPps,
        sfuRooms: sfu.rooms,
        sfuConnections: sfu.connections,
        decoding,
      };
      samples.push(s);
      log(
        `${(t / 60).toFixed(1)} min: pages ${pageHeapMb.map((m) => m.toFixed(1)).join('/')} MB, server RSS ` +
          `${s.serverRssMb.toFixed(1)} MB (heap ${s.serverHeapMb.toFixed(1)}, external ` +
          `${s.serverExternalMb.toFixed(1)}), forwarded ${forwardedPps.toFixed(0)} pkts/s (${sfu.rooms} rooms, ` +
          `${sfu.connections} connections through the unit), videos decoding ${decoding.join('/')}`,
      );
      if (opts.heapSnapshots && !snapshotTaken && t >= baselineSeconds) {
        snapshotTaken = true;
        await inspector!.heapSnapshot(opts.heapSnapshots.baseline);
      }
    };

    // Activity: in each room, the next person says something every few seconds, and one person
    // (a different one each time) switches a screen share on, then off.
    const act = async (what: string, step: () => Promise<void>): Promise<void> => {
      try {
        await step();
      } catch (err) {
        errors.push(`${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    };
    const sharing = new Map<'sfu' | 'mesh', Person | null>([
      ['sfu', null],
      ['mesh', null],
    ]);
    let nextChat = start;
    let nextScreen = start + screenMs / 2;
    let nextSample = start;
    let turn = 0;
    while (performance.now() <= end) {
      const now = performance.now();
      if (now >= nextSample) {
        await sample();
        nextSample += opts.sampleSeconds * 1000;
      }
      if (now >= nextChat) {
        for (const room of ['sfu', 'mesh'] as const) {
          const members = people.filter((p) => p.room === room);
          const who = members[turn % members.length] as Person;
          const text = `${who.name} at ${((now - start) / 1000).toFixed(0)} s (${chats + 1})`;
          await act(`chat from ${who.name}`, async () => {
            await sendChat(who.page, text);
            chats++;
            lastChat[room] = text;
          });
        }
        turn++;
        nextChat += chatMs;
      }
      if (now >= nextScreen) {
        for (const room of ['sfu', 'mesh'] as const) {
          const members = people.filter((p) => p.room === room);
          const current = sharing.get(room);
          const who = current ?? (members[screenToggles % members.length] as Person);
          await act(`screen share by ${who.name}`, async () => {
            await who.page.getByRole('button', { name: current ? 'Stop sharing' : 'Share screen' }).click();
            screenToggles++;
            sharing.set(room, current ? null : who);
          });
        }
        nextScreen += screenMs;
      }
      const wait = Math.min(nextSample, nextChat, nextScreen, end + 1) - performance.now();
      if (wait > 0) await sleep(wait);
    }
    if (opts.heapSnapshots) await inspector.heapSnapshot(opts.heapSnapshots.end);

    // Still a call at the end: every page decodes everyone, and the last words arrived.
    // Decoding now: a frame count that grows over two seconds (a frozen picture has frames too).
    const videosAtEnd: number[] = [];
    const framesBefore = new Map<Person, Map<string, number>>();
    for (const p of people) framesBefore.set(p, await framesByPeer(p.page));
    await sleep(2_000);
    for (const p of people) videosAtEnd.push(growing(framesBefore.get(p), await framesByPeer(p.page)));
    let lastChatDelivered = true;
    for (const p of people) {
      const text = lastChat[p.room];
      const shown = await p.page
        .locator('[data-testid="chat-messages"] .chat-text')
        .filter({ hasText: text })
        .first()
        .waitFor({ timeout: 10_000 })
        .then(() => true)
        .catch(() => false);
      if (!text || !shown) lastChatDelivered = false;
    }
    const names = people.map((p) => p.name);
    return {
      minutes: opts.minutes,
      sampleSeconds: opts.sampleSeconds,
      baselineSeconds,
      joinSeconds,
      pages: people.map((p) => ({ name: p.name, room: p.room })),
      samples,
      growth: growthOf(samples, names, baselineSeconds),
      chats,
      screenToggles,
      errors,
      videosAtEnd,
      lastChatDelivered,
    };
  } finally {
    inspector?.close();
    await browser?.close();
    await server?.kill('SIGTERM');
    // SOAK_SERVER_LOG=<file> keeps the server's log (at SOAK_LOG_LEVEL, default warn).
    if (process.env.SOAK_SERVER_LOG && server) writeFileSync(process.env.SOAK_SERVER_LOG, server.output.join(''));
  }
}

/** The run as a markdown table over time (every `everySeconds`), with the growth under it. */
export function soakMarkdown(r: SoakResult, everySeconds = 0): string {
  const f = (n: number, d = 1): string => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const idx = (room: 'sfu' | 'mesh'): number[] => r.pages.flatMap((p, i) => (p.room === room ? [i] : []));
  const range = (s: SoakSample, room: 'sfu' | 'mesh'): string => {
    const v = idx(room).map((i) => s.pageHeapMb[i] ?? NaN);
    return `${f(Math.min(...v))}-${f(Math.max(...v))}`;
  };
  const rows: string[] = [
    '| minute | SFU pages heap MB | mesh pages heap MB | server RSS MB | server heap MB | server external MB | forwarded pkts/s | videos decoding |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  let lastShown = -Infinity;
  r.samples.forEach((s, i) => {
    const isLast = i === r.samples.length - 1;
    if (!isLast && s.t - lastShown < everySeconds - 1) return;
    lastShown = s.t;
    rows.push(
      `| ${f(s.t / 60)} | ${range(s, 'sfu')} | ${range(s, 'mesh')} | ${f(s.serverRssMb)} | ${f(s.serverHeapMb)} | ` +
        `${f(s.serverExternalMb)} | ${f(s.forwardedPps, 0)} | ${s.decoding?.join('/') ?? '-'} |`,
    );
  });
  const g = r.growth;
  return [
    rows.join('\n'),
    '',
    `Growth from minute ${f(r.baselineSeconds / 60)} to the end: pages at most ${f(g.pageHeapMb)} MB (${g.page}; ` +
      `limit ${LIMITS.pageHeapMb}), server RSS ${f(g.serverRssMb)} MB (limit ${LIMITS.serverRssMb}), server heap ` +
      `${f(g.serverHeapMb)} MB. ${r.chats} chat messages, ${r.screenToggles} screen share switches, ` +
      `${r.errors.length} failed steps; joining took ${f(r.joinSeconds)} s; videos decoded at the end: ` +
      `${r.videosAtEnd.join('/')}; last chat delivered: ${r.lastChatDelivered ? 'yes' : 'no'}.`,
  ].join('\n');
}
