import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { useServerAndChromium } from './support/fixture';
import { BrowserPool, type Participant } from './support/participant';
import { joinCall, waitForDecodingFrom, waitUntil } from './support/participantCall';
import { startServer } from './support/server';
import { longVariant } from './support/tier';

/*
 * Hands, reactions, the People panel, pin and spotlight, driven through the page the way a person
 * does it and checked on the other participants' screens.
 */

const closers: Array<() => Promise<void>> = [];

after(async () => {
  for (const close of closers) await close().catch(() => undefined);
});

const fx = useServerAndChromium();

async function person(url = fx.server.url, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const { context, page } = await newParticipant(fx.browser, url, { viewport });
  closers.push(() => context.close());
  return page;
}

/** The tile of the remote participant called `name`. */
function tileOf(page: Page, name: string): Locator {
  return page.locator('[data-testid="remote-tile"]', { has: page.locator('.tile-name', { hasText: name }) });
}

/** The People panel's row of `name`. */
function rowOf(page: Page, name: string): Locator {
  return page
    .getByRole('complementary', { name: 'People panel' })
    .locator('[data-testid="person"]', { has: page.locator('.person-name', { hasText: name }) });
}

async function openPeople(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^People/ }).click();
  await page.getByRole('complementary', { name: 'People panel' }).waitFor();
}

test('three in Chromium: hands in order on tiles and in the panel, reactions, host lowers a hand, spotlight and pin', async () => {
  const [ada, ben, cy] = [await person(), await person(), await person()];
  const room = 'e2e-meeting';
  await joinThroughUi(ada, 'Ada', room);
  await joinThroughUi(ben, 'Ben', room);
  await joinThroughUi(cy, 'Cy', room);
  await Promise.all([ada, ben, cy].map((p) => waitForRemoteVideos(p, 2)));

  // The People panel lists everyone, you first, with the host badge and microphone state.
  await openPeople(ada);
  await openPeople(ben);
  await ada.locator('[data-testid="person"]').nth(2).waitFor();
  assert.equal(await ada.locator('[data-testid="person"]').count(), 3);
  assert.match((await ada.locator('[data-testid="person"]').first().textContent()) ?? '', /Ada \(you\)\s*Host/);
  assert.equal(await rowOf(ben, 'Ada').locator('.host-badge').textContent(), 'Host');
  assert.equal(await rowOf(ben, 'Cy').locator('.host-badge').count(), 0);
  await cy.getByRole('button', { name: 'Mute', exact: true }).click();
  await rowOf(ada, 'Cy').getByRole('img', { name: 'microphone off' }).waitFor({ timeout: 5_000 });
  await rowOf(ada, 'Ben').getByRole('img', { name: 'microphone on' }).waitFor();

  // Ben, then Cy, raise their hands: the others see them in that order, on the tile and in the panel.
  await ben.getByRole('button', { name: 'Raise hand' }).click();
  await ben.getByRole('button', { name: 'Lower hand', pressed: true }).waitFor();
  // A notice says so on the others' screens, with the People panel (and, for the host, Lower hand).
  const cyNotices = cy.getByTestId('notices');
  await cyNotices.getByText('Ben raised their hand (1st in line).').waitFor({ timeout: 5_000 });
  assert.equal(await cyNotices.getByRole('button', { name: 'Lower hand' }).count(), 0, 'only the host lowers hands');
  await ada.getByTestId('notices').getByRole('button', { name: 'Lower hand' }).waitFor();
  await cyNotices.getByRole('button', { name: 'Show people' }).click();
  await cy.getByRole('complementary', { name: /People/ }).waitFor();
  await cy.getByRole('button', { name: 'People', pressed: true }).click();
  await cy.getByRole('button', { name: 'Raise hand' }).click();
  await tileOf(ada, 'Ben').getByRole('img', { name: 'Hand raised, 1st in line' }).waitFor();
  await tileOf(ada, 'Cy').getByRole('img', { name: 'Hand raised, 2nd in line' }).waitFor();
  await tileOf(cy, 'Ben').getByRole('img', { name: 'Hand raised, 1st in line' }).waitFor();
  await rowOf(ada, 'Ben').getByRole('img', { name: 'Hand raised, 1st in line' }).waitFor();
  await rowOf(ada, 'Cy').getByRole('img', { name: 'Hand raised, 2nd in line' }).waitFor();
  assert.equal(await ben.getByRole('button', { name: "Lower Cy's hand" }).count(), 0, 'only the host lowers hands');

  // Cy reacts: the applause floats over Cy's tile on the others' screens and is announced.
  await cy.getByRole('button', { name: 'Reactions' }).click();
  await cy.getByRole('button', { name: 'React with applause' }).click();
  for (const p of [ada, ben]) {
    await tileOf(p, 'Cy').locator('[data-testid="reaction-float"][data-emoji="👏"]').waitFor({ timeout: 5_000 });
    await p.getByTestId('reaction-announcement').getByText('Cy reacted 👏').waitFor();
  }
  assert.equal(await tileOf(ada, 'Ben').locator('[data-testid="reaction-float"]').count(), 0, 'only on the sender');
  // With his People panel open, Ben still reaches every control (the panel ends above the bar).
  await ben.getByRole('button', { name: 'Reactions' }).click();
  await ben.getByRole('button', { name: 'React with heart' }).click();
  await tileOf(ada, 'Ben').locator('[data-testid="reaction-float"][data-emoji="❤️"]').waitFor({ timeout: 5_000 });
  // It goes after a few seconds.
  await tileOf(ada, 'Cy').locator('[data-testid="reaction-float"]').waitFor({ state: 'detached', timeout: 8_000 });

  // The host lowers Ben's hand from the panel: Ben's button comes back, Cy moves up.
  await rowOf(ada, 'Ben').getByRole('button', { name: "Lower Ben's hand" }).click();
  await ben.getByRole('button', { name: 'Raise hand', pressed: false }).waitFor();
  await tileOf(cy, 'Ben').locator('[data-testid="hand-badge"]').waitFor({ state: 'detached' });
  await tileOf(ben, 'Cy').getByRole('img', { name: 'Hand raised, 1st in line' }).waitFor();

  // The axe check with the People panel open (and the host's room controls shown).
  await ada.getByRole('button', { name: 'Host controls' }).click();
  assert.deepEqual(await seriousViolations(ada), [], 'People panel (host): serious/critical axe violations');
  assert.deepEqual(await seriousViolations(ben), [], 'People panel (guest): serious/critical axe violations');

  // Spotlight: a guest has no such control; the host spotlights Cy and everyone's layout features Cy.
  assert.equal(await ben.getByRole('button', { name: /^Spotlight/ }).count(), 0);
  await rowOf(ada, 'Cy').getByRole('button', { name: 'Spotlight Cy' }).click();
  const cyId = await tileOf(ada, 'Cy').getAttribute('data-participant-id');
  for (const p of [ada, ben]) {
    await p.locator('.grid.layout-speaker').waitFor({ timeout: 5_000 });
    await p.locator(`.tile-featured[data-participant-id="${cyId}"]`).waitFor({ timeout: 5_000 });
  }
  // Ben pins Ada on her tile (keyboard): his own pin wins over the spotlight, for him only.
  const pin = tileOf(ben, 'Ada').getByRole('button', { name: 'Pin Ada' });
  await pin.focus();
  await ben.keyboard.press('Enter');
  const adaId = await tileOf(ben, 'Ada').getAttribute('data-participant-id');
  await ben.locator(`.tile-featured[data-participant-id="${adaId}"]`).waitFor({ timeout: 5_000 });
  await tileOf(ben, 'Ada').getByRole('button', { name: 'Unpin Ada', pressed: true }).waitFor();
  assert.equal(await ada.locator(`.tile-featured[data-participant-id="${cyId}"]`).count(), 1, 'Ada still sees Cy');
  // Unpinned from the panel, Ben is back to the spotlight.
  await rowOf(ben, 'Ada').getByRole('button', { name: 'Unpin Ada' }).click();
  await ben.locator(`.tile-featured[data-participant-id="${cyId}"]`).waitFor({ timeout: 5_000 });

  // Cy leaves: the spotlight ends and the layout goes back to the grid.
  await cy.getByRole('button', { name: 'Leave' }).click();
  for (const p of [ada, ben]) await p.locator('.grid.layout-grid').waitFor({ timeout: 10_000 });
  assert.equal(await ada.locator('.tile-featured').count(), 0);
});

test('on a 375x667 phone, Leave, Mute, People, Raise hand and Reactions are on screen and work', async () => {
  const phone = await person(fx.server.url, { width: 375, height: 667 });
  const other = await person();
  await joinThroughUi(phone, 'Pho', 'e2e-meeting-phone');
  await joinThroughUi(other, 'Oli', 'e2e-meeting-phone');
  await waitForRemoteVideos(phone, 1);
  for (const name of ['Leave', 'Mute', 'People', 'Raise hand', 'Reactions']) {
    const button = phone.getByRole('button', { name, exact: true });
    await button.scrollIntoViewIfNeeded();
    const box = await button.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 375 && box.height >= 40, `${name}: ${JSON.stringify(box)}`);
    const vh = await phone.evaluate(() => window.innerHeight);
    assert.ok(box.y >= 0 && box.y + box.height <= vh, `${name} is within the screen: ${JSON.stringify(box)}`);
  }
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `no horizontal scrolling (${width}px wide)`);
  await phone.getByRole('button', { name: 'Raise hand', exact: true }).click();
  await tileOf(other, 'Pho').getByRole('img', { name: 'Hand raised, 1st in line' }).waitFor({ timeout: 5_000 });
  await phone.getByRole('button', { name: 'Reactions', exact: true }).click();
  await phone.getByRole('button', { name: 'React with heart' }).click();
  await tileOf(other, 'Pho').locator('[data-testid="reaction-float"][data-emoji="❤️"]').waitFor({ timeout: 5_000 });
  await phone.getByRole('button', { name: 'Leave', exact: true }).click();
  await phone.getByLabel('Username').waitFor();
});

test(
  'in a room through the forwarding unit, hands and reactions reach the others the same way',
  longVariant(),
  async () => {
    const sfu = await startServer({ env: { ROOM_TOPOLOGY: 'sfu', SFU_ANNOUNCED_IPS: '127.0.0.1' } });
    closers.push(async () => void (await sfu.kill('SIGTERM')));
    const ada = await person(sfu.url);
    const ben = await person(sfu.url);
    await joinThroughUi(ada, 'Ada', 'e2e-meeting-sfu');
    await joinThroughUi(ben, 'Ben', 'e2e-meeting-sfu');
    await Promise.all([waitForRemoteVideos(ada, 1), waitForRemoteVideos(ben, 1)]);
    const topology = await ada.evaluate(
      () =>
        (window as unknown as { __parleyCall?: { snapshot: { topology: string | null } } }).__parleyCall?.snapshot
          .topology,
    );
    assert.equal(topology, 'sfu', 'the room goes through the forwarding unit');
    await ben.getByRole('button', { name: 'Raise hand' }).click();
    await tileOf(ada, 'Ben').getByRole('img', { name: 'Hand raised, 1st in line' }).waitFor({ timeout: 5_000 });
    await ada.getByRole('button', { name: 'Reactions' }).click();
    await ada.getByRole('button', { name: 'React with celebration' }).click();
    await tileOf(ben, 'Ada').locator('[data-testid="reaction-float"][data-emoji="🎉"]').waitFor({ timeout: 5_000 });
    await openPeople(ada);
    await rowOf(ada, 'Ben').getByRole('button', { name: 'Spotlight Ben' }).click();
    const benId = await tileOf(ada, 'Ben').getAttribute('data-participant-id');
    // Ben sees himself featured (his own tile).
    await ben.locator(`.tile-featured[data-participant-id="${benId}"]`).waitFor({ timeout: 5_000 });
  },
);

test('Firefox with Chromium: the People panel, a raised hand and reactions both ways', longVariant(), async () => {
  const pool = new BrowserPool(fx.server.url, { viewport: { width: 1280, height: 800 } });
  closers.push(() => pool.close());
  await pool.warmUp();
  const ada: Participant = await pool.participant('chromium');
  const fox: Participant = await pool.participant('firefox');
  await joinCall(ada, 'Ada', 'e2e-meeting-fx');
  await joinCall(fox, 'Fox', 'e2e-meeting-fx');
  await Promise.all([waitForDecodingFrom(ada, ['Fox']), waitForDecodingFrom(fox, ['Ada'])]);

  // The People panel in Firefox lists both, Ada as host, Fox as you.
  await fox.clickButton('People');
  await waitUntil(
    fox,
    'the People panel with both',
    () => {
      const rows = [...document.querySelectorAll('[data-testid="person"]')].map((r) => r.textContent ?? '');
      return rows.length === 2 && /Fox \(you\)/.test(rows[0] ?? '') && /Ada.*Host/.test(rows[1] ?? '') ? rows : null;
    },
    undefined,
  );

  // Fox raises a hand: Ada (Chromium) sees it on Fox's tile; Fox's own button says Lower hand.
  await fox.clickButton('Raise hand');
  await waitUntil(
    fox,
    'the Lower hand button, pressed',
    () =>
      [...document.querySelectorAll('button')].some(
        (b) => b.textContent?.includes('Lower hand') && b.getAttribute('aria-pressed') === 'true',
      ),
    undefined,
  );
  const handOn = (name: string) =>
    [...document.querySelectorAll('[data-testid="remote-tile"]')]
      .find((t) => t.querySelector('.tile-name')?.textContent === name)
      ?.querySelector('[data-testid="hand-badge"]')
      ?.getAttribute('aria-label') ?? null;
  const label = await waitUntil(ada, "Fox's hand on Ada's screen", handOn, 'Fox');
  assert.equal(label, 'Hand raised, 1st in line');
  await waitUntil(
    fox,
    "Fox's own row shows the hand",
    () => document.querySelector('[data-testid="person"] [data-testid="person-hand"]') !== null,
    undefined,
  );

  // Reactions both ways.
  // Each is looked for right after it is sent: a reaction floats for 4 s.
  const floatOn = ([name, emoji]: readonly [string, string]) =>
    [...document.querySelectorAll('[data-testid="remote-tile"]')]
      .find((t) => t.querySelector('.tile-name')?.textContent === name)
      ?.querySelector(`[data-testid="reaction-float"][data-emoji="${emoji}"]`) != null;
  await fox.clickButton('Reactions');
  await fox.clickButton('React with thumbs up');
  await waitUntil(ada, "Fox's reaction on Ada's screen", floatOn, ['Fox', '👍'] as const, 5_000);
  await ada.clickButton('Reactions');
  await ada.clickButton('React with laughter');
  await waitUntil(fox, "Ada's reaction on Fox's screen", floatOn, ['Ada', '😂'] as const, 5_000);
  await waitUntil(
    fox,
    'the announcement in Firefox',
    () => document.querySelector('[data-testid="reaction-announcement"]')?.textContent === 'Ada reacted 😂',
    undefined,
  );
});
