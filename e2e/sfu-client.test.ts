import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';

/*
 * The forwarding unit's client transport (web/src/media/transport/sfu/SfuTransport.ts) in real
 * Chromium, against a stand-in forwarding unit inside the page (fixtures/sfuLoopback.ts) that
 * sends the page's own published tracks back as another participant's. No Parley server is
 * involved: this checks the transport's use of the browser's WebRTC (offers, mids and roles,
 * simulcast, rollbacks, stopping transceivers, statistics, rebuilding), which the unit tests can
 * only fake.
 */

type Status = {
  remote: { state: string; tracksVersion: number; kinds: string[] } | null;
  stats: { videoIn: { framesDecoded: number }; audioIn: { packetsReceived: number } } | null;
  screen: { live: boolean; ended: boolean; frames: number };
  events: string[];
  publishOffers: Array<{ roles: string[]; simulcast: boolean; rids: string[] }>;
  audioPublished: number;
  subscribeOffers: Array<Array<{ mid: string; track: string }>>;
  views: Array<{ views: Array<{ track: string; width: number; height: number }> }>;
};

let browser: Browser;
let http: Server;
let page: Page;

before(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./fixtures/sfuLoopback.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    write: false,
    target: 'es2022',
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  http = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><meta charset="utf-8"><title>sfu loopback</title><script>${script}</script>`);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium();
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  page = await context.newPage();
  page.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`));
  await page.goto(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => http?.close(resolve));
});

const status = (): Promise<Status> =>
  page.evaluate(() => (window as unknown as { sfuLoopback: { status(): Promise<Status> } }).sfuLoopback.status());

const call = (method: string, ...args: unknown[]): Promise<unknown> =>
  page.evaluate(
    ([m, a]) => {
      const api = (window as unknown as { sfuLoopback: Record<string, (...x: unknown[]) => unknown> }).sfuLoopback;
      return api[m as string]?.(...(a as unknown[]));
    },
    [method, args] as const,
  );

async function until(what: string, check: (s: Status) => boolean, timeoutMs = 15_000): Promise<Status> {
  const end = Date.now() + timeoutMs;
  let last: Status | null = null;
  while (Date.now() < end) {
    last = await status();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}: not within ${timeoutMs} ms; last status ${JSON.stringify(last)}`);
}

test('SfuTransport in Chromium: publishes in three layers, receives what the forwarding unit sends, maps it by mid', async () => {
  await call('start');
  const s = await until(
    'camera and microphone received, video decoding, sound arriving',
    (x) =>
      x.remote?.state === 'connected' &&
      (x.stats?.videoIn.framesDecoded ?? 0) > 0 &&
      (x.stats?.audioIn.packetsReceived ?? 0) > 0 &&
      x.audioPublished > 0,
  );
  assert.deepEqual(s.remote?.kinds, ['audio', 'video']);
  assert.deepEqual(s.publishOffers[0]?.roles, ['microphone', 'camera']);
  assert.equal(s.publishOffers[0]?.simulcast, true, 'the camera is offered in simulcast');
  assert.deepEqual(s.publishOffers[0]?.rids, ['q', 'h', 'f']);
  const sub = s.subscribeOffers.at(-1) ?? [];
  assert.deepEqual(
    sub.map((t) => t.track),
    ['x:0', 'x:1'],
  );
  assert.ok(s.events.includes('added x'));
  assert.deepEqual(
    s.events.filter((e) => e.startsWith('warn')),
    [],
  );

  await call('setView', 320, 240);
  const v = await until('the tile size is reported', (x) => x.views.length > 0, 2_000);
  assert.deepEqual(v.views.at(-1), { views: [{ track: 'x:1', width: 320, height: 240 }] });
});

test('a shared screen arrives as a screen track and ends when unpublished', async () => {
  await call('shareScreen');
  const s = await until('the screen arrives and decodes', (x) => x.screen.live && x.screen.frames > 0);
  assert.deepEqual(s.publishOffers.at(-1)?.roles, ['microphone', 'camera', 'screen']);
  assert.ok(s.events.includes('track x screen'));
  await call('stopScreen');
  const e = await until('the screen ends', (x) => x.screen.ended);
  assert.deepEqual(e.publishOffers.at(-1)?.roles, ['microphone', 'camera']);
  assert.equal(e.remote?.state, 'connected', 'camera and microphone go on');
});

test('a lost subscribe connection is rebuilt and media flows again', async () => {
  const before = await status();
  await call('loseTransport');
  const s = await until(
    'connected again on a new connection',
    (x) =>
      x.subscribeOffers.length > before.subscribeOffers.length &&
      x.remote?.state === 'connected' &&
      (x.stats?.videoIn.framesDecoded ?? 0) > 0,
  );
  assert.deepEqual(s.remote?.kinds, ['audio', 'video']);
  assert.ok((s.remote?.tracksVersion ?? 0) > (before.remote?.tracksVersion ?? 0), 'views re-attach');
  await call('close');
  const c = await status();
  assert.ok(c.events.includes('removed x'));
});

test('files: a data path opened on demand between two browsers carries the control channel, with no media line', async () => {
  const r = (await call('dataPath')) as { alice: string[]; bob: string[]; offerHasMedia: boolean | null };
  assert.equal(r.offerHasMedia, false, 'the data-only offer has no audio or video section');
  assert.deepEqual(r.alice.slice(0, 2), ['channel parley-control', 'open']);
  assert.deepEqual(r.bob.slice(0, 2), ['channel parley-control', 'open']);
  assert.ok(r.alice.includes('got hello from bob'), JSON.stringify(r));
  assert.ok(r.bob.includes('got hello from alice'), JSON.stringify(r));
  assert.deepEqual(
    [...r.alice, ...r.bob].filter((e) => e.startsWith('warn')),
    [],
  );
});
