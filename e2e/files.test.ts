import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, newParticipant } from './support/browser';
import { joinThroughUi } from './support/call';
import { openFiles } from './support/features';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
let browser: Browser;
let dir: string;

before(async () => {
  server = await startServer();
  // No fake camera or microphone: files need no media, and encoding video for three pages would
  // only compete with the transfer for the CPU. The call still connects (data only).
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS.filter((a) => a !== '--use-fake-device-for-media-stream'),
  });
  dir = mkdtempSync(join(tmpdir(), 'parley-files-'));
});

after(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
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
  const a = await newParticipant(browser, server.url);
  const b = await newParticipant(browser, server.url);
  const c = await newParticipant(browser, server.url);
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
  } finally {
    await Promise.all([a.context.close(), b.context.close(), c.context.close()]);
  }
});
