import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { seriousViolations } from './support/axe';
import { newParticipant } from './support/browser';
import { joinThroughUi } from './support/call';
import { chooseMore } from './support/features';
import { useServerAndChromium } from './support/fixture';

/**
 * A room larger than one page of tiles: one person in Chromium and nine others who join from
 * Node (they never answer an offer, so their tiles stay "connecting", which is all a tile needs).
 * A laptop-size window pages by 3x3: you and eight others on page 1, you and one on page 2.
 */
const OTHERS = 9;
const ROOM = 'e2e-gallery';

// The default mesh cap is 6: this room holds ten.
const fx = useServerAndChromium({ server: { env: { MESH_MAX: '12' } } });

async function joinFromNode(name: string): Promise<{ socket: Socket; id: string }> {
  const socket = io(`${fx.server.url}/parley`, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const reply = (await socket
    .timeout(5_000)
    .emitWithAck('join', { room: ROOM, name, media: { audio: false, video: true } })) as {
    ok: boolean;
    self?: { id: string };
    error?: string;
  };
  assert.ok(reply.ok, `${name} joined: ${JSON.stringify(reply)}`);
  return { socket, id: reply.self!.id };
}

/** The names on the tiles shown, in order. */
function tileNames(page: Page): Promise<string[]> {
  return page.locator('section[aria-label="Participants"] .tile-name').allInnerTexts();
}

/** The last size each participant's camera was reported at (`Call.setView`, recorded in the page). */
async function lastViews(page: Page): Promise<Record<string, { width: number; height: number } | null>> {
  return page.evaluate(() => {
    const log = (window as unknown as { __views: Array<[string, string, { width: number; height: number } | null]> })
      .__views;
    const last: Record<string, { width: number; height: number } | null> = {};
    for (const [id, role, size] of log) if (role === 'camera') last[id] = size;
    return last;
  });
}

test('ten people on a laptop window: two pages of tiles, page controls, views reported for the page shown', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url, { viewport: { width: 1200, height: 760 } });
  const others: Array<{ socket: Socket; id: string; name: string }> = [];
  try {
    await joinThroughUi(alice.page, 'Alice', ROOM);
    await alice.page.locator('[data-testid="local-tile"]').waitFor();
    // Record what the screen tells the call about tile sizes.
    await alice.page.waitForFunction(
      () => 'setView' in ((window as unknown as { __parleyCall?: object }).__parleyCall ?? {}),
    );
    await alice.page.evaluate(() => {
      const w = window as unknown as {
        __parleyCall: { setView(id: string, role: string, size: unknown): void };
        __views: unknown[];
      };
      const call = w.__parleyCall;
      const original = call.setView.bind(call);
      w.__views = [];
      call.setView = (id, role, size) => {
        w.__views.push([id, role, size]);
        original(id, role, size);
      };
    });

    for (let i = 1; i <= OTHERS; i++) {
      const name = `Guest ${i}`;
      others.push({ ...(await joinFromNode(name)), name });
    }
    const status = alice.page.getByTestId('page-status');
    await status.waitFor();
    await alice.page.waitForFunction(
      () => document.querySelector('[data-testid="page-status"]')?.textContent === 'Page 1 of 2',
    );

    // Page 1: you first, then the first eight others in the order they came.
    const grid = alice.page.locator('section[aria-label="Participants"]');
    assert.equal(await grid.getAttribute('data-count'), '9');
    assert.deepEqual(await tileNames(alice.page), ['Alice (you)', ...others.slice(0, 8).map((o) => o.name)]);
    assert.equal(await alice.page.getByRole('img', { name: 'microphone off' }).count(), 8, 'their microphones are off');
    // Three columns and three rows, all inside the window.
    const boxes = await grid.locator('.tile').evaluateAll((ts) =>
      ts.map((t) => {
        const r = t.getBoundingClientRect();
        return { x: Math.round(r.x), y: Math.round(r.y), w: r.width, bottom: r.bottom };
      }),
    );
    assert.equal(new Set(boxes.map((b) => b.x)).size, 3, `three columns: ${JSON.stringify(boxes)}`);
    assert.equal(new Set(boxes.map((b) => b.y)).size, 3, `three rows: ${JSON.stringify(boxes)}`);
    assert.ok(
      boxes.every((b) => b.w > 150 && b.x + b.w <= 1200),
      `tiles fit the window: ${JSON.stringify(boxes)}`,
    );

    // The controls: named buttons; "previous" is unavailable on the first page.
    const prev = alice.page.getByRole('button', { name: 'Previous page' });
    const next = alice.page.getByRole('button', { name: 'Next page' });
    assert.equal(await prev.getAttribute('aria-disabled'), 'true');
    assert.equal(await next.getAttribute('aria-disabled'), null);
    assert.deepEqual(
      await seriousViolations(alice.page),
      [],
      'no serious accessibility problems with the page controls',
    );

    // Sizes reach the call once they settle: each tile on the page in device pixels, null off it.
    const ids = others.map((o) => o.id);
    await alice.page.waitForFunction(
      (want) => {
        const log = (window as unknown as { __views: Array<[string, string, unknown]> }).__views;
        const last = new Map(log.filter((e) => e[1] === 'camera').map((e) => [e[0], e[2]]));
        return want.every((id) => last.has(id));
      },
      ids,
      { timeout: 10_000 },
    );
    let views = await lastViews(alice.page);
    const tileWidth = boxes[1]!.w;
    for (const o of others.slice(0, 8)) {
      const size = views[o.id];
      assert.ok(size, `${o.name} is on the page: a size, not ${JSON.stringify(size)}`);
      assert.ok(Math.abs(size.width - tileWidth) <= 2, `${o.name}: ${size.width} device px for a ${tileWidth} px tile`);
    }
    assert.equal(views[others[8]!.id], null, 'Guest 9 is on page 2: no video wanted');

    // Next page, from the keyboard: you and Guest 9; the first eight are reported as not shown.
    await next.focus();
    await alice.page.keyboard.press('Enter');
    await alice.page.waitForFunction(
      () => document.querySelector('[data-testid="page-status"]')?.textContent === 'Page 2 of 2',
    );
    assert.deepEqual(await tileNames(alice.page), ['Alice (you)', 'Guest 9']);
    assert.equal(await next.getAttribute('aria-disabled'), 'true', 'no page after the last');
    assert.equal(await alice.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Next page');
    await alice.page.waitForFunction(
      ([g9, g1]) => {
        const log = (window as unknown as { __views: Array<[string, string, unknown]> }).__views;
        const last = new Map(log.filter((e) => e[1] === 'camera').map((e) => [e[0], e[2]]));
        return last.get(g9) !== null && last.get(g1) === null;
      },
      [others[8]!.id, others[0]!.id] as [string, string],
      { timeout: 10_000 },
    );
    views = await lastViews(alice.page);
    for (const o of others.slice(0, 8)) assert.equal(views[o.id], null, `${o.name} is not shown on page 2`);
    assert.ok(views[others[8]!.id], 'Guest 9 is shown');

    // Back, then Guest 9 leaves while page 2 is shown: the page is clamped, the controls go.
    await prev.click();
    await alice.page.waitForFunction(
      () => document.querySelector('[data-testid="page-status"]')?.textContent === 'Page 1 of 2',
    );
    await next.click();
    await alice.page.waitForFunction(
      () => document.querySelector('[data-testid="page-status"]')?.textContent === 'Page 2 of 2',
    );
    others[8]!.socket.disconnect();
    await status.waitFor({ state: 'detached', timeout: 15_000 });
    assert.deepEqual(await tileNames(alice.page), ['Alice (you)', ...others.slice(0, 8).map((o) => o.name)]);
    assert.equal(await grid.getAttribute('data-page'), '1');

    // The speaker layout pages its strip: the featured tile and six others per page (the window
    // is 1200 px wide), so the eight besides the featured one take two pages.
    await chooseMore(alice.page, 'Speaker view');
    const strip = alice.page.getByRole('navigation', { name: 'Pages of the participant strip' });
    await strip.waitFor();
    assert.equal(await strip.getByTestId('page-status').innerText(), 'Page 1 of 2');
    assert.equal(await grid.locator('.tile').count(), 7);
    assert.equal(await grid.locator('.tile-featured').count(), 1);
    await strip.getByRole('button', { name: 'Next page' }).click();
    await alice.page.waitForFunction(
      () => document.querySelector('[data-testid="page-status"]')?.textContent === 'Page 2 of 2',
    );
    assert.equal(await grid.locator('.tile').count(), 3, 'the featured tile and the last two');
    assert.equal(await grid.locator('.tile-featured').count(), 1, 'the featured tile stays on every page');
  } finally {
    for (const o of others) o.socket.disconnect();
    await alice.context.close();
  }
});
