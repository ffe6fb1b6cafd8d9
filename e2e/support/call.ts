import type { Page } from 'playwright-core';

/**
 * Type a name and room on the home page and click Join, then click Join on the pre-join screen
 * once the camera preview is ready, as a person would. Returns the time of the second click
 * (the one that starts the call).
 */
export async function joinThroughUi(page: Page, name: string, room: string): Promise<number> {
  await page.goto('/');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Room').fill(room);
  await page.getByRole('button', { name: 'Join' }).click();
  return joinFromPreJoin(page);
}

/** On the pre-join screen: wait for the devices, click Join. Returns the click time. */
export async function joinFromPreJoin(page: Page): Promise<number> {
  await preJoinReady(page);
  const clickedAt = Date.now();
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  return clickedAt;
}

/** Wait until the pre-join screen shows and its Join button is enabled (the preview is open). */
export async function preJoinReady(page: Page): Promise<void> {
  // The home page has a Join button too: wait for the pre-join screen itself.
  await page.getByRole('heading', { name: /Ready to join/ }).waitFor();
  const join = page.getByRole('button', { name: 'Join', exact: true });
  await join.waitFor();
  await page.waitForFunction(() => {
    const b = [...document.querySelectorAll('button')].find((x) => x.textContent === 'Join');
    return b !== undefined && !b.disabled;
  });
}

export interface RemoteVideo {
  id: string;
  name: string;
  width: number;
  frames: number;
}

/** What the page shows of remote participants: each tile's video size and decoded frames. */
export function remoteVideos(page: Page): Promise<RemoteVideo[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="remote-tile"]')].map((tile) => {
      const video = tile.querySelector('video');
      return {
        id: tile.dataset.participantId ?? '',
        name: tile.querySelector('.tile-name')?.textContent ?? '',
        width: video?.videoWidth ?? 0,
        frames: video?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
      };
    }),
  );
}

/** Wait until `page` shows `count` remote videos that are decoding frames. */
export async function waitForRemoteVideos(page: Page, count: number, timeoutMs = 20_000): Promise<RemoteVideo[]> {
  const deadline = Date.now() + timeoutMs;
  let last: RemoteVideo[] = [];
  while (Date.now() < deadline) {
    last = await remoteVideos(page);
    if (last.length === count && last.every((v) => v.width > 0 && v.frames > 0)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`expected ${count} decoding remote videos, saw ${JSON.stringify(last)}`);
}

/** Inbound RTP totals per kind across all of the page's peer connections (via the debug handle). */
export function inboundTotals(page: Page): Promise<{ audioPackets: number; videoFramesDecoded: number }> {
  return page.evaluate(async () => {
    const call = (window as unknown as { __parleyCall?: { getStats(): Promise<Record<string, RTCStats[]>> } })
      .__parleyCall;
    if (!call) return { audioPackets: 0, videoFramesDecoded: 0 };
    const stats = await call.getStats();
    let audioPackets = 0;
    let videoFramesDecoded = 0;
    for (const list of Object.values(stats)) {
      for (const s of list as Array<RTCStats & Record<string, unknown>>) {
        if (s.type !== 'inbound-rtp') continue;
        if (s.kind === 'audio') audioPackets += Number(s.packetsReceived ?? 0);
        if (s.kind === 'video') videoFramesDecoded += Number(s.framesDecoded ?? 0);
      }
    }
    return { audioPackets, videoFramesDecoded };
  });
}

/** Epoch time (ms) of the first decoded remote frame mark on the page, or null. */
export function firstFrameAt(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('parley:first-frame:'));
    if (marks.length === 0) return null;
    return performance.timeOrigin + Math.min(...marks.map((m) => m.startTime));
  });
}
