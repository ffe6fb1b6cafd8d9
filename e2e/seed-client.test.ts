import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { newParticipant } from './support/browser';
import { useServerAndChromium } from './support/fixture';

const require = createRequire(import.meta.url);
// The browser build that the seed's web page loaded (resolved beside the package's entry point).
const socketIoClientBundle = readFileSync(
  join(dirname(require.resolve('socket.io-client')), '..', '..', 'dist', 'socket.io.min.js'),
  'utf8',
);
const seedClientScript = readFileSync(new URL('./fixtures/seed-client.js', import.meta.url), 'utf8');
const seedPage =
  '<!doctype html><title>seed client</title><video id="local" autoplay muted playsinline></video><video id="remote" autoplay playsinline></video><script src="/socket.io.min.js"></script><script src="/client.js"></script>';

const fx = useServerAndChromium();
let seedApp: Server;
/** Origin of the seed's own web app: another port, as the seed's development server is. */
let seedOrigin: string;

before(async () => {
  // The seed's React app is served by its own development server, not by the signaling server.
  seedApp = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const [type, body] =
      path === '/socket.io.min.js'
        ? ['text/javascript', socketIoClientBundle]
        : path === '/client.js'
          ? ['text/javascript', seedClientScript]
          : ['text/html', seedPage];
    res.writeHead(200, { 'content-type': type });
    res.end(body);
  });
  await new Promise<void>((resolve) => seedApp.listen(0, '127.0.0.1', resolve));
  seedOrigin = `http://127.0.0.1:${(seedApp.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((resolve) => seedApp?.close(resolve));
});

/**
 * A minimal client written for the original Flask-SocketIO server: it speaks only `join`,
 * `ready` and `data`, with the original payloads, and knows nothing of Parley's protocol. Its
 * page comes from the seed's own server (another origin); it connects to Parley's.
 */
async function openSeedClient(page: Page, username: string, room: string): Promise<void> {
  await page.goto(`${seedOrigin}/index.html`);
  await page.evaluate(
    ([u, r, s]) =>
      (window as unknown as { startSeedClient(u: string, r: string, s: string): Promise<void> }).startSeedClient(
        u,
        r,
        s,
      ),
    [username, room, fx.server.url] as const,
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

test("two clients written for the seed server, served from the seed app's own origin, get a call through Parley with its defaults", async () => {
  const a = await newParticipant(fx.browser, seedOrigin);
  const b = await newParticipant(fx.browser, seedOrigin);
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

test("a page on another origin is refused Parley's own namespace with a reason it can read, and the log warns once", async () => {
  const { context, page } = await newParticipant(fx.browser, seedOrigin);
  try {
    await page.goto(`${seedOrigin}/index.html`);
    const attempt = (transports: string[]): Promise<string> =>
      page.evaluate(
        ([url, t]) =>
          new Promise<string>((resolve) => {
            const io = (window as unknown as { io: (u: string, o: object) => Socket }).io;
            const s = io(`${url}/parley`, { transports: t, reconnection: false });
            s.on('connect', () => resolve('connected'));
            s.on('connect_error', (err: Error) => {
              s.close();
              resolve(err.message);
            });
          }),
        [fx.server.url, transports] as const,
      );
    for (const transports of [['polling', 'websocket'], ['websocket'], ['polling']]) {
      const message = await attempt(transports);
      assert.match(message, new RegExp(`origin ${seedOrigin} may not open /parley.*ALLOWED_ORIGINS`), message);
    }
    const warnings = fx.server.output
      .join('')
      .split('\n')
      .filter((l) => l.includes('refused signaling connections from origin'));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /ALLOWED_ORIGINS/);
  } finally {
    await context.close();
  }
});
