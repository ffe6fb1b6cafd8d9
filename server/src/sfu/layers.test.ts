import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LayerInfo } from './engine/Engine';
import { allocate, fittingLayer } from './layers';

const rids = ['q', 'h', 'f'];
/** A Chromium camera at 640x480 in three layers, as the engine reported them. */
const camera: LayerInfo[] = [
  { rid: 'q', width: 160, height: 120, bitrate: 110_000 },
  { rid: 'h', width: 320, height: 240, bitrate: 380_000 },
  { rid: 'f', width: 640, height: 480, bitrate: 1_200_000 },
];

describe('fittingLayer', () => {
  test('the largest layer at most 1.5 times the tile height', () => {
    assert.equal(fittingLayer(rids, camera, { width: 160, height: 90 }), 'q');
    assert.equal(fittingLayer(rids, camera, { width: 320, height: 180 }), 'h');
    assert.equal(fittingLayer(rids, camera, { width: 640, height: 320 }), 'f');
    assert.equal(fittingLayer(rids, camera, { width: 1920, height: 1080 }), 'f');
  });
  test('a tile smaller than every layer still gets the smallest', () => {
    assert.equal(fittingLayer(rids, camera, { width: 40, height: 30 }), 'q');
  });
  test('hidden or zero-sized: no video', () => {
    assert.equal(fittingLayer(rids, camera, null), null);
    assert.equal(fittingLayer(rids, camera, { width: 0, height: 0 }), null);
    assert.equal(fittingLayer([], [], null), null);
  });
  test('never reported: the middle layer', () => {
    assert.equal(fittingLayer(rids, camera, undefined), 'h');
  });
  test('only layers that arrive are chosen (a publisher that dropped its top layer)', () => {
    const twoLayers = camera.map((l) => (l.rid === 'f' ? { ...l, bitrate: 0 } : l));
    assert.equal(fittingLayer(rids, twoLayers, { width: 1280, height: 720 }), 'h');
  });
  test('sizes not known yet: by the tile height alone, in q/h/f order whatever the offer order', () => {
    assert.equal(fittingLayer(['f', 'h', 'q'], [], { width: 160, height: 120 }), 'q');
    assert.equal(fittingLayer(['f', 'h', 'q'], [], { width: 480, height: 270 }), 'h');
    assert.equal(fittingLayer(['f', 'h', 'q'], [], { width: 1280, height: 720 }), 'f');
  });
  test('a single encoding is forwarded as is, unless hidden', () => {
    assert.equal(fittingLayer([], [], { width: 100, height: 100 }), '');
    assert.equal(fittingLayer([], [], undefined), '');
  });
});

describe('allocate', () => {
  const big = { width: 1280, height: 720 };
  const small = { width: 320, height: 180 };
  test('without a bandwidth estimate every video gets the layer that fits', () => {
    const out = allocate(
      [
        { key: 'a', rids, layers: camera, view: big },
        { key: 'b', rids, layers: camera, view: small },
        { key: 'c', rids, layers: camera, view: null },
      ],
      0,
    );
    assert.deepEqual(Object.fromEntries(out), { a: 'f', b: 'h', c: null });
  });
  test('a tight budget serves the largest tile first and steps the others down', () => {
    const out = allocate(
      [
        { key: 'b', rids, layers: camera, view: small },
        { key: 'a', rids, layers: camera, view: big },
      ],
      1_400_000,
    );
    assert.deepEqual(Object.fromEntries(out), { a: 'f', b: 'q' });
  });
  test('a budget below every layer still forwards the lowest of each', () => {
    const out = allocate([{ key: 'a', rids, layers: camera, view: big }], 50_000);
    assert.equal(out.get('a'), 'q');
  });
});
