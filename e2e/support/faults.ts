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
      const n = (k: string): number => Number(s[k] ?? 0);
      return {
        name: tile.querySelector('.tile-name')?.textContent ?? '',
        frames: video?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
        width: video?.videoWidth ?? 0,
        height: video?.videoHeight ?? 0,
        framesDecoded: n('framesDecoded'),
        freezeCount: n('freezeCount'),
        freezeSeconds: n('totalFreezesDuration'),
        packetsReceived: n('packetsReceived'),
        packetsLost: n('packetsLost'),
        nackCount: n('nackCount'),
        pliCount: n('pliCount'),
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
