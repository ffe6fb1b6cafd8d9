import type { Page } from 'playwright-core';
import { remoteVideos } from './call';
import type { Received } from './faults';

/*
 * Helpers of the forwarding-unit fault tests (e2e/faults-sfu.test.ts): a smaller camera, what the
 * server's readiness says of its forwarding unit, frame rates summed per receiver, and waiting
 * for media to move again after an outage.
 */

/**
 * Ask for a `width`x`height` camera whatever the app asks for (call before the page loads), so
 * four browsers on two cores are not limited by their CPU; the app still sends its three
 * simulcast layers of it.
 */
export async function smallCamera(page: Page, width: number, height: number): Promise<void> {
  // A plain script: the test's own compiled code would carry helpers the page does not have.
  await page.addInitScript({
    content: `(() => {
      const md = navigator.mediaDevices;
      if (!md || !md.getUserMedia) return;
      const original = md.getUserMedia.bind(md);
      md.getUserMedia = (c) => {
        if (c && c.video) {
          const v = typeof c.video === 'object' ? c.video : {};
          c = { ...c, video: { ...v, width: { ideal: ${width} }, height: { ideal: ${height} } } };
        }
        return original(c);
      };
    })();`,
  });
}

/** The forwarding unit's state from the server's readiness report ("running", "off", ...). */
export async function sfuState(url: string): Promise<string> {
  const res = await fetch(`${url}/readyz`);
  const body = (await res.json()) as { details?: { sfu?: { state?: string } } };
  return body.details?.sfu?.state ?? 'unknown';
}

/** Frames per second each receiver shows, summed over the senders `include` accepts. */
export function fpsByReceiver(rows: Received[], include: (r: Received) => boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) if (include(r)) out.set(r.receiver, (out.get(r.receiver) ?? 0) + r.fps);
  return out;
}

/**
 * Each receiver's frame rate now against a baseline, as a share (1 = unchanged), over the
 * pairs that involve neither `victim` (the person whose link is bad).
 */
export function othersShare(baseline: Received[], now: Received[], victim: string): Map<string, number> {
  const clean = (r: Received): boolean => r.receiver !== victim && r.sender !== victim;
  const before = fpsByReceiver(baseline, clean);
  const after = fpsByReceiver(now, clean);
  const out = new Map<string, number>();
  for (const [receiver, fps] of before) out.set(receiver, fps > 0 ? (after.get(receiver) ?? 0) / fps : 0);
  return out;
}

/** One line per receiver: its share of the baseline frame rate. */
export function formatShares(label: string, shares: Map<string, number>): string {
  return `# ${label}: ${[...shares].map(([r, s]) => `${r} ${(s * 100).toFixed(0)} %`).join(', ')}`;
}

/** Participant id the page has in its call (null before it joined). */
export function selfId(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const call = (window as unknown as { __parleyCall?: { snapshot: { self: { id: string } | null } } }).__parleyCall;
    return call?.snapshot.self?.id ?? null;
  });
}

/** How many RTCPeerConnections the page has made (needs `recordPeerConnections` from sfu.ts). */
export function peerConnectionsMade(page: Page): Promise<number> {
  return page.evaluate(() => ((window as unknown as { __pcs?: unknown[] }).__pcs ?? []).length);
}

/**
 * Wait until the page shows new frames of the tile named `name` (or of every remote tile when
 * `name` is null); resolves with the milliseconds waited, or null after `timeoutMs`.
 */
export async function framesMoveWithin(page: Page, name: string | null, timeoutMs: number): Promise<number | null> {
  const t0 = Date.now();
  const pick = (all: Awaited<ReturnType<typeof remoteVideos>>): Map<string, number> =>
    new Map(all.filter((v) => name === null || v.name === name).map((v) => [v.name, v.frames]));
  const first = pick(await remoteVideos(page));
  const moved = new Set<string>();
  while (Date.now() - t0 < timeoutMs) {
    await new Promise((r) => setTimeout(r, 100));
    const now = pick(await remoteVideos(page).catch(() => []));
    for (const [n, frames] of now) if (frames > (first.get(n) ?? 0) + 1) moved.add(n);
    if (first.size > 0 && [...first.keys()].every((n) => moved.has(n))) return Date.now() - t0;
  }
  return null;
}
