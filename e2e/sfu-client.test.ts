import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser';
import {
  loopbackDriver,
  receiving,
  serveSfuLoopback,
  type DataPathResult,
  type LoopbackStatus,
} from './support/sfuLoopback';

/*
 * The forwarding unit's client transport (web/src/media/transport/sfu/SfuTransport.ts) in real
 * Chromium, against a stand-in forwarding unit inside the page (fixtures/sfuLoopback.ts) that
 * sends the page's own published tracks back as another participant's. No Parley server is
 * involved: this checks the transport's use of the browser's WebRTC (offers, mids and roles,
 * simulcast, rollbacks, stopping transceivers, statistics, rebuilding, data paths), which the
 * unit tests can only fake.
 */

let browser: Browser;
let site: Awaited<ReturnType<typeof serveSfuLoopback>>;
let page: ReturnType<typeof loopbackDriver>;

before(async () => {
  site = await serveSfuLoopback();
  browser = await launchChromium();
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const p = await context.newPage();
  p.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`));
  await p.goto(site.url);
  // Playwright sends one argument: the call is unpacked in the page.
  page = loopbackDriver((method, args) =>
    p.evaluate(
      ([m, a]) => {
        const api = (window as unknown as { sfuLoopback: Record<string, (...x: unknown[]) => unknown> }).sfuLoopback;
        return api[m]?.(...a);
      },
      [method, args] as const,
    ),
  );
});

after(async () => {
  await browser?.close();
  await site?.close();
});

test('SfuTransport in Chromium: publishes in three layers, receives what the forwarding unit sends, maps it by mid', async () => {
  await page.call('start');
  const s = await page.until('camera and microphone received, video decoding, sound arriving', receiving);
  assert.deepEqual(s.remote?.kinds, ['audio', 'video']);
  assert.deepEqual(s.publishOffers[0]?.roles, ['microphone', 'camera']);
  assert.equal(s.publishOffers[0]?.simulcast, true, 'the camera is offered in simulcast');
  assert.deepEqual(s.publishOffers[0]?.rids, ['q', 'h', 'f']);
  assert.deepEqual(
    (s.subscribeOffers.at(-1) ?? []).map((t) => t.track),
    ['x:0', 'x:1'],
  );
  assert.equal(s.stats?.path?.remote?.address, '127.0.0.1', 'the statistics name the connection to the unit');
  assert.ok(s.events.includes('added x'));
  assert.deepEqual(
    s.events.filter((e) => e.startsWith('warn')),
    [],
  );

  await page.call('setView', 320, 240);
  const v = await page.until('the tile size is reported', (x) => x.views.length > 0, 2_000);
  assert.deepEqual(v.views.at(-1), { views: [{ track: 'x:1', width: 320, height: 240 }] });
});

test('a shared screen arrives as a screen track and ends when unpublished', async () => {
  await page.call('shareScreen');
  const s = await page.until('the screen arrives and decodes', (x) => x.screen.live && x.screen.frames > 0);
  assert.deepEqual(s.publishOffers.at(-1)?.roles, ['microphone', 'camera', 'screen']);
  assert.ok(s.events.includes('track x screen'));
  await page.call('stopScreen');
  const e = await page.until('the screen ends', (x) => x.screen.ended);
  assert.deepEqual(e.publishOffers.at(-1)?.roles, ['microphone', 'camera']);
  assert.equal(e.remote?.state, 'connected', 'camera and microphone go on');
});

test('a rejoin while the unit kept both connections restarts ICE on them: same connections, media goes on', async () => {
  const before: LoopbackStatus = await page.status();
  await page.call('rejoin');
  const s = await page.until(
    'both connections offered again',
    (x) =>
      x.publishOffers.length > before.publishOffers.length && x.subscribeOffers.length > before.subscribeOffers.length,
    5_000,
  );
  await new Promise((r) => setTimeout(r, 1_000));
  const later = await page.status();
  assert.ok(
    (later.stats?.videoIn.framesDecoded ?? 0) > (s.stats?.videoIn.framesDecoded ?? 0),
    'frames keep being decoded',
  );
  assert.equal(later.remote?.state, 'connected');
  assert.deepEqual(
    later.events.filter((e) => e.startsWith('warn')),
    before.events.filter((e) => e.startsWith('warn')),
    'no failure and no rebuild',
  );
});

test('after the unit restarts and forgets both connections, the rejoin rebuilds them and media flows again', async (t) => {
  const before: LoopbackStatus = await page.status();
  const at = (await page.call('restartServer')) as number;
  const s = await page.until(
    'receiving again from the restarted unit',
    (x) => x.publishOffers.length > before.publishOffers.length + 1 && receiving(x),
  );
  const back = (await page.call('now')) as number;
  t.diagnostic(`media again ${Math.round(back - at)} ms after the rejoin (polled every 100 ms)`);
  assert.deepEqual(s.remote?.kinds, ['audio', 'video']);
  assert.ok(
    s.events.some((e) => e.includes('rebuilding the publish connection (the server no longer knows this connection)')),
    JSON.stringify(s.events),
  );
});

test('a lost subscribe connection is rebuilt and media flows again', async () => {
  const before: LoopbackStatus = await page.status();
  await page.call('loseTransport');
  const s = await page.until(
    'connected again on a new connection',
    (x) =>
      x.subscribeOffers.length > before.subscribeOffers.length &&
      x.remote?.state === 'connected' &&
      (x.stats?.videoIn.framesDecoded ?? 0) > 0,
  );
  assert.deepEqual(s.remote?.kinds, ['audio', 'video']);
  assert.ok((s.remote?.tracksVersion ?? 0) > (before.remote?.tracksVersion ?? 0), 'views re-attach');
  await page.call('close');
  const c = await page.status();
  assert.ok(c.events.includes('removed x'));
});

test('files: a data path opened on demand between two browsers carries the control channel, with no media line', async () => {
  const r = (await page.call('dataPath')) as DataPathResult;
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
