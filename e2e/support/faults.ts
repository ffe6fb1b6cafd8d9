import type { Page } from 'playwright-core';

/*
 * What a person sees of each other person, for the network fault tests: per remote tile, the
 * frames the page has shown and the size of the video, joined with the browser's receive
 * statistics for that tile's track (freezes, loss, retransmission requests, keyframe requests).
 * Works the same in mesh and forwarding-unit rooms: tiles are matched to statistics by track id.
 */

export interface TileView {
  /** The remote person's name as the tile shows it. */
  name: string;
  /** Frames shown so far (getVideoPlaybackQuality), and the video's current size. */
  frames: number;
  width: number;
  height: number;
  /** From the inbound-rtp report of the tile's track (0 when the browser does not report it). */
  framesDecoded: number;
  freezeCount: number;
  freezeSeconds: number;
  packetsReceived: number;
  packetsLost: number;
  nackCount: number;
  pliCount: number;
}

/** Every remote tile of the page, with its receive statistics. */
export function tileViews(page: Page): Promise<TileView[]> {
  return page.evaluate(async () => {
    const call = (window as unknown as { __parleyCall?: { getStats(): Promise<Record<string, RTCStats[]>> } })
      .__parleyCall;
    const byTrack = new Map<string, Record<string, unknown>>();
    if (call) {
      for (const list of Object.values(await call.getStats())) {
        for (const s of list as Array<RTCStats & Record<string, unknown>>) {
          if (s.type === 'inbound-rtp' && s.kind === 'video' && typeof s.trackIdentifier === 'string') {
            byTrack.set(s.trackIdentifier, s);
          }
        }
      }
    }
    return [...document.querySelectorAll<HTMLElement>('[data-testid="remote-tile"]')].map((tile) => {
      const video = tile.querySelector('video');
      const track = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0];
      const s = (track ? byTrack.get(track.id) : undefined) ?? {};
      // No named helper here: tsx keeps function names by wrapping them in `__name(...)`, which
      // does not exist inside the page.
      return {
        name: tile.querySelector('.tile-name')?.textContent ?? '',
        frames: video?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
        width: video?.videoWidth ?? 0,
        height: video?.videoHeight ?? 0,
        framesDecoded: Number(s['framesDecoded'] ?? 0),
        freezeCount: Number(s['freezeCount'] ?? 0),
        freezeSeconds: Number(s['totalFreezesDuration'] ?? 0),
        packetsReceived: Number(s['packetsReceived'] ?? 0),
        packetsLost: Number(s['packetsLost'] ?? 0),
        nackCount: Number(s['nackCount'] ?? 0),
        pliCount: Number(s['pliCount'] ?? 0),
      };
    });
  });
}

/** What one person received from another over a window of time. */
export interface Received {
  receiver: string;
  sender: string;
  /** Frames shown per second over the window. */
  fps: number;
  /** Freezes (as the browser counts them) and their length, within the window. */
  freezes: number;
  freezeSeconds: number;
  /** Share of the sender's packets lost on the way, within the window. */
  lossPercent: number;
  nacks: number;
  plis: number;
  /** The video's width at the end of the window (the layer received, in SFU rooms). */
  width: number;
  /** Smallest and largest width seen while sampling. */
  minWidth: number;
  maxWidth: number;
}

/**
 * Watch every page for `seconds` (sampling each second) and report, per receiver and sender,
 * the frame rate shown, the freezes, the loss and the repair requests in that window.
 */
export async function watch(pages: Array<{ name: string; page: Page }>, seconds: number): Promise<Received[]> {
  const first = await Promise.all(pages.map((p) => tileViews(p.page)));
  const widths = new Map<string, number[]>();
  const t0 = Date.now();
  const end = t0 + seconds * 1000;
  let last = first;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, end - Date.now()))));
    last = await Promise.all(pages.map((p) => tileViews(p.page).catch(() => [] as TileView[])));
    last.forEach((views, i) => {
      for (const v of views) {
        const key = `${pages[i]!.name}<${v.name}`;
        widths.set(key, [...(widths.get(key) ?? []), v.width]);
      }
    });
  }
  const elapsed = (Date.now() - t0) / 1000;
  const out: Received[] = [];
  pages.forEach((p, i) => {
    for (const v of last[i] ?? []) {
      const before = first[i]?.find((b) => b.name === v.name);
      if (!before) continue;
      const packets = v.packetsReceived - before.packetsReceived;
      const lost = v.packetsLost - before.packetsLost;
      const seen = widths.get(`${p.name}<${v.name}`) ?? [v.width];
      out.push({
        receiver: p.name,
        sender: v.name,
        fps: (v.frames - before.frames) / elapsed,
        freezes: v.freezeCount - before.freezeCount,
        freezeSeconds: v.freezeSeconds - before.freezeSeconds,
        lossPercent: packets + lost > 0 ? (100 * Math.max(0, lost)) / (packets + lost) : 0,
        nacks: v.nackCount - before.nackCount,
        plis: v.pliCount - before.pliCount,
        width: v.width,
        minWidth: Math.min(...seen),
        maxWidth: Math.max(...seen),
      });
    }
  });
  return out;
}

/** One line per receiver/sender pair, for the test's output (and docs/RELIABILITY.md). */
export function formatReceived(label: string, rows: Received[]): string {
  const lines = rows.map(
    (r) =>
      `#   ${r.receiver.padEnd(6)} <- ${r.sender.padEnd(6)} ${r.fps.toFixed(1).padStart(5)} fps, ` +
      `${r.freezes} freezes (${r.freezeSeconds.toFixed(1)} s), loss ${r.lossPercent.toFixed(1)} %, ` +
      `${r.nacks} NACK, ${r.plis} PLI, width ${r.minWidth}-${r.maxWidth} (now ${r.width})`,
  );
  return [`# ${label}`, ...lines].join('\n');
}

/*
 * Helpers for fault tests on rooms of several people (see e2e/faults-mesh.test.ts). Scripts run
 * in the page are plain strings or arrow functions without inner named functions: tsx keeps
 * function names by wrapping them in `__name(...)`, which does not exist inside the page.
 */

/**
 * Make the page's camera small (320x240 at 15 fps by default): four Chromiums on two cores
 * cannot encode and decode a full mesh of 640x480, and these tests are about the network.
 * Call before the page opens the camera.
 */
export async function lowResCamera(page: Page, width = 320, height = 240, fps = 15): Promise<void> {
  await page.addInitScript(`(() => {
    const md = navigator.mediaDevices;
    if (!md || !md.getUserMedia) return;
    const original = md.getUserMedia.bind(md);
    md.getUserMedia = (c) => {
      if (c && c.video) {
        const base = typeof c.video === 'object' ? c.video : {};
        c = { ...c, video: { ...base, width: ${width}, height: ${height}, frameRate: ${fps} } };
      }
      return original(c);
    };
  })();`);
}

/** The page's console lines, timestamped relative to `t0` (for a test's failure output). */
export function pageLog(page: Page, name: string, t0 = Date.now()): string[] {
  const lines: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error' || m.text().startsWith('[parley]')) {
      lines.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${name} ${m.type()}: ${m.text()}`);
    }
  });
  return lines;
}

/**
 * Record every peer connection's connection and signaling state changes in the page
 * (`window.__pcTrace`, times in ms since the page started), for diagnosing a recovery.
 */
export async function tracePeerConnections(page: Page): Promise<void> {
  await page.addInitScript(`(() => {
    const Native = window.RTCPeerConnection;
    if (!Native) return;
    const trace = (window.__pcTrace = []);
    let n = 0;
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        const id = ++n;
        trace.push({ t: Math.round(performance.now()), pc: id, event: 'created' });
        this.addEventListener('connectionstatechange', () =>
          trace.push({ t: Math.round(performance.now()), pc: id, event: 'connection ' + this.connectionState }));
        this.addEventListener('signalingstatechange', () =>
          trace.push({ t: Math.round(performance.now()), pc: id, event: 'signaling ' + this.signalingState }));
      }
    };
  })();`);
}

/** The trace recorded by tracePeerConnections, one line per event. */
export async function peerConnectionTrace(page: Page): Promise<string[]> {
  const trace = await page.evaluate(
    () => (window as unknown as { __pcTrace?: Array<{ t: number; pc: number; event: string }> }).__pcTrace ?? [],
  );
  return trace.map((e) => `${(e.t / 1000).toFixed(1)}s pc${e.pc} ${e.event}`);
}

/** One mesh link as the page holds it. */
export interface LinkInfo {
  remoteId: string;
  state: string;
  connectionState: string;
  signalingState: string;
  /** A mark set on the connection by `markLinks`: the same mark later means the same connection. */
  mark: string | null;
}

/** Every mesh link of the page: its state and its connection's mark (see markLinks). */
export function linkReport(page: Page): Promise<LinkInfo[]> {
  return page.evaluate(() => {
    const call = (
      window as unknown as {
        __parleyCall?: {
          transport: { links?(): Map<string, { state: string; pc: RTCPeerConnection & { __mark?: string } }> } | null;
        };
      }
    ).__parleyCall;
    const links = call?.transport?.links?.() ?? new Map();
    return [...links].map(([remoteId, l]) => ({
      remoteId,
      state: l.state,
      connectionState: l.pc.connectionState,
      signalingState: l.pc.signalingState,
      mark: l.pc.__mark ?? null,
    }));
  });
}

/** Mark every mesh link's current connection with `mark` (a rebuilt connection has none). */
export function markLinks(page: Page, mark: string): Promise<void> {
  return page.evaluate((m) => {
    const call = (
      window as unknown as {
        __parleyCall?: { transport: { links?(): Map<string, { pc: RTCPeerConnection & { __mark?: string } }> } | null };
      }
    ).__parleyCall;
    for (const l of call?.transport?.links?.().values() ?? []) l.pc.__mark = m;
  }, mark);
}

/** Frames each tile's track decoded so far (inbound-rtp `framesDecoded`), by remote name. */
export async function framesDecodedByName(page: Page): Promise<Map<string, number>> {
  return new Map((await tileViews(page)).map((v) => [v.name, v.framesDecoded]));
}

/**
 * Like `watch`, with each pair's frame rate also counted in decoded frames (inbound-rtp
 * `framesDecoded`, the figure the receiving browser itself reports).
 */
export async function watchDecoded(
  pages: Array<{ name: string; page: Page }>,
  seconds: number,
): Promise<Array<Received & { decodedFps: number }>> {
  const t0 = Date.now();
  const before = await Promise.all(pages.map((p) => framesDecodedByName(p.page)));
  const rows = await watch(pages, seconds);
  const after = await Promise.all(pages.map((p) => framesDecodedByName(p.page)));
  const elapsed = (Date.now() - t0) / 1000;
  return rows.map((r) => {
    const i = pages.findIndex((p) => p.name === r.receiver);
    const a = after[i]?.get(r.sender) ?? 0;
    const b = before[i]?.get(r.sender) ?? a;
    return { ...r, decodedFps: (a - b) / elapsed };
  });
}
