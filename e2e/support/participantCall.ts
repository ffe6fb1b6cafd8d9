import type { RemoteVideo } from './call';
import type { Participant } from './participant';

/**
 * The call helpers of ./call, for a Participant in any browser. They read what the page
 * shows (tiles, video elements) and the standard statistics, never browser-specific APIs.
 */

/** Type a name and room on the home page and click Join, as a person would. */
export async function joinCall(p: Participant, name: string, room: string): Promise<number> {
  await p.goto('/');
  await p.fillByLabel('Username', name);
  await p.fillByLabel('Room', room);
  const clickedAt = Date.now();
  await p.clickButton('Join');
  await p.waitForSelector('[data-testid="local-tile"]');
  return clickedAt;
}

/**
 * What the page shows of remote participants: each tile's video size and frames shown.
 * Firefox leaves `getVideoPlaybackQuality().totalVideoFrames` at 0 for a MediaStream source,
 * so where the element has `mozPaintedFrames` (frames painted to the screen) that is used.
 */
export function remoteVideosOf(p: Participant): Promise<RemoteVideo[]> {
  return p.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="remote-tile"]')].map((tile) => {
      const video = tile.querySelector('video');
      const painted = video && 'mozPaintedFrames' in video ? Number(video.mozPaintedFrames) : 0;
      return {
        id: tile.dataset.participantId ?? '',
        name: tile.querySelector('.tile-name')?.textContent ?? '',
        width: video?.videoWidth ?? 0,
        frames: Math.max(video?.getVideoPlaybackQuality().totalVideoFrames ?? 0, painted),
      };
    }),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Wait until `p` shows exactly the remote participants `names`, each with a video that has a
 * size and keeps decoding (its frame count grows between two looks). Returns the last look.
 */
export async function waitForDecodingFrom(p: Participant, names: string[], timeoutMs = 20_000): Promise<RemoteVideo[]> {
  const want = [...names].sort();
  const deadline = Date.now() + timeoutMs;
  let before = new Map<string, number>();
  let last: RemoteVideo[] = [];
  while (Date.now() < deadline) {
    last = await remoteVideosOf(p);
    const shown = last.map((v) => v.name).sort();
    const allDecoding =
      JSON.stringify(shown) === JSON.stringify(want) &&
      last.every((v) => v.width > 0 && v.frames > 0 && v.frames > (before.get(v.id) ?? Infinity));
    if (allDecoding) return last;
    before = new Map(last.map((v) => [v.id, v.frames]));
    await sleep(250);
  }
  throw new Error(`${p.browser}: expected ${JSON.stringify(want)} decoding, saw ${JSON.stringify(last)}`);
}

export interface InboundFromPeer {
  audioPackets: number;
  videoFramesDecoded: number;
  videoCodec: string;
  audioCodec: string;
}

/**
 * Inbound RTP per remote participant id, from the standard statistics (`inbound-rtp` with
 * `kind`, `packetsReceived`, `framesDecoded`, `codecId` -> `codec.mimeType`), which both
 * Chromium and Firefox report under the same names.
 */
export function inboundByPeer(p: Participant): Promise<Record<string, InboundFromPeer>> {
  return p.evaluate(async () => {
    const call = (window as unknown as { __parleyCall?: { getStats(): Promise<Record<string, RTCStats[]>> } })
      .__parleyCall;
    const out: Record<string, InboundFromPeer> = {};
    if (!call) return out;
    const byPeer = await call.getStats();
    for (const [peer, list] of Object.entries(byPeer)) {
      const stats = list as Array<RTCStats & Record<string, unknown>>;
      const entry = { audioPackets: 0, videoFramesDecoded: 0, videoCodec: '', audioCodec: '' };
      for (const s of stats) {
        if (s.type !== 'inbound-rtp') continue;
        const codec = stats.find((c) => c.type === 'codec' && c.id === s.codecId);
        const mime = String(codec?.mimeType ?? '');
        if (s.kind === 'audio') {
          entry.audioPackets += Number(s.packetsReceived ?? 0);
          entry.audioCodec ||= mime;
        }
        if (s.kind === 'video') {
          entry.videoFramesDecoded += Number(s.framesDecoded ?? 0);
          entry.videoCodec ||= mime;
        }
      }
      out[peer] = entry;
    }
    return out;
  });
}
