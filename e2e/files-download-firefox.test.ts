import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser as PlaywrightBrowser } from 'playwright-core';
import type { Browser as PuppeteerBrowser } from 'puppeteer-core';
import { launchChromium, newParticipant } from './support/browser';
import { launchFirefox } from './support/firefox';
import { playwrightParticipant, puppeteerParticipant, type Participant } from './support/participant';
import { joinCall, waitForDecodingFrom, waitUntil } from './support/participantCall';
import { startServer, type RunningServer } from './support/server';
import { FULL_SUITE, longVariant } from './support/tier';

let server: RunningServer;
let chromium: PlaywrightBrowser;
let firefox: PuppeteerBrowser;
let dir: string;
let downloads: string;

before(async () => {
  if (!FULL_SUITE) return; // its one test is a long variant
  dir = mkdtempSync(join(tmpdir(), 'parley-dl-'));
  downloads = join(dir, 'downloads');
  server = await startServer();
  [chromium, firefox] = await Promise.all([
    launchChromium(),
    // Save downloads to our folder without asking, as a person who chose "always save" would.
    launchFirefox({
      'browser.download.folderList': 2,
      'browser.download.dir': downloads,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.download.start_downloads_in_tmp_dir': false,
    }),
  ]);
});

after(async () => {
  await Promise.allSettled([chromium?.close(), firefox?.close()]);
  await server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(
  'Firefox (no save picker): a 40 MB file streams into the downloads and arrives byte-identical',
  longVariant(),
  async () => {
    const a = await newParticipant(chromium, server.url);
    const ada: Participant = playwrightParticipant(a.context, a.page);
    const context = await firefox.createBrowserContext();
    const fox = puppeteerParticipant(context, await context.newPage(), server.url);
    try {
      await joinCall(ada, 'Ada', 'dl-firefox');
      await joinCall(fox, 'Fox', 'dl-firefox');
      await Promise.all([waitForDecodingFrom(ada, ['Fox']), waitForDecodingFrom(fox, ['Ada'])]);
      await ada.clickButton('Files');
      await fox.clickButton('Files');
      const bytes = randomBytes(40 * 1024 * 1024);
      const path = join(dir, 'firefox-stream.bin');
      writeFileSync(path, bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await ada.setInputFiles('input[aria-label="File to send"]', [path]);
      await waitUntil(
        fox,
        'the offer, saying it goes to the downloads',
        () => /saves it to your downloads/.test(document.querySelector('[data-testid="transfer"]')?.textContent ?? ''),
        undefined,
        20_000,
      );
      await fox.clickButton('Accept');
      await waitUntil(
        fox,
        'the transfer done',
        () => document.querySelector('[data-testid="transfer"]')?.getAttribute('data-state') === 'done',
        undefined,
        120_000,
      );
      const note = await fox.evaluate(() => document.querySelector('[data-testid="transfer"]')?.textContent ?? '');
      assert.match(note, /Saved to your downloads as firefox-stream\.bin; SHA-256 checked\./);
      // Firefox renames the finished download from its .part name.
      const saved = join(downloads, 'firefox-stream.bin');
      for (let i = 0; i < 100 && !(existsSync(saved) && readFileSync(saved).length === bytes.length); i++) {
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(
        existsSync(saved),
        `downloads: ${existsSync(downloads) ? readdirSync(downloads).join(', ') : '(none)'}`,
      );
      assert.equal(createHash('sha256').update(readFileSync(saved)).digest('hex'), sha256);
    } finally {
      await Promise.allSettled([ada.close(), fox.close()]);
    }
  },
);
