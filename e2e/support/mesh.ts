import type { Page } from 'playwright-core';
import { remoteVideos, waitForRemoteVideos, type RemoteVideo } from './call';

/**
 * Wait until `page` shows exactly `count` remote tiles, each a different participant, and
 * every one of them decoded more frames over the last `windowMs` (the video is live, not stuck
 * on a last frame).
 */
export async function waitAllDecoding(
  page: Page,
  count: number,
  { timeoutMs = 30_000, windowMs = 1_000 } = {},
): Promise<RemoteVideo[]> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const before = await waitForRemoteVideos(page, count, Math.max(deadline - Date.now(), 1)).catch(
      async (err: Error) => {
        const states = await page
          .locator('[data-testid="remote-tile"]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-link-state')));
        throw new Error(`${err.message}; link states ${JSON.stringify(states)}`);
      },
    );
    await page.waitForTimeout(windowMs);
    const after = await remoteVideos(page);
    const ids = new Set(after.map((v) => v.id));
    const grew = after.every((v) => v.frames > (before.find((b) => b.id === v.id)?.frames ?? Infinity));
    if (after.length === count && ids.size === count && grew) return after;
    last = JSON.stringify({ before, after });
  }
  throw new Error(`expected ${count} live remote videos, saw ${last}`);
}

/** Fill the home form without submitting, so several pages can click Join at the same instant. */
export async function prepareJoin(page: Page, name: string, room: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Room').fill(room);
}

/** Decoded frames per remote participant id, as the page's video elements report them. */
export async function framesById(page: Page): Promise<Map<string, number>> {
  return new Map((await remoteVideos(page)).map((v) => [v.id, v.frames]));
}

/** This page's own participant id (from the local tile), once joined. */
export async function selfId(page: Page): Promise<string> {
  const tile = page.locator('[data-testid="local-tile"][data-participant-id]');
  await tile.waitFor();
  return (await tile.getAttribute('data-participant-id')) ?? '';
}
