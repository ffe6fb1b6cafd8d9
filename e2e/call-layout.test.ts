import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { chooseMore } from './support/features';
import { useServerAndChromium } from './support/fixture';

const fx = useServerAndChromium();
let contexts: BrowserContext[] = [];
let alice: Page;
let bob: Page;

const SIZES = [
  { width: 1280, height: 800 },
  { width: 960, height: 640 },
  { width: 375, height: 667 },
];

before(async () => {
  await fx.ready;
  const people = await Promise.all(
    ['Alice', 'Bob', 'Carol'].map(() => newParticipant(fx.browser, fx.server.url, { viewport: SIZES[0] })),
  );
  contexts = people.map((p) => p.context);
  alice = people[0]!.page;
  bob = people[1]!.page;
  // Three calls on one machine: give each step time when the machine is busy.
  alice.setDefaultTimeout(60_000);
  await contexts[0]!.grantPermissions(['clipboard-read', 'clipboard-write']);
  for (const [i, name] of ['Alice', 'Bob', 'Carol'].entries()) await joinThroughUi(people[i]!.page, name, 'e2e-layout');
  await Promise.all(people.map((p) => waitForRemoteVideos(p.page, 2, 30_000)));
});

after(async () => {
  await Promise.all(contexts.map((c) => c.close()));
});

interface Layout {
  /** Visible controls that are off screen or not the element at their own centre. */
  blocked: string[];
  /** Remote tiles (visible ones) that the open panel overlaps. */
  covered: string[];
  /** The distinct rows (rounded centre heights) of the visible controls. */
  rows: number[];
  controls: number;
  panel: { left: number; top: number; width: number; height: number } | null;
  visibleRemoteTiles: number;
}

/** Where the controls, the tiles and the panel are, measured in the page. */
function measure(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const blocked: string[] = [];
    const rows = new Set<number>();
    let controls = 0;
    for (const b of document.querySelectorAll<HTMLElement>('nav.controls button')) {
      // Only what is shown: not the closed recording dialog, nor a popup's own buttons.
      if (!b.checkVisibility()) continue;
      if (b.closest('dialog, [role="menu"], .meeting-reaction-bar, .recording-note')) continue;
      controls++;
      const r = b.getBoundingClientRect();
      const name = b.textContent?.trim() ?? '?';
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      rows.add(Math.round(y / 4));
      if (r.left < 0 || r.top < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight) {
        blocked.push(`${name}: off screen ${JSON.stringify(r)}`);
        continue;
      }
      const hit = document.elementFromPoint(x, y);
      if (!hit || !b.contains(hit)) blocked.push(`${name}: covered by ${hit?.outerHTML.slice(0, 100) ?? 'nothing'}`);
    }
    const aside = document.getElementById('side-panel');
    const p = aside?.getBoundingClientRect() ?? null;
    const covered: string[] = [];
    let visibleRemoteTiles = 0;
    for (const t of document.querySelectorAll<HTMLElement>('[data-testid="remote-tile"]')) {
      if (!t.checkVisibility()) continue;
      visibleRemoteTiles++;
      const r = t.getBoundingClientRect();
      if (
        p &&
        Math.min(r.right, p.right) - Math.max(r.left, p.left) > 0 &&
        Math.min(r.bottom, p.bottom) - Math.max(r.top, p.top) > 0
      ) {
        covered.push(`${t.textContent ?? '?'} ${JSON.stringify(r)} under the panel ${JSON.stringify(p)}`);
      }
    }
    return {
      blocked,
      covered,
      rows: [...rows],
      controls,
      panel: p && { left: p.left, top: p.top, width: p.width, height: p.height },
      visibleRemoteTiles,
    };
  });
}

/** Open a panel the way a person would: its toolbar button, else the More menu. */
async function openPanel(page: Page, panel: 'Chat' | 'Files' | 'People' | 'Devices' | 'Connection'): Promise<void> {
  const button = page.getByRole('navigation', { name: 'Call controls' }).getByRole('button', {
    name: new RegExp(`^${panel}`),
  });
  if (panel !== 'Devices' && panel !== 'Connection' && (await button.isVisible()))
    await button.click({ noWaitAfter: true });
  else await chooseMore(page, panel);
  await page.locator('#side-panel').waitFor();
}

const PANELS = ['Chat', 'Files', 'People', 'Devices', 'Connection'] as const;

test('with any panel open at 1280x800, 960x640 and 375x667, every control is clear and no tile is covered', async () => {
  for (const size of SIZES) {
    await alice.setViewportSize(size);
    const bare = await measure(alice);
    assert.deepEqual(bare.blocked, [], `${size.width}px, no panel: controls clear`);
    assert.equal(bare.rows.length, 1, `${size.width}px: the controls take one row`);
    assert.equal(bare.visibleRemoteTiles, 2);
    for (const [i, name] of PANELS.entries()) {
      await openPanel(alice, name);
      const panelHeader = alice.locator('#side-panel .panel-title');
      assert.equal(await panelHeader.innerText(), name);
      await alice.waitForTimeout(100);
      const m = await measure(alice);
      const where = `${size.width}x${size.height} with ${name} open`;
      assert.deepEqual(m.blocked, [], `${where}: every control is visible and on top`);
      assert.deepEqual(m.covered, [], `${where}: no tile under the panel`);
      assert.equal(m.rows.length, 1, `${where}: one row of controls`);
      assert.equal(m.controls, bare.controls, `${where}: the same controls`);
      if (size.width <= 600) {
        // A sheet in the stage's place; the call goes on behind it.
        assert.ok(
          m.panel && m.panel.width >= size.width - 20,
          `${where}: a full-width sheet ${JSON.stringify(m.panel)}`,
        );
      } else {
        assert.equal(m.visibleRemoteTiles, 2, `${where}: the tiles reflow beside the panel`);
      }
      // Closed by its own button, or by Escape.
      if (i % 2 === 0) await alice.getByRole('button', { name: 'Close panel' }).click();
      else await alice.keyboard.press('Escape');
      await alice.locator('#side-panel').waitFor({ state: 'detached' });
    }
    // Back to the call: the others still play.
    await waitForRemoteVideos(alice, 2);
  }
});

test('the toolbar is one row at 960 and 375 px; the More menu works from the keyboard', async () => {
  for (const width of [960, 375]) {
    await alice.setViewportSize({ width, height: width > 600 ? 640 : 667 });
    const m = await measure(alice);
    assert.equal(m.rows.length, 1, `${width}px: one row`);
    assert.deepEqual(m.blocked, []);
    const scroll = await alice.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= width, `${width}px: no sideways scrolling (${scroll})`);
  }
  await alice.setViewportSize({ width: 960, height: 640 });
  const more = alice.getByRole('button', { name: 'More options' });
  const focused = (): Promise<string> => alice.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

  // Enter opens the menu on its first item; arrows move; Escape returns to the button.
  await more.focus();
  await alice.keyboard.press('Enter');
  await alice.getByRole('menu').waitFor();
  assert.equal(await more.getAttribute('aria-expanded'), 'true');
  assert.equal(await focused(), 'Copy link');
  await alice.keyboard.press('ArrowUp');
  assert.equal(await focused(), 'Keyboard shortcuts', 'Up from the first item wraps to the last');
  await alice.keyboard.press('Home');
  assert.equal(await focused(), 'Copy link');
  await alice.keyboard.press('Escape');
  await alice.getByRole('menu').waitFor({ state: 'detached' });
  assert.equal(await alice.evaluate(() => document.activeElement?.getAttribute('aria-haspopup')), 'menu');

  // Copy link copies the room's address.
  await alice.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'Copy link');
  await alice.keyboard.press('Enter');
  await alice.getByRole('menu').waitFor({ state: 'detached' });
  const copied = await alice.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /\/r\/e2e-layout$/);

  // Speaker view, by arrows and Enter.
  await more.focus();
  await alice.keyboard.press('Enter');
  await alice.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'Speaker view');
  await alice.keyboard.press('Enter');
  await alice.locator('.grid.layout-speaker').waitFor();
  await chooseMore(alice, 'Grid view');
  await alice.locator('.grid.layout-grid').waitFor();

  // Devices opens its panel; Keyboard shortcuts (by End) its dialog.
  await more.focus();
  await alice.keyboard.press('ArrowDown');
  await alice.keyboard.press('ArrowDown');
  await alice.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'Devices');
  await alice.keyboard.press('Space');
  await alice.getByRole('complementary', { name: 'Devices panel' }).waitFor();
  // Focus lands in the panel that opened, and goes back to the More button when it closes.
  await alice.waitForFunction(
    () => document.activeElement?.closest('aside')?.getAttribute('aria-label') === 'Devices panel',
  );
  await alice.keyboard.press('Escape');
  await alice.getByRole('complementary', { name: 'Devices panel' }).waitFor({ state: 'detached' });
  await alice.waitForFunction(() => document.activeElement?.getAttribute('aria-haspopup') === 'menu');
  await more.focus();
  await alice.keyboard.press('ArrowUp');
  assert.equal(await focused(), 'Keyboard shortcuts');
  await alice.keyboard.press('Enter');
  await alice.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  await alice.keyboard.press('Escape');
  await alice.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'hidden' });

  // The shortcuts still work: C opens and closes the chat.
  await alice.locator('body').focus();
  await alice.keyboard.press('c');
  await alice.getByRole('complementary', { name: 'Chat panel' }).waitFor();
});

test('a file dropped on the call is offered to the room', async () => {
  await alice.setViewportSize({ width: 1280, height: 800 });
  // A file held over a tile: the call shows where to drop it (drag updates render on a later
  // task, so the overlay is waited for), then it is dropped.
  await alice.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(4096).fill(7)], 'dropped.bin', { type: 'application/octet-stream' }));
    const target = document.querySelector('[data-testid="remote-tile"]');
    if (!target) throw new Error('no remote tile');
    (window as unknown as { __drop: [Element, DataTransfer] }).__drop = [target, data];
    target.dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: data }));
    target.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: data }));
  });
  await alice.locator('.drop-overlay').waitFor({ timeout: 5_000 });
  await alice.evaluate(() => {
    const [target, data] = (window as unknown as { __drop: [Element, DataTransfer] }).__drop;
    target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: data }));
  });
  // The sender sees the offer in the Files panel, opened for it; the others are offered the file.
  await alice.getByRole('complementary', { name: 'Files panel' }).waitFor();
  await alice.getByTestId('transfer').filter({ hasText: 'dropped.bin' }).first().waitFor();
  await bob
    .getByTestId('notices')
    .getByText(/^Alice wants to send you dropped\.bin/)
    .waitFor({ timeout: 20_000 });
  assert.equal(await alice.locator('.drop-overlay').count(), 0);
});
