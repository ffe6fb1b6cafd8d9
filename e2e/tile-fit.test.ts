import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { lowResCamera } from './support/faults';
import { useServerAndChromium } from './support/fixture';

/*
 * What a person sees of the tiles: Alice and Bob send the 16:9 video the app asks for by
 * default (640x360), Carol a 4:3 camera (640x480). Most videos are 16:9, so the tiles are;
 * Carol's picture is shown whole inside hers.
 */

const fx = useServerAndChromium();
let contexts: BrowserContext[] = [];
let alice: Page;

before(async () => {
  await fx.ready;
  const people = await Promise.all(
    ['Alice', 'Bob', 'Carol'].map(() =>
      newParticipant(fx.browser, fx.server.url, { viewport: { width: 1280, height: 800 } }),
    ),
  );
  contexts = people.map((p) => p.context);
  alice = people[0]!.page;
  alice.setDefaultTimeout(60_000);
  await lowResCamera(people[2]!.page, 640, 480, 15);
  for (const [i, name] of ['Alice', 'Bob', 'Carol'].entries())
    await joinThroughUi(people[i]!.page, name, 'e2e-tile-fit');
  await Promise.all(people.map((p) => waitForRemoteVideos(p.page, 2, 30_000)));
});

after(async () => {
  await Promise.all(contexts.map((c) => c.close()));
});

interface Seen {
  stage: { left: number; top: number; right: number; bottom: number };
  controlsTop: number;
  tiles: Array<{
    name: string;
    left: number;
    top: number;
    right: number;
    bottom: number;
    width: number;
    height: number;
    video: number;
    fit: string;
  }>;
  /** The same tiles under the old CSS (a fixed 4:3 tile), for comparison. */
  old: Array<{ width: number; height: number }>;
}

/** The stage, the controls and each tile as the page lays them out. */
function look(page: Page): Promise<Seen> {
  return page.evaluate(() => {
    const grid = document.querySelector<HTMLElement>('section[aria-label="Participants"]')!;
    const s = grid.getBoundingClientRect();
    const controls = document.querySelector('nav.controls')!.getBoundingClientRect();
    const tiles = [...grid.querySelectorAll<HTMLElement>('.tile')].map((t) => {
      const r = t.getBoundingClientRect();
      const v = t.querySelector('video')!;
      return {
        name: t.querySelector('.tile-name')?.textContent ?? '?',
        left: r.left,
        top: r.top,
        right: r.right,
        bottom: r.bottom,
        width: r.width,
        height: r.height,
        video: v.videoHeight > 0 ? v.videoWidth / v.videoHeight : 0,
        fit: getComputedStyle(v).objectFit,
      };
    });
    // The old look, measured in the same page: no fitted size and the fixed 4:3 ratio.
    const cls = grid.className;
    const ratio = grid.style.getPropertyValue('--tile-ratio');
    grid.classList.remove('grid-fit');
    grid.style.setProperty('--tile-ratio', String(4 / 3));
    const old = [...grid.querySelectorAll<HTMLElement>('.tile')].map((t) => {
      const r = t.getBoundingClientRect();
      return { width: Math.round(r.width), height: Math.round(r.height) };
    });
    grid.className = cls;
    grid.style.setProperty('--tile-ratio', ratio);
    return {
      stage: { left: s.left, top: s.top, right: s.right, bottom: s.bottom },
      controlsTop: controls.top,
      tiles,
      old,
    };
  });
}

for (const size of [
  { width: 1280, height: 800 },
  { width: 375, height: 667 },
]) {
  test(`at ${size.width}x${size.height} the three tiles are 16:9, inside the stage and clear of the controls`, async (t) => {
    await alice.setViewportSize(size);
    // Sizes settle after the resize (the stage is measured, the tiles follow).
    await alice.waitForFunction(
      ({ w, h }) => {
        const grid = document.querySelector('section[aria-label="Participants"]');
        if (!grid?.classList.contains('grid-fit')) return false;
        const tiles = [...grid.querySelectorAll('.tile')].map((el) => el.getBoundingClientRect());
        return tiles.length === 3 && tiles.every((r) => r.right <= w && r.bottom <= h);
      },
      { w: size.width, h: size.height },
    );
    await alice.waitForTimeout(300);
    const seen = await look(alice);
    t.diagnostic(
      `tiles ${seen.tiles.map((x) => `${x.name} ${Math.round(x.width)}x${Math.round(x.height)}`).join(', ')}; ` +
        `the old 4:3 tiles ${seen.old.map((x) => `${x.width}x${x.height}`).join(', ')}`,
    );
    assert.equal(seen.tiles.length, 3);
    for (const tile of seen.tiles) {
      const where = `${size.width}x${size.height} ${tile.name} ${JSON.stringify(tile)} in ${JSON.stringify(seen.stage)}`;
      // Within half a pixel of the stage: layout may round a fraction.
      assert.ok(
        tile.left >= seen.stage.left - 0.5 &&
          tile.right <= seen.stage.right + 0.5 &&
          tile.top >= seen.stage.top - 0.5 &&
          tile.bottom <= seen.stage.bottom + 0.5,
        `${where}: inside the stage`,
      );
      assert.ok(tile.bottom <= seen.controlsTop, `${where}: above the controls (top ${seen.controlsTop})`);
      assert.ok(Math.abs(tile.width / tile.height / (16 / 9) - 1) < 0.05, `${where}: a 16:9 tile`);
    }
    // Remote videos: Bob's is 16:9 and fills his tile; Carol's is 4:3 and shown whole in hers.
    const bob = seen.tiles.find((x) => x.name === 'Bob')!;
    const carol = seen.tiles.find((x) => x.name === 'Carol')!;
    assert.ok(Math.abs(bob.width / bob.height / bob.video - 1) < 0.05, `Bob's tile has his video's ratio ${bob.video}`);
    assert.equal(bob.fit, 'cover');
    assert.ok(Math.abs(carol.video - 4 / 3) < 0.05, `Carol sends 4:3: ${carol.video}`);
    assert.equal(carol.fit, 'contain', "Carol's 4:3 picture is not cropped to the 16:9 tile");
    // Larger than the fixed 4:3 tiles were, counting only the picture a 16:9 video shows whole.
    const area = (w: number): number => w * ((w * 9) / 16);
    const now = seen.tiles.reduce((sum, x) => sum + area(x.width), 0);
    const before = seen.old.reduce((sum, x) => sum + area(x.width), 0);
    assert.ok(now >= before, `16:9 pictures take ${Math.round(now)} px² now, ${Math.round(before)} px² before`);
  });
}
