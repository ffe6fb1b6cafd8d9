import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitInside, gridFor, layoutFrame, LAYOUT_GAP, type LayoutSource, type Rect } from './layout';

const cams = (n: number): LayoutSource[] => Array.from({ length: n }, (_, i) => ({ key: `p${i}`, kind: 'camera' }));

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function checkTiles(placed: Rect[], W: number, H: number): void {
  for (const r of placed) {
    assert.ok(r.w > 0 && r.h > 0, `empty tile ${JSON.stringify(r)}`);
    assert.ok(r.x >= 0 && r.y >= 0 && r.x + r.w <= W && r.y + r.h <= H, `outside the frame: ${JSON.stringify(r)}`);
  }
  for (let i = 0; i < placed.length; i++)
    for (let j = i + 1; j < placed.length; j++)
      assert.ok(!overlaps(placed[i]!, placed[j]!), `tiles ${i} and ${j} overlap`);
}

test('layout: grids for 1 to 9 cameras on a 16:9 frame stay inside, never overlap, and keep tiles large', () => {
  assert.deepEqual(gridFor(1, 1264, 704), { cols: 1, rows: 1 });
  assert.deepEqual(gridFor(2, 1264, 704), { cols: 2, rows: 1 });
  assert.deepEqual(gridFor(3, 1264, 704), { cols: 2, rows: 2 });
  assert.deepEqual(gridFor(4, 1264, 704), { cols: 2, rows: 2 });
  assert.deepEqual(gridFor(5, 1264, 704), { cols: 3, rows: 2 });
  assert.deepEqual(gridFor(9, 1264, 704), { cols: 3, rows: 3 });
  for (let n = 1; n <= 9; n++) {
    const placed = layoutFrame(cams(n), 1280, 720);
    assert.equal(placed.length, n);
    checkTiles(placed, 1280, 720);
    assert.deepEqual(
      placed.map((p) => p.key),
      cams(n).map((c) => c.key),
      'order kept',
    );
  }
  // One person: the whole frame but the margin.
  assert.deepEqual(layoutFrame(cams(1), 1280, 720)[0], { key: 'p0', kind: 'camera', x: 8, y: 8, w: 1264, h: 704 });
});

test('layout: an incomplete last row is centred', () => {
  const [a, b, c] = layoutFrame(cams(3), 1280, 720);
  assert.equal(a!.y, b!.y);
  assert.ok(c!.y > a!.y);
  const centre = c!.x + c!.w / 2;
  assert.ok(Math.abs(centre - 640) <= 1, `third tile centred (${centre})`);
});

test('layout: a shared screen takes the left three quarters, cameras a column on the right', () => {
  const sources: LayoutSource[] = [...cams(3), { key: 'p1:screen', kind: 'screen' }];
  const placed = layoutFrame(sources, 1280, 720);
  checkTiles(placed, 1280, 720);
  const screen = placed.find((p) => p.kind === 'screen')!;
  assert.equal(screen.x, LAYOUT_GAP);
  assert.equal(screen.w, Math.round((1280 - 2 * LAYOUT_GAP) * 0.75));
  for (const cam of placed.filter((p) => p.kind === 'camera')) assert.ok(cam.x > screen.x + screen.w);
  // A screen alone fills the frame.
  const alone = layoutFrame([{ key: 's', kind: 'screen' }], 1280, 720);
  assert.equal(alone[0]!.w, 1264);
});

test('layout: nobody gives an empty frame; a frame too small is a programming error', () => {
  assert.deepEqual(layoutFrame([], 1280, 720), []);
  assert.throws(() => layoutFrame(cams(1), 10, 10), RangeError);
});

test('layout: fitInside letterboxes a picture into its tile without stretching', () => {
  const r = fitInside(640, 480, { x: 0, y: 0, w: 1280, h: 720 });
  assert.deepEqual(r, { x: 160, y: 0, w: 960, h: 720 });
  assert.deepEqual(fitInside(0, 0, { x: 1, y: 2, w: 3, h: 4 }), { x: 1, y: 2, w: 3, h: 4 });
});
