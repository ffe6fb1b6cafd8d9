import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { chooseMore } from './support/features';
import { useServerAndChromium } from './support/fixture';

const fx = useServerAndChromium();

async function assertAccessible(page: Page, screen: string): Promise<void> {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `${screen}: serious/critical axe violations`);
}

test('home, pre-join and call screens have no serious or critical axe violations, light and dark', async () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    const alice = await newParticipant(fx.browser, fx.server.url, { colorScheme });
    const bob = await newParticipant(fx.browser, fx.server.url, { colorScheme });
    try {
      const room = `e2e-axe-${colorScheme}`;
      await alice.page.goto('/');
      await alice.page.getByLabel('Username').waitFor();
      await assertAccessible(alice.page, `home (${colorScheme})`);

      await alice.page.getByLabel('Username').fill('Alice');
      await alice.page.getByLabel('Room').fill(room);
      await alice.page.getByRole('button', { name: 'Join' }).click();
      await alice.page.getByRole('heading', { name: /Ready to join/ }).waitFor();
      await alice.page.getByLabel('Camera', { exact: true }).waitFor();
      await assertAccessible(alice.page, `pre-join (${colorScheme})`);

      await alice.page.getByRole('button', { name: 'Join', exact: true }).click();
      await joinThroughUi(bob.page, 'Bob', room);
      await Promise.all([waitForRemoteVideos(alice.page, 1), waitForRemoteVideos(bob.page, 1)]);
      await assertAccessible(alice.page, `call (${colorScheme})`);
      // With the side panels and the shortcut dialog open too.
      await chooseMore(alice.page, 'Devices');
      await chooseMore(alice.page, 'Connection');
      await alice.page.getByTestId('quality-panel').waitFor();
      await assertAccessible(alice.page, `call with connection details (${colorScheme})`);
      await chooseMore(alice.page, 'Keyboard shortcuts');
      await alice.page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
      await assertAccessible(alice.page, `shortcut help (${colorScheme})`);
    } finally {
      await alice.context.close();
      await bob.context.close();
    }
  }
});

test('keyboard only: Tab to Join, Enter, M mutes and the other side sees it; ? lists shortcuts', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url);
  const bob = await newParticipant(fx.browser, fx.server.url);
  try {
    await joinThroughUi(bob.page, 'Bob', 'e2e-keys');
    await alice.page.goto('/');
    // The name field has focus on arrival.
    await alice.page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'username');
    await alice.page.keyboard.type('Alice');
    await alice.page.keyboard.press('Tab');
    await alice.page.keyboard.type('e2e-keys');
    await alice.page.keyboard.press('Enter');

    // Pre-join: Tab until the Join button has focus, then Enter.
    await alice.page.getByRole('heading', { name: /Ready to join/ }).waitFor();
    await alice.page.waitForFunction(() => {
      const b = [...document.querySelectorAll('button')].find((x) => x.textContent === 'Join');
      return b !== undefined && !b.disabled;
    });
    let focused = '';
    for (let i = 0; i < 12 && focused !== 'Join'; i++) {
      await alice.page.keyboard.press('Tab');
      focused = await alice.page.evaluate(() => {
        const el = document.activeElement;
        // Focus must be visible: the focus ring is drawn by :focus-visible.
        return el?.tagName === 'BUTTON' && el.matches(':focus-visible') ? (el.textContent ?? '') : '';
      });
    }
    assert.equal(focused, 'Join', 'the Join button is reachable with Tab and shows focus');
    await alice.page.keyboard.press('Enter');
    await Promise.all([waitForRemoteVideos(alice.page, 1), waitForRemoteVideos(bob.page, 1)]);

    // Bob's screen reader was told that Alice joined.
    await bob.page
      .locator('[role="status"][aria-live="polite"]', { hasText: 'Alice joined.' })
      .waitFor({ state: 'attached', timeout: 5_000 });

    await alice.page.keyboard.press('m');
    await bob.page.locator('[data-testid="remote-tile"] [aria-label="microphone off"]').waitFor({ timeout: 5_000 });
    await alice.page.getByRole('button', { name: 'Unmute' }).waitFor();
    await alice.page.keyboard.press('v');
    await bob.page.locator('[data-testid="remote-tile"] [aria-label="camera off"]').waitFor({ timeout: 5_000 });
    await alice.page.keyboard.press('m');
    await bob.page
      .locator('[data-testid="remote-tile"] [aria-label="microphone off"]')
      .waitFor({ state: 'detached', timeout: 5_000 });

    // C opens and closes the chat; Escape closes it too.
    const chatPanel = alice.page.getByRole('complementary', { name: 'Chat panel' });
    await alice.page.keyboard.press('c');
    await chatPanel.waitFor({ timeout: 5_000 });
    await alice.page.keyboard.press('Escape');
    await chatPanel.waitFor({ state: 'detached', timeout: 5_000 });
    await alice.page.keyboard.press('c');
    await chatPanel.waitFor({ timeout: 5_000 });
    await alice.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await alice.page.keyboard.press('c');
    await chatPanel.waitFor({ state: 'detached', timeout: 5_000 });

    await alice.page.keyboard.press('?');
    const help = alice.page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    assert.match(await help.innerText(), /Mute or unmute/);
    // M inside the dialog does nothing; Escape closes it.
    await alice.page.keyboard.press('m');
    await alice.page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    await alice.page.getByRole('button', { name: 'Mute', exact: true }).waitFor();

    // Bob is told that Alice left, through the live region.
    await alice.page.keyboard.press('Control+Shift+L');
    await alice.page.getByLabel('Username').waitFor();
    await bob.page
      .locator('[role="status"][aria-live="polite"]', { hasText: 'Alice left.' })
      .waitFor({ state: 'attached', timeout: 10_000 });
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

test('on a 375x667 phone the tiles stack and every call control is visible and clickable', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url, { viewport: { width: 375, height: 667 } });
  const bob = await newParticipant(fx.browser, fx.server.url);
  try {
    await joinThroughUi(alice.page, 'Alice', 'e2e-phone');
    await joinThroughUi(bob.page, 'Bob', 'e2e-phone');
    await Promise.all([waitForRemoteVideos(alice.page, 1), waitForRemoteVideos(bob.page, 1)]);

    const width = await alice.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `no horizontal scrolling (${width}px wide)`);
    const tiles = await alice.page
      .locator('[data-testid="local-tile"], [data-testid="remote-tile"]')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width })));
    assert.equal(tiles.length, 2);
    assert.ok(
      tiles[1]!.y > tiles[0]!.y && Math.abs(tiles[1]!.x - tiles[0]!.x) < 2,
      `tiles are stacked: ${JSON.stringify(tiles)}`,
    );

    const controls = alice.page.getByRole('navigation', { name: 'Call controls' }).getByRole('button');
    const count = await controls.count();
    assert.ok(count >= 5);
    for (let i = 0; i < count; i++) {
      const box = await controls.nth(i).boundingBox();
      assert.ok(
        box && box.x >= 0 && box.x + box.width <= 375 && box.y >= 0 && box.y + box.height <= 667,
        `control ${i} is on screen: ${JSON.stringify(box)}`,
      );
      assert.ok(box.height >= 40, 'touch-sized');
    }
    await alice.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await bob.page.locator('[data-testid="remote-tile"] [aria-label="microphone off"]').waitFor({ timeout: 5_000 });
    await alice.page.getByRole('button', { name: 'Camera off' }).click();
    await bob.page.locator('[data-testid="remote-tile"] [aria-label="camera off"]').waitFor({ timeout: 5_000 });
    await alice.page.getByRole('button', { name: 'Leave' }).click();
    await alice.page.getByLabel('Username').waitFor();
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});
