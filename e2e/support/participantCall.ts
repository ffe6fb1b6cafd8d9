import type { LinkStats } from '../../web/src/media/transport/stats';
import type { RemoteVideo } from './call';
import type { Participant } from './participant';

/**
 * The call helpers of ./call, for a Participant in any browser. They read what the page
 * shows (tiles, video elements) and the standard statistics, never browser-specific APIs.
 */

/**
 * Type a name and room on the home page, click Join, then Join again on the pre-join screen
 * once its camera preview is ready, as a person would. Returns the time of the second click.
 */
export async function joinCall(p: Participant, name: string, room: string): Promise<number> {
  await p.goto('/');
  await p.fillByLabel('Username', name);
  await p.fillByLabel('Room', room);
  await p.clickButton('Join');
  return joinFromPreJoinScreen(p);
}

/**
 * Open an invitation link (`/r/<room>`, with `#key=...` for an encrypted room), which shows the
 * pre-join screen at once, type a name and join. Returns the time of the Join click.
 */
export async function joinByLink(p: Participant, link: string, name: string): Promise<number> {
  await p.goto(link);
  await preJoinShown(p);
  await p.fillByLabel('Username', name);
  return joinFromPreJoinScreen(p);
}

async function preJoinShown(p: Participant): Promise<void> {
  await waitUntil(
    p,
    'the pre-join screen with an enabled Join button',
    () => {
      const ready = [...document.querySelectorAll('h1, h2')].some((h) => /Ready to join/.test(h.textContent ?? ''));
      const join = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Join');
      return ready && join !== undefined && !join.disabled;
    },
    undefined,
  );
}

/** On the pre-join screen: wait until Join is enabled (the preview is open), click it, see yourself. */
async function joinFromPreJoinScreen(p: Participant): Promise<number> {
  await preJoinShown(p);
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

/** Wait until every one of `people` decodes every other (by name). */
export async function waitEveryoneDecodes(
  people: ReadonlyArray<{ name: string; p: Participant }>,
  timeoutMs = 20_000,
): Promise<void> {
  await Promise.all(
    people.map((me) =>
      waitForDecodingFrom(
        me.p,
        people.filter((o) => o !== me).map((o) => o.name),
        timeoutMs,
      ),
    ),
  );
}

/**
 * Each link's statistics per remote participant id, as the app summarises them for every
 * browser (`Call.getLinkStats`, reached through the `window.__parleyCall` debug handle).
 */
export function linkStatsByPeer(p: Participant): Promise<Record<string, LinkStats>> {
  return p.evaluate(async () => {
    const call = (window as unknown as { __parleyCall?: { getLinkStats(): Promise<Record<string, LinkStats>> } })
      .__parleyCall;
    return call ? call.getLinkStats() : {};
  });
}

/**
 * Poll `fn` in the page until it returns something truthy, and return that; fail with `what`
 * and the last value after the timeout.
 */
export async function waitUntil<R, A>(
  p: Participant,
  what: string,
  fn: (arg: A) => R | Promise<R>,
  arg: A,
  timeoutMs = 15_000,
): Promise<NonNullable<R>> {
  const deadline = Date.now() + timeoutMs;
  let last: R = await p.evaluate(fn, arg);
  while (!last) {
    if (Date.now() > deadline) throw new Error(`${p.browser}: timed out waiting for ${what} (last: ${String(last)})`);
    await sleep(100);
    last = await p.evaluate(fn, arg);
  }
  return last as NonNullable<R>;
}

/** Wait until the text of the element `selector` matches contains every string of `texts`. */
export async function waitForTexts(
  p: Participant,
  selector: string,
  texts: string[],
  timeoutMs?: number,
): Promise<void> {
  await waitUntil(
    p,
    `${JSON.stringify(texts)} in ${selector}`,
    ([sel, want]) => {
      const text = document.querySelector(sel)?.textContent ?? '';
      return want.every((t) => text.includes(t));
    },
    [selector, texts] as const,
    timeoutMs,
  );
}
