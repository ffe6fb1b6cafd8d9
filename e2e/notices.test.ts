import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Browser as PuppeteerBrowser } from 'puppeteer-core';
import { seriousViolations } from './support/axe';
import { newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { chooseMore, openChat, openFiles, sendChat, waitForChat } from './support/features';
import { launchFirefox } from './support/firefox';
import { useServerAndChromium } from './support/fixture';
import { playwrightParticipant, puppeteerParticipant } from './support/participant';
import { joinCall, waitForDecodingFrom, waitUntil } from './support/participantCall';

/*
 * The call screen's notices, driven as a person does: an incoming file offer answered from the
 * notice (Chromium and Firefox), a chat message while the chat is closed, and the host's lobby
 * request.
 */

const fx = useServerAndChromium();
let firefox: PuppeteerBrowser | undefined;
let dir: string;
let downloads: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-notices-'));
  downloads = join(dir, 'downloads');
});

after(async () => {
  await firefox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function randomFile(name: string, bytes: number): { path: string; sha256: string; size: number } {
  const data = randomBytes(bytes);
  const path = join(dir, name);
  writeFileSync(path, data);
  return { path, sha256: createHash('sha256').update(data).digest('hex'), size: bytes };
}

/** The notice whose text matches `text`. */
const notice = (page: Page, text: RegExp) => page.getByRole('group', { name: text });

/** Whether two boxes overlap. */
function overlaps(
  a: { x: number; y: number; width: number; height: number },
  b: { x: number; y: number; width: number; height: number },
): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

test('a file offer answered from its notice: Accept delivers it byte-identical, Decline tells the sender', async () => {
  const a = await newParticipant(fx.browser, fx.server.url);
  const b = await newParticipant(fx.browser, fx.server.url, { viewport: { width: 375, height: 667 } });
  try {
    await joinThroughUi(a.page, 'Alice', 'e2e-notices-files');
    await joinThroughUi(b.page, 'Bob', 'e2e-notices-files');
    await Promise.all([waitForRemoteVideos(a.page, 1, 30_000), waitForRemoteVideos(b.page, 1, 30_000)]);
    await openFiles(a.page);

    const report = randomFile('report.bin', 2 * 1024 * 1024);
    await a.page.getByLabel('File to send').setInputFiles(report.path);
    // Bob (on a phone-sized screen, Files panel closed) gets a notice with the answer in it.
    const offer = notice(b.page, /^Alice wants to send you report\.bin \(2\.0 MB\)\.$/);
    await offer.waitFor({ timeout: 20_000 });
    // Announced: the notice sits in a polite live region.
    assert.equal(await b.page.getByTestId('notices').getAttribute('aria-live'), 'polite');
    // It never covers Leave or Mute.
    const box = await offer.boundingBox();
    for (const name of ['Leave', 'Mute']) {
      const control = await b.page.getByRole('button', { name, exact: true }).boundingBox();
      assert.ok(box && control && !overlaps(box, control), `the notice is clear of ${name}`);
    }
    const violations = await seriousViolations(b.page);
    assert.deepEqual(violations, [], 'no serious or critical axe violation with a notice shown');

    await offer.getByRole('button', { name: 'Accept' }).click();
    const arrived = notice(b.page, /^report\.bin from Alice has arrived\.$/);
    await arrived.waitFor({ timeout: 60_000 });
    assert.equal(await offer.count(), 0, 'the offer notice went once answered');
    const [download] = await Promise.all([
      b.page.waitForEvent('download'),
      arrived.getByRole('button', { name: 'Save report.bin' }).click(),
    ]);
    const saved = join(dir, 'saved-report.bin');
    await download.saveAs(saved);
    assert.equal(createHash('sha256').update(readFileSync(saved)).digest('hex'), report.sha256);

    // Decline from the notice: Alice's transfer says Bob declined.
    const other = randomFile('other.bin', 64 * 1024);
    await a.page.getByLabel('File to send').setInputFiles(other.path);
    const second = notice(b.page, /^Alice wants to send you other\.bin/);
    await second.getByRole('button', { name: 'Decline' }).click({ timeout: 20_000 });
    const row = a.page.getByTestId('transfer').filter({ hasText: 'other.bin' });
    await row.and(a.page.locator('[data-state="declined"]')).waitFor({ timeout: 20_000 });
    assert.match((await row.textContent()) ?? '', /Bob declined\./);
    assert.equal(await second.count(), 0);

    // Keyboard: focus reaches the notice's buttons; Escape closes the notice (the offer stays
    // in the Files panel).
    const third = randomFile('third.bin', 1024);
    await a.page.getByLabel('File to send').setInputFiles(third.path);
    const thirdNotice = notice(b.page, /^Alice wants to send you third\.bin/);
    await thirdNotice.waitFor({ timeout: 20_000 });
    await thirdNotice.getByRole('button', { name: 'Accept' }).focus();
    await b.page.keyboard.press('Shift+Tab');
    await b.page.keyboard.press('Tab');
    assert.equal(
      await b.page.evaluate(() => document.activeElement?.textContent),
      'Accept',
      'Tab moves through the notice',
    );
    await b.page.keyboard.press('Escape');
    await thirdNotice.waitFor({ state: 'detached' });
    // (On a phone the Files panel opens from the More menu.)
    await chooseMore(b.page, 'Files');
    await b.page
      .getByTestId('transfer')
      .filter({ hasText: 'third.bin' })
      .and(b.page.locator('[data-state="offered"]'))
      .waitFor();
  } finally {
    await Promise.all([a.context.close(), b.context.close()]);
  }
});

test('a chat message shows a notice only while the chat is closed; Open chat opens it', async () => {
  const a = await newParticipant(fx.browser, fx.server.url);
  const b = await newParticipant(fx.browser, fx.server.url);
  try {
    await joinThroughUi(a.page, 'Alice', 'e2e-notices-chat');
    await joinThroughUi(b.page, 'Bob', 'e2e-notices-chat');
    await Promise.all([waitForRemoteVideos(a.page, 1, 30_000), waitForRemoteVideos(b.page, 1, 30_000)]);
    await openChat(a.page);
    await sendChat(
      a.page,
      'Are you there? This message is long enough to be cut in its notice: only its start is shown there, the rest in the chat.',
    );
    const chat = notice(b.page, /^Alice: Are you there\?/);
    await chat.waitFor({ timeout: 20_000 });
    assert.match((await chat.textContent()) ?? '', /…/, 'the start of the text');
    await chat.getByRole('button', { name: 'Open chat' }).click();
    await b.page.getByRole('textbox', { name: 'Message' }).waitFor();
    await waitForChat(b.page, 'Are you there?', 5_000).catch(() => undefined);
    assert.equal(await chat.count(), 0);

    // With the chat open, a message shows there and nowhere else.
    await sendChat(a.page, 'Second message');
    assert.equal(await waitForChat(b.page, 'Second message'), 1);
    await b.page.waitForTimeout(500);
    assert.equal(await b.page.getByTestId('notices').getByRole('group').count(), 0);
  } finally {
    await Promise.all([a.context.close(), b.context.close()]);
  }
});

test('the host gets a notice for someone waiting in the lobby; Admit lets them in', async () => {
  const a = await newParticipant(fx.browser, fx.server.url);
  const c = await newParticipant(fx.browser, fx.server.url);
  try {
    await joinThroughUi(a.page, 'Alice', 'e2e-notices-lobby');
    // The room-wide host controls are in the header of the People panel.
    await a.page.getByRole('button', { name: 'People', exact: true }).click();
    await a.page.getByRole('button', { name: 'Host controls' }).click();
    await a.page.getByRole('button', { name: 'Turn lobby on' }).click();
    await a.page.getByRole('button', { name: 'Turn lobby off' }).waitFor();
    await a.page.getByRole('button', { name: 'People', exact: true }).click(); // closed again

    await joinThroughUi(c.page, 'Carol', 'e2e-notices-lobby');
    await c.page.getByText('Waiting for the host to let you in…').waitFor({ timeout: 20_000 });
    const request = notice(a.page, /^Carol is waiting to join\.$/);
    await request.waitFor({ timeout: 20_000 });
    assert.deepEqual(await request.getByRole('button').allTextContents(), ['Admit', 'Deny', '×Dismiss']);
    await request.getByRole('button', { name: 'Admit' }).click();
    await waitForRemoteVideos(a.page, 1, 30_000);
    await waitForRemoteVideos(c.page, 1, 30_000);
    assert.equal(await request.count(), 0);
    // Carol is not the host: she gets no lobby notices.
    assert.equal(await c.page.getByTestId('notices').getByRole('group').count(), 0);
  } finally {
    await Promise.all([a.context.close(), c.context.close()]);
  }
});

test('Firefox: the file offer notice appears and its Accept streams a large file into the downloads', async () => {
  firefox = await launchFirefox({
    'browser.download.folderList': 2,
    'browser.download.dir': downloads,
    'browser.download.useDownloadDir': true,
    'browser.download.always_ask_before_handling_new_types': false,
    'browser.download.start_downloads_in_tmp_dir': false,
  });
  const a = await newParticipant(fx.browser, fx.server.url);
  const ada = playwrightParticipant(a.context, a.page);
  const context = await firefox.createBrowserContext();
  const fox = puppeteerParticipant(context, await context.newPage(), fx.server.url);
  try {
    await joinCall(ada, 'Ada', 'e2e-notices-firefox');
    await joinCall(fox, 'Fox', 'e2e-notices-firefox');
    await Promise.all([waitForDecodingFrom(ada, ['Fox']), waitForDecodingFrom(fox, ['Ada'])]);
    await openFiles(a.page);
    // 33 MiB: past the size that Firefox (no save picker) streams into its downloads.
    const big = randomFile('fox-notice.bin', 33 * 1024 * 1024);
    await a.page.getByLabel('File to send').setInputFiles(big.path);
    await waitUntil(
      fox,
      'the offer notice',
      () =>
        [...document.querySelectorAll('[data-testid="notices"] [role="group"]')].some((n) =>
          /^Ada wants to send you fox-notice\.bin \(33 MB\)\./.test(n.textContent ?? ''),
        ),
      undefined,
      20_000,
    );
    await fox.clickButton('Accept');
    await waitUntil(
      fox,
      'the arrival notice',
      () =>
        /fox-notice\.bin from Ada is saved\./.test(
          document.querySelector('[data-testid="notices"]')?.textContent ?? '',
        ),
      undefined,
      120_000,
    );
    const saved = join(downloads, 'fox-notice.bin');
    for (let i = 0; i < 100 && !(existsSync(saved) && readFileSync(saved).length === big.size); i++) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(existsSync(saved), `downloads: ${existsSync(downloads) ? readdirSync(downloads).join(', ') : '(none)'}`);
    assert.equal(createHash('sha256').update(readFileSync(saved)).digest('hex'), big.sha256);
  } finally {
    await Promise.allSettled([ada.close(), fox.close()]);
  }
});
