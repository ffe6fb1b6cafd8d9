import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { useServerAndChromium } from './support/fixture';
import type { Participant } from './support/participant';
import { joinCall, waitForDecodingFrom, waitForTexts, waitUntil } from './support/participantCall';

// Wide enough that the side panel (chat, files) leaves the call controls uncovered.
const fx = useServerAndChromium({ chromium: false, pool: { viewport: { width: 1280, height: 720 } } });
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-xb-'));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function room(name: string, people: Array<[string, Participant]>): Promise<void> {
  for (const [who, p] of people) await joinCall(p, who, name);
  const names = people.map(([who]) => who);
  await Promise.all(
    people.map(([who, p]) =>
      waitForDecodingFrom(
        p,
        names.filter((n) => n !== who),
      ),
    ),
  );
}

test('two Chromium and one Firefox: chat reaches all three; a file from Chromium arrives byte-identical in Firefox', async () => {
  const [ada, fox, cy] = await Promise.all([
    fx.pool.participant('chromium'),
    fx.pool.participant('firefox'),
    fx.pool.participant('chromium'),
  ]);
  try {
    await room('xb-features', [
      ['Ada', ada],
      ['Fox', fox],
      ['Cy', cy],
    ]);

    // Chat: one message from a Chromium page and one from the Firefox page reach all three.
    for (const p of [ada, fox, cy]) await p.clickButton('Chat');
    await ada.fillByLabel('Message', 'Hello from Chromium');
    await ada.clickButton('Send');
    await fox.fillByLabel('Message', 'Hallo aus Firefox, grüß dich');
    await fox.clickButton('Send');
    await Promise.all(
      [ada, fox, cy].map((p) =>
        waitForTexts(p, '[data-testid="chat-messages"]', ['Hello from Chromium', 'Hallo aus Firefox, grüß dich']),
      ),
    );

    // A file (3 MiB of random bytes) from Ada, to Fox only, over the peer-to-peer data channel.
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const path = join(dir, 'random.bin');
    writeFileSync(path, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await ada.clickButton('Files');
    await fox.clickButton('Files');
    const foxId = await ada.evaluate(
      () =>
        [...document.querySelectorAll<HTMLElement>('[data-testid="remote-tile"]')].find(
          (t) => t.querySelector('.tile-name')?.textContent === 'Fox',
        )?.dataset.participantId ?? '',
    );
    await ada.evaluate((id) => {
      const select = document.querySelector<HTMLSelectElement>('.files select');
      if (!select) throw new Error('no recipient choice');
      const setValue = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')?.set;
      setValue?.call(select, id);
      select.dispatchEvent(new Event('change', { bubbles: true }));
    }, foxId);
    const sentAt = Date.now();
    await ada.setInputFiles('input[type="file"]', [path]);
    await fox.waitForSelector('[data-testid="transfer"][data-state="offered"]');
    await fox.clickButton('Accept');
    await fox.waitForSelector('[data-testid="transfer"][data-state="done"] a[download]', { timeoutMs: 30_000 });
    const received = await waitUntil(
      fox,
      'the received file to be readable',
      async () => {
        const a = document.querySelector<HTMLAnchorElement>('[data-testid="transfer"][data-state="done"] a[download]');
        if (!a) return null;
        const data = await (await fetch(a.href)).arrayBuffer();
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
        return {
          name: a.download,
          size: data.byteLength,
          sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''),
        };
      },
      undefined,
    );
    console.log(`file Chromium -> Firefox: ${bytes.length} bytes, offer to saved in ${Date.now() - sentAt} ms`);
    assert.deepEqual(received, { name: 'random.bin', size: bytes.length, sha256 });
  } finally {
    await Promise.allSettled([ada, fox, cy].map((p) => p.close()));
  }
});

test('Chromium shares its screen and the Firefox participant decodes it', async () => {
  const [sharer, watcher] = await Promise.all([fx.pool.participant('chromium'), fx.pool.participant('firefox')]);
  try {
    await room('xb-screen', [
      ['Sharer', sharer],
      ['Watcher', watcher],
    ]);
    // Headless Firefox has no screen to share: the person is told, and the call goes on.
    await watcher.clickButton('Share screen');
    await waitForTexts(watcher, '.controls [role="alert"]', ['The screen could not be shared.']);
    assert.equal(await watcher.evaluate(() => document.querySelectorAll('[data-testid="screen-tile"]').length), 0);

    await sharer.clickButton('Share screen');
    await sharer.waitForSelector('[data-testid="screen-tile"]');
    // Chromium's fake screen is 1280x720: bigger than any camera here, so it is the screen.
    const seen = await waitUntil(
      watcher,
      'a decoding remote screen tile',
      () => {
        const v = document.querySelector<HTMLVideoElement>('[data-testid="screen-tile"] video');
        if (!v || v.videoWidth === 0) return null;
        const painted = 'mozPaintedFrames' in v ? Number(v.mozPaintedFrames) : 0;
        const frames = Math.max(v.getVideoPlaybackQuality().totalVideoFrames, painted);
        return frames > 1 ? { width: v.videoWidth, height: v.videoHeight, frames } : null;
      },
      undefined,
      20_000,
    );
    assert.ok(seen.width >= 1280 && seen.height >= 720, `Firefox shows the 1280x720 screen: ${JSON.stringify(seen)}`);
    const label = await watcher.evaluate(
      () => document.querySelector('[data-testid="screen-tile"] .tile-name')?.textContent ?? '',
    );
    assert.equal(label, "Sharer's screen");

    // Stopping the share removes the stage at the watcher.
    await sharer.clickButton('Stop sharing');
    await watcher.waitForSelector('[data-testid="screen-tile"]', { state: 'detached', timeoutMs: 10_000 });
  } finally {
    await Promise.allSettled([sharer, watcher].map((p) => p.close()));
  }
});
