import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../logger';
import { IDLE_BUSY_MAX, IDLE_GROWTH_BYTES, IDLE_MIN_INTERVAL_MS, IDLE_QUIET_MS, IdleCollector } from './IdleCollector';

const MB = 1024 * 1024;

function setup() {
  let t = 1_000_000;
  let rss = 100 * MB;
  let collections = 0;
  let busy = 0.01;
  const idle = new IdleCollector({
    log: createLogger('silent'),
    now: () => t,
    rss: () => rss,
    busy: () => busy,
    collect: () => {
      collections++;
      rss = 110 * MB; // a full collection gives most of it back
      return Promise.resolve();
    },
  });
  return {
    idle,
    advance: (ms: number) => (t += ms),
    setRss: (mb: number) => (rss = mb * MB),
    setBusy: (share: number) => (busy = share),
    collections: () => collections,
  };
}

test('after a burst, a quiet server collects once and measures growth from its new level', async () => {
  const s = setup();
  s.setRss(100 + IDLE_GROWTH_BYTES / MB + 50);
  s.idle.activity();
  s.advance(IDLE_QUIET_MS - 1);
  assert.equal(await s.idle.check(), false, 'not while connections still come and go');
  s.advance(1);
  assert.equal(await s.idle.check(), true);
  assert.equal(s.collections(), 1);
  s.advance(IDLE_MIN_INTERVAL_MS);
  assert.equal(await s.idle.check(), false, 'settled at its new level: nothing more to give back');
  assert.equal(s.collections(), 1);
});

test('small growth, activity and a recent collection leave the heap alone', async () => {
  const s = setup();
  s.setRss(100 + IDLE_GROWTH_BYTES / MB - 1);
  s.advance(IDLE_QUIET_MS);
  assert.equal(await s.idle.check(), false, 'growth under the threshold');
  s.setRss(300);
  s.idle.activity();
  s.advance(IDLE_QUIET_MS / 2);
  assert.equal(await s.idle.check(), false, 'a connection opened or closed just now');
  s.advance(IDLE_QUIET_MS);
  assert.equal(await s.idle.check(), true);
  s.setRss(300);
  s.advance(IDLE_MIN_INTERVAL_MS - 1);
  assert.equal(await s.idle.check(), false, 'at most one collection per interval');
  s.advance(1);
  assert.equal(await s.idle.check(), true);
  assert.equal(s.collections(), 2);
});

test('connections that stay but keep the event loop busy are not idle: no collection until it quietens', async () => {
  const s = setup();
  s.setRss(100 + IDLE_GROWTH_BYTES / MB + 50);
  s.advance(IDLE_QUIET_MS);
  s.setBusy(0.6); // relaying the signals of thousands of connected clients
  assert.equal(await s.idle.check(), false);
  s.setBusy(IDLE_BUSY_MAX + 0.01);
  s.advance(IDLE_QUIET_MS);
  assert.equal(await s.idle.check(), false);
  assert.equal(s.collections(), 0);
  s.setBusy(0.02); // only pings left
  s.advance(IDLE_QUIET_MS);
  assert.equal(await s.idle.check(), true);
  assert.equal(s.collections(), 1);
});

test('the default reading of how busy the loop was covers the time since the previous look', async () => {
  let t = 0;
  let grown = false;
  let collections = 0;
  const idle = new IdleCollector({
    log: createLogger('silent'),
    rss: () => (grown ? 1e12 : 0),
    now: () => (t += 1e6),
    collect: () => {
      collections++;
      return Promise.resolve();
    },
  });
  await idle.check(); // the first look starts the window
  grown = true;
  // Keep the loop busy for most of the next window: 200 ms of work out of about 210.
  const end = Date.now() + 200;
  while (Date.now() < end) Math.sqrt(Math.random());
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(await idle.check(), false, 'busy: no collection');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await idle.check(), true, 'idle for 300 ms: collected');
  assert.equal(collections, 1);
  idle.stop();
});

test('memory that came down by itself lowers the level growth is measured from', async () => {
  const s = setup();
  s.advance(IDLE_QUIET_MS);
  s.setRss(60);
  assert.equal(await s.idle.check(), false);
  s.setRss(60 + IDLE_GROWTH_BYTES / MB + 1);
  assert.equal(await s.idle.check(), true, '100 MB start, down to 60, then up past the threshold');
});

test('the default collection is a real V8 collection through an in-process inspector session', async () => {
  let grown = false;
  let t = 0;
  const idle = new IdleCollector({
    log: createLogger('silent'),
    rss: () => (grown ? 1e12 : 0),
    now: () => (t += 1e6),
    busy: () => 0, // building the garbage below keeps this test's own loop busy
  });
  try {
    // Garbage that only a full collection takes back: a large, now unreachable object graph.
    let junk: object[] | null = Array.from({ length: 300_000 }, (_, i) => ({ i, s: `x${i}` }));
    assert.equal(junk.length, 300_000);
    junk = null;
    const before = process.memoryUsage().heapUsed;
    grown = true;
    assert.equal(await idle.check(), true);
    const after = process.memoryUsage().heapUsed;
    assert.ok(after < before - 5 * MB, `heap used ${(before / MB).toFixed(1)} -> ${(after / MB).toFixed(1)} MB`);
  } finally {
    idle.stop();
  }
});
