import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { newParticipant } from './support/browser';
import { useServerAndChromium } from './support/fixture';
import { playwrightParticipant } from './support/participant';
import { joinCall } from './support/participantCall';
import { ROOT, startServer, type RunningServer } from './support/server';

/**
 * Another site (another port on 127.0.0.1, so another origin) that embeds calls with
 * @parley/embed: it serves the package's example page and its built dist/, nothing else.
 */
async function startHostSite(): Promise<{ url: string; server: Server }> {
  const files: Record<string, [string, string]> = {
    '/example/': ['example/index.html', 'text/html; charset=utf-8'],
    '/dist/index.js': ['dist/index.js', 'text/javascript'],
    '/dist/messages.js': ['dist/messages.js', 'text/javascript'],
  };
  const server = createServer((req, res) => {
    const file = files[(req.url ?? '').split('?')[0] ?? ''];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(ROOT, 'embed', file[0])).then(
      (body) => res.writeHead(200, { 'content-type': file[1] }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

interface HostEvent {
  type: string;
  reason?: string;
  muted?: boolean;
  self?: { id: string; name: string };
  message?: { from: { name: string }; text: string };
}

/** Wait until the host page heard an event that `match` accepts; returns it. */
async function heard(page: Page, what: string, match: (e: HostEvent) => boolean, timeout = 15_000): Promise<HostEvent> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const events = await page.evaluate(() => (window as unknown as { parleyEvents?: HostEvent[] }).parleyEvents ?? []);
    const found = events.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`the host page never heard ${what}; it heard ${JSON.stringify(events)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The server that refuses to be framed (its defaults); `allowing` names the host site. */
const fx = useServerAndChromium();
let host: { url: string; server: Server };
let allowing: RunningServer;

before(async () => {
  host = await startHostSite();
  allowing = await startServer({ env: { FRAME_ANCESTORS: host.url } });
});

after(async () => {
  await allowing?.kill('SIGTERM');
  host?.server.close();
});

const examplePage = (server: RunningServer, room: string, name: string): string =>
  `${host.url}/example/?server=${encodeURIComponent(server.url)}&room=${room}&name=${name}`;

test('a site that FRAME_ANCESTORS does not name cannot frame a call: the browser refuses the frame and the page hears why', async () => {
  const { context, page } = await newParticipant(fx.browser, host.url);
  try {
    const callResponse = page.waitForResponse((r) => r.url().startsWith(`${fx.server.url}/call/`));
    await page.goto(examplePage(fx.server, 'embed-refused', 'Ada'));
    const csp = (await (await callResponse).allHeaders())['content-security-policy'] ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    const error = await heard(page, 'an error', (e) => e.type === 'error');
    assert.equal(error.reason, 'not-allowed');
    // The frame holds the browser's error page, not the call: nothing in it speaks to the host.
    await page.waitForTimeout(1_000);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(frame, 'the frame is in the page');
    assert.ok(!frame.url().startsWith(fx.server.url), `the frame shows ${frame.url()}`);
    const types = await page.evaluate(() =>
      ((window as unknown as { parleyEvents: HostEvent[] }).parleyEvents ?? []).map((e) => e.type),
    );
    assert.deepEqual(types, ['error']);
  } finally {
    await context.close();
  }
});

test('once FRAME_ANCESTORS names the site, the call works in its frame and the page hears join, chat, mute and leave', async () => {
  const { context, page } = await newParticipant(fx.browser, host.url);
  const bob = await newParticipant(fx.browser, allowing.url);
  try {
    await page.goto(examplePage(allowing, 'embed-ok', 'Ada'));
    await heard(page, 'ready', (e) => e.type === 'ready');
    const frame = page.frameLocator('iframe');
    await frame.getByRole('heading', { name: /Ready to join/ }).waitFor({ timeout: 15_000 });
    // The person clicks Join in the frame, once the camera preview is ready.
    await frame.getByRole('button', { name: 'Join', exact: true }).click({ timeout: 15_000 });
    const joined = await heard(page, 'join', (e) => e.type === 'join');
    assert.equal(joined.self?.name, 'Ada');

    // A second participant, in a plain tab, says something.
    const bobs = playwrightParticipant(bob.context, bob.page);
    await joinCall(bobs, 'Bob', 'embed-ok');
    await bob.page.waitForFunction(() => document.querySelectorAll('[data-testid="remote-tile"]').length === 1);
    await bob.page.evaluate(() =>
      (window as unknown as { __parleyChat: { send(text: string): unknown } }).__parleyChat.send('hello from Bob'),
    );
    const chat = await heard(page, 'a chat message', (e) => e.type === 'chat');
    assert.equal(chat.message?.text, 'hello from Bob');
    assert.equal(chat.message?.from.name, 'Bob');

    // Commands from the page: mute (Bob sees it), then leave.
    await page.evaluate(() => (window as unknown as { parleyCall: { mute(): void } }).parleyCall.mute());
    await heard(page, 'muted', (e) => e.type === 'audio' && e.muted === true);
    await page.evaluate(() => (window as unknown as { parleyCall: { leave(): void } }).parleyCall.leave());
    const left = await heard(page, 'leave', (e) => e.type === 'leave');
    assert.equal(left.reason, 'left');
    await bob.page.waitForFunction(() => document.querySelectorAll('[data-testid="remote-tile"]').length === 0);
  } finally {
    await Promise.allSettled([context.close(), bob.context.close()]);
  }
});
