import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../logger';
import { IDLE_GROWTH_BYTES, IDLE_MIN_INTERVAL_MS, IDLE_QUIET_MS, IdleCollector } from './IdleCollector';

const MB = 1024 * 1024;

function setup() {
  let t = 1_000_000;
  let rss = 100 * MB;
  let collections = 0;
  const idle = new IdleCollector({
    log: createLogger('silent'),
    now: () => t,
    rss: () => rss,
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
