import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newParticipant } from './support/browser';
import { startServer, type RunningServer } from './support/server';

const require = createRequire(import.meta.url);
// The browser build that the seed's web page loaded (resolved beside the package's entry point).
const socketIoClientBundle = readFileSync(
  join(dirname(require.resolve('socket.io-client')), '..', '..', 'dist', 'socket.io.min.js'),
  'utf8',
);

let server: RunningServer;
let browser: Browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
});

/**
 * A minimal client written for the original Flask-SocketIO server: it speaks only `join`,
 * `ready` and `data`, with the original payloads, and knows nothing of Parley's protocol.
 */
async function openSeedClient(page: Page, username: string, room: string): Promise<void> {
  // The seed's own page, served on the server's origin as the original server served it (with
  // script files, not inline script: Parley's pages forbid inline script by their CSP).
  await page.route('**/seed-client/**', (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path.endsWith('/socket.io.min.js')) {
      return route.fulfill({ contentType: 'text/javascript', body: socketIoClientBundle });
    }
    if (path.endsWith('/client.js')) {
      return route.fulfill({
        contentType: 'text/javascript',
        path: fileURLToPath(new URL('./fixtures/seed-client.js', import.meta.url)),
      });
    }
    return route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><title>seed client</title><video id="local" autoplay muted playsinline></video><video id="remote" autoplay playsinline></video><script src="/seed-client/socket.io.min.js"></script><script src="/seed-client/client.js"></script>',
    });
  });
  await page.goto('/seed-client/index.html');
  await page.evaluate(
    ([u, r]) => (window as unknown as { startSeedClient(u: string, r: string): Promise<void> }).startSeedClient(u, r),
    [username, room] as const,
  );
}

async function remoteDecoding(page: Page): Promise<{ width: number; frames: number }> {
  const deadline = Date.now() + 20_000;
  let last = { width: 0, frames: 0 };
  while (Date.now() < deadline) {
    last = await page.evaluate(() => {
      const v = document.getElementById('remote') as HTMLVideoElement;
      return { width: v.videoWidth, frames: v.getVideoPlaybackQuality().totalVideoFrames };
    });
    if (last.width > 0 && last.frames > 0) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`remote video never decoded: ${JSON.stringify(last)}`);
}

test('two clients written for the seed server get a call through Parley', async () => {
  const a = await newParticipant(browser, server.url);
  const b = await newParticipant(browser, server.url);
  try {
    await openSeedClient(a.page, 'alice', 'seed-room');
    await a.page.waitForTimeout(300);
    await openSeedClient(b.page, 'bob', 'seed-room');
    const [va, vb] = await Promise.all([remoteDecoding(a.page), remoteDecoding(b.page)]);
    assert.ok(va.width > 0 && vb.width > 0);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
