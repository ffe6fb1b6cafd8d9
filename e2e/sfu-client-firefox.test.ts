import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { launchFirefox } from './support/firefox';
import {
  callInPage,
  loopbackDriver,
  receiving,
  serveSfuLoopback,
  type DataPathResult,
  type LoopbackStatus,
} from './support/sfuLoopback';

/*
 * The forwarding unit's client transport in Firefox ESR, against the same in-page stand-in unit
 * as sfu-client.test.ts (headless Firefox has no screen to share, so no screen here).
 */

let browser: Browser;
let site: Awaited<ReturnType<typeof serveSfuLoopback>>;
let page: ReturnType<typeof loopbackDriver>;

before(async () => {
  site = await serveSfuLoopback();
  browser = await launchFirefox();
  const p = await browser.newPage();
  p.on('pageerror', (err) => process.stderr.write(`[page error] ${String(err)}\n`));
  await p.goto(site.url);
  page = loopbackDriver((method, args) => p.evaluate(callInPage, method, args));
});

after(async () => {
  await browser?.close();
  await site?.close();
});

test('SfuTransport in Firefox: publishes in three layers, receives camera and sound, recovers a lost subscribe connection', async () => {
  await page.call('start');
  const s = await page.until('camera and microphone received', receiving, 20_000);
  assert.deepEqual(s.publishOffers[0]?.roles, ['microphone', 'camera']);
  assert.deepEqual(s.publishOffers[0]?.rids, ['q', 'h', 'f'], 'the camera is offered in three layers');
  assert.deepEqual(
    s.events.filter((e) => e.startsWith('warn')),
    [],
  );
  const before: LoopbackStatus = s;
  await page.call('loseTransport');
  await page.until(
    'connected again on a new connection',
    (x) => x.subscribeOffers.length > before.subscribeOffers.length && receiving(x),
    20_000,
  );
  await page.call('close');
});

test('Firefox: a data path opened on demand carries the control channel both ways', async () => {
  const r = (await page.call('dataPath')) as DataPathResult;
  assert.equal(r.offerHasMedia, false);
  assert.ok(r.alice.includes('got hello from bob'), JSON.stringify(r));
  assert.ok(r.bob.includes('got hello from alice'), JSON.stringify(r));
});
