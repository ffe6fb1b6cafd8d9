import assert from 'node:assert/strict';
import { test } from 'node:test';
import { growthOf, type SoakSample } from './soak';

const at = (t: number, pages: number[], rss: number): SoakSample => ({
  t,
  pageHeapMb: pages,
  serverRssMb: rss,
  serverHeapMb: 20,
  serverExternalMb: 5,
  forwardedPps: 1000,
});

test('growth runs from the first sample after the warm-up to the last, for the page that grew most', () => {
  const samples = [at(0, [5, 5], 200), at(30, [6, 9], 230), at(60, [6, 10], 238), at(120, [7, 10.5], 238.4)];
  const g = growthOf(samples, ['Ada', 'Bo'], 60);
  assert.equal(g.page, 'Ada');
  assert.ok(Math.abs(g.pageHeapMb - 1) < 1e-9);
  assert.ok(Math.abs(g.serverRssMb - 0.4) < 1e-9);
  assert.equal(g.serverHeapMb, 0);
});

test('a run shorter than the warm-up is measured from its first sample', () => {
  const g = growthOf([at(0, [5], 200), at(10, [6], 201)], ['Ada'], 60);
  assert.equal(g.pageHeapMb, 1);
  assert.equal(g.serverRssMb, 1);
});
