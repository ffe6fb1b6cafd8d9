import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { newParticipant } from './support/browser';
import { joinThroughUi } from './support/call';
import { openFiles } from './support/features';
import { useServerAndChromium } from './support/fixture';

// No fake camera or microphone: files need no media, and encoding video for three pages would
// only compete with the transfer for the CPU. The call still connects (data only).
const fx = useServerAndChromium({ withoutChromiumArgs: ['--use-fake-device-for-media-stream'] });
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-files-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function randomFile(name: string, bytes: number): { path: string; sha256: string } {
  const data = randomBytes(bytes);
  const path = join(dir, name);
  writeFileSync(path, data);
  return { path, sha256: createHash('sha256').update(data).digest('hex') };
}

/** Wait until `page` shows `count` remote participants, all connected. */
async function waitConnected(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const tiles = document.querySelectorAll('[data-testid="remote-tile"]');
      return tiles.length === n && [...tiles].every((t) => t.querySelector('.tile-status') === null);
    },
    count,
    { timeout: 30_000 },
  );
}

/** The transfer row for `name` on `page`. */
const row = (page: Page, name: string) => page.getByTestId('transfer').filter({ hasText: name });

/** Accept the offer of `name` and save the verified file; returns the saved file's SHA-256. */
async function acceptAndSave(page: Page, name: string): Promise<string> {
  const r = row(page, name);
  await r.getByRole('button', { name: 'Accept' }).click({ timeout: 20_000 });
  const save = r.getByRole('link', { name: `Save ${name}` });
  await save.waitFor({ timeout: 120_000 }).catch(async (err: unknown) => {
    throw new Error(`no Save link; transfers: ${await r.allTextContents()}`, { cause: err });
  });
  const [download] = await Promise.all([page.waitForEvent('download'), save.click()]);
  const path = join(dir, `${name}.${Math.random().toString(36).slice(2)}`);
  await download.saveAs(path);
  const shown = await save.getAttribute('data-sha256');
  const saved = createHash('sha256').update(readFileSync(path)).digest('hex');
  assert.equal(shown, saved, 'the page checked the same digest it saved');
  return saved;
}

test('files: 20 MB to the room arrives intact at both receivers; decline and cancel leave nothing', async () => {
  const a = await newParticipant(fx.browser, fx.server.url);
  const b = await newParticipant(fx.browser, fx.server.url);
  const c = await newParticipant(fx.browser, fx.server.url);
  await Promise.all([b.page.addInitScript(opfsSavePicker), c.page.addInitScript(opfsSavePicker)]);
  try {
    await joinThroughUi(a.page, 'Alice', 'e2e-files');
    await joinThroughUi(b.page, 'Bob', 'e2e-files');
    await Promise.all([waitConnected(a.page, 1), waitConnected(b.page, 1)]);
    await joinThroughUi(c.page, 'Carol', 'e2e-files');
    await Promise.all([a, b, c].map((p) => waitConnected(p.page, 2)));
    await Promise.all([a, b, c].map((p) => openFiles(p.page)));

    // 20 MB to everyone: each receiver sees name, size and sender, accepts, and gets the same bytes.
    const big = randomFile('random-20mb.bin', 20 * 1024 * 1024);
    const started = Date.now();
    await a.page.getByLabel('File to send').setInputFiles(big.path);
    await row(b.page, 'random-20mb.bin').filter({ hasText: '20 MB' }).filter({ hasText: 'from Alice' }).waitFor();
    const [atB, atC] = await Promise.all([
      acceptAndSave(b.page, 'random-20mb.bin'),
      acceptAndSave(c.page, 'random-20mb.bin'),
    ]);
    console.log(`20 MB to two receivers in parallel: ${((Date.now() - started) / 1000).toFixed(1)} s incl. accepting`);
    assert.equal(atB, big.sha256);
    assert.equal(atC, big.sha256);
    await a.page.locator('[data-testid="transfer"][data-state="done"]').nth(1).waitFor({ timeout: 20_000 });

    // Declining: the sender is told, the receiver keeps nothing.
    await a.page.getByLabel('Send to').selectOption({ label: 'Bob' });
    const small = randomFile('notes.txt', 10_000);
    await a.page.getByLabel('File to send').setInputFiles(small.path);
    await row(b.page, 'notes.txt').getByRole('button', { name: 'Decline' }).click({ timeout: 20_000 });
    await row(a.page, 'notes.txt').filter({ hasText: 'Bob declined.' }).waitFor({ timeout: 20_000 });
    assert.equal(await row(b.page, 'notes.txt').getByRole('link').count(), 0);
    assert.equal(await row(c.page, 'notes.txt').count(), 0, 'a file for Bob is not offered to Carol');

    // Cancelling mid-transfer (receiver side): both sides show it cancelled; nothing to save.
    const large = randomFile('large.bin', 200 * 1024 * 1024);
    await a.page.getByLabel('File to send').setInputFiles(large.path);
    await row(b.page, 'large.bin').getByRole('button', { name: 'Accept' }).click({ timeout: 20_000 });
    await b.page.waitForFunction(
      () => {
        const p = [...document.querySelectorAll('[data-testid="transfer"] progress')].at(-1) as HTMLProgressElement;
        return p !== undefined && p.value > 0;
      },
      undefined,
      { timeout: 30_000 },
    );
    await row(b.page, 'large.bin').getByRole('button', { name: 'Cancel' }).click();
    await row(b.page, 'large.bin').and(b.page.locator('[data-state="cancelled"]')).waitFor();
    await row(a.page, 'large.bin')
      .and(a.page.locator('[data-state="cancelled"]'))
      .filter({ hasText: 'Bob cancelled the transfer.' })
      .waitFor({ timeout: 20_000 });
    await b.page.waitForTimeout(500);
    assert.equal(await row(b.page, 'large.bin').getByRole('link').count(), 0, 'nothing offered for download');
    // It was going to the file Bob chose (200 MB is above the in-memory size): that file is gone.
    await b.page.waitForFunction(
      async () => {
        const dir = (await navigator.storage.getDirectory()) as unknown as { keys(): AsyncIterable<string> };
        for await (const name of dir.keys()) if (name.startsWith('large.bin')) return false;
        return true;
      },
      undefined,
      { timeout: 10_000 },
    );
  } finally {
    await Promise.all([a.context.close(), b.context.close(), c.context.close()]);
  }
});

/** The id of the remote participant named `name`, from `page`'s tiles. */
function remoteId(page: Page, name: string): Promise<string> {
  return page.evaluate(
    (n) =>
      [...document.querySelectorAll<HTMLElement>('[data-testid="remote-tile"]')].find(
        (t) => t.querySelector('.tile-name')?.textContent === n,
      )?.dataset.participantId ?? '',
    name,
  );
}

/**
 * A save-file picker for a headless page (where the real one, a native dialog, never answers):
 * the file goes to the origin-private file system, which the test reads back. A string, so
 * that the test runner's transform leaves it alone.
 */
const opfsSavePicker = {
  content: `window.showSaveFilePicker = async ({ suggestedName }) =>
    (await navigator.storage.getDirectory()).getFileHandle(suggestedName, { create: true });`,
};

test('files: received files are octet-stream and byte-identical (memory and disk); a flood of offers is capped', async () => {
  const mallory = await newParticipant(fx.browser, fx.server.url);
  const bob = await newParticipant(fx.browser, fx.server.url);
  await bob.page.addInitScript(opfsSavePicker);
  try {
    await joinThroughUi(mallory.page, 'Mallory', 'e2e-files-hostile');
    await joinThroughUi(bob.page, 'Bob', 'e2e-files-hostile');
    await Promise.all([waitConnected(mallory.page, 1), waitConnected(bob.page, 1)]);
    const bobId = await remoteId(mallory.page, 'Bob');
    await openFiles(mallory.page);

    // A page claiming to be HTML: Bob's copy is application/octet-stream, byte for byte the same.
    const html = randomBytes(1024 * 1024);
    const htmlSha = createHash('sha256').update(html).digest('hex');
    await mallory.page.evaluate(
      ({ bytes, to }) => {
        const files = (window as unknown as { __parleyFiles: { send(f: File, to: string): string | null } })
          .__parleyFiles;
        files.send(new File([new Uint8Array(bytes)], 'invoice.html', { type: 'text/html' }), to);
      },
      { bytes: [...html], to: bobId },
    );
    // Bob's Files panel is closed: the offer shows as a count on the Files button and as a
    // notice naming the sender and the file (with its own Accept and Decline, e2e/notices).
    await bob.page
      .getByRole('button', { name: /^Files/ })
      .getByLabel('1 waiting for you')
      .waitFor({ timeout: 20_000 });
    const notice = bob.page.getByRole('group', { name: /wants to send you invoice\.html \(/ });
    await notice.waitFor();
    await openFiles(bob.page);
    assert.equal(await acceptAndSave(bob.page, 'invoice.html'), htmlSha);
    assert.equal(await notice.count(), 0, 'answered in the panel, the notice is moot');
    const stored = await bob.page.evaluate(async () => {
      const a = document.querySelector<HTMLAnchorElement>('a[download="invoice.html"]');
      const blob = await (await fetch(a?.href ?? '')).blob();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
      return { type: blob.type, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
    });
    assert.deepEqual(stored, { type: 'application/octet-stream', sha256: htmlSha });

    // A large file goes to the file Bob chose as it arrives (not into the page's memory).
    const big = randomFile('big-to-disk.bin', 40 * 1024 * 1024);
    await mallory.page.getByLabel('File to send').setInputFiles(big.path);
    const bigRow = row(bob.page, 'big-to-disk.bin');
    await bigRow.filter({ hasText: 'asks where to save it' }).waitFor({ timeout: 20_000 });
    await bigRow.getByRole('button', { name: 'Accept' }).click();
    await bigRow.and(bob.page.locator('[data-state="done"]')).waitFor({ timeout: 120_000 });
    assert.match((await bigRow.textContent()) ?? '', /Saved as big-to-disk\.bin; SHA-256 checked\./);
    assert.equal(await bigRow.getByRole('link').count(), 0, 'no in-memory copy offered');
    const onDisk = await bob.page.evaluate(async () => {
      const dir = await navigator.storage.getDirectory();
      const file = await (await dir.getFileHandle('big-to-disk.bin')).getFile();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
      return { size: file.size, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
    });
    assert.deepEqual(onDisk, { size: 40 * 1024 * 1024, sha256: big.sha256 });

    // A flood: Mallory offers Bob 500 files at once. Bob's page keeps answering (the longest
    // gap of a 10 ms timer is printed), shows at most 8 offers and one notice; Mallory's
    // extra offers are declined with a reason she sees.
    await bob.page.getByRole('button', { name: /^Files/ }).click(); // close the panel
    await bob.page.evaluate(() => {
      const w = window as unknown as { __gap: { max: number; tick: number; timer: number } };
      const g = (w.__gap = { max: 0, tick: performance.now(), timer: 0 });
      g.timer = window.setInterval(() => {
        const now = performance.now();
        g.max = Math.max(g.max, now - g.tick);
        g.tick = now;
      }, 10);
    });
    const floodAt = Date.now();
    await mallory.page.evaluate((to) => {
      const files = (window as unknown as { __parleyFiles: { send(f: File, to: string): string | null } })
        .__parleyFiles;
      for (let i = 0; i < 500; i++) files.send(new File(['spam'], `spam-${i}.txt`, { type: 'text/plain' }), to);
    }, bobId);
    await mallory.page.waitForFunction(
      () =>
        (
          window as unknown as { __parleyFiles: { transfers: Array<{ state: string; note?: string }> } }
        ).__parleyFiles.transfers.filter((t) => t.state === 'declined' && /too many offers/.test(t.note ?? ''))
          .length === 492,
      undefined,
      { timeout: 30_000 },
    );
    const settledMs = Date.now() - floodAt;
    const probe = Date.now();
    const gap = await bob.page.evaluate(() => {
      const g = (window as unknown as { __gap: { max: number; timer: number } }).__gap;
      clearInterval(g.timer);
      return g.max;
    });
    console.log(
      `500 offers from one peer: all answered in ${settledMs} ms; receiver's longest stall ${gap.toFixed(0)} ms, ` +
        `evaluate round trip ${Date.now() - probe} ms`,
    );
    await bob.page
      .getByRole('button', { name: /^Files/ })
      .getByLabel('8 waiting for you')
      .waitFor();
    await openFiles(bob.page);
    assert.equal(await bob.page.locator('[data-testid="transfer"][data-state="offered"]').count(), 8);
    await bob.page
      .getByTestId('offer-notice')
      .filter({ hasText: 'Declined automatically from Mallory: 492 offers beyond 8 waiting at once' })
      .waitFor();
    assert.equal(await bob.page.getByTestId('offer-notice').count(), 1);
  } finally {
    await Promise.all([mallory.context.close(), bob.context.close()]);
  }
});

test('files: without a save picker, a large file streams into the downloads through the service worker', async () => {
  const ann = await newParticipant(fx.browser, fx.server.url);
  const fox = await newParticipant(fx.browser, fx.server.url);
  // As in Firefox and Safari: no showSaveFilePicker.
  await fox.page.addInitScript(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined }));
  try {
    await joinThroughUi(ann.page, 'Ann', 'e2e-files-download');
    await joinThroughUi(fox.page, 'Fox', 'e2e-files-download');
    await Promise.all([waitConnected(ann.page, 1), waitConnected(fox.page, 1)]);
    await Promise.all([openFiles(ann.page), openFiles(fox.page)]);
    const big = randomFile('streamed.bin', 40 * 1024 * 1024);
    await ann.page.getByLabel('File to send').setInputFiles(big.path);
    const r = row(fox.page, 'streamed.bin');
    await r.filter({ hasText: 'saves it to your downloads as it arrives' }).waitFor({ timeout: 20_000 });
    const [download] = await Promise.all([
      fox.page.waitForEvent('download', { timeout: 30_000 }),
      r.getByRole('button', { name: 'Accept' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'streamed.bin');
    await r.and(fox.page.locator('[data-state="done"]')).waitFor({ timeout: 120_000 });
    assert.match((await r.textContent()) ?? '', /Saved to your downloads as streamed\.bin; SHA-256 checked\./);
    const path = join(dir, 'streamed.saved');
    await download.saveAs(path);
    assert.equal(createHash('sha256').update(readFileSync(path)).digest('hex'), big.sha256);
  } finally {
    await Promise.all([ann.context.close(), fox.context.close()]);
  }
});
