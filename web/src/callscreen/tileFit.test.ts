import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_TILE_RATIO, TILE_GAP, dominantRatio, fitTiles, sameRatio, type TileFit } from './tileFit';

const GAP = TILE_GAP;

/** The tiles of `fit` stay inside `width` x `height` with the gaps between them. */
function assertInside(fit: TileFit, count: number, width: number, height: number, where: string): void {
  assert.ok(fit.cols * fit.rows >= count, `${where}: room for every tile ${JSON.stringify(fit)}`);
  assert.ok(fit.cols * fit.width + (fit.cols - 1) * GAP <= width, `${where}: fits the width ${JSON.stringify(fit)}`);
  assert.ok(fit.rows * fit.height + (fit.rows - 1) * GAP <= height, `${where}: fits the height ${JSON.stringify(fit)}`);
}

/**
 * The old CSS: a fixed 4:3 tile in the grid.css shape for up to six tiles. Returns how much of the
 * screen a 16:9 picture takes there when shown whole (the old tile cropped its sides instead).
 */
function fixedFourThree(count: number, width: number, height: number, phone: boolean): number {
  const shape: Record<number, [number, number]> = phone
    ? { 1: [1, 1], 2: [1, 2], 3: [2, 2], 4: [2, 2], 5: [2, 3], 6: [2, 3] }
    : { 1: [1, 1], 2: [2, 1], 3: [2, 2], 4: [2, 2], 5: [3, 2], 6: [3, 2] };
  const [cols, rows] = shape[count]!;
  const w = Math.min((width - (cols - 1) * GAP) / cols, ((height - (rows - 1) * GAP) / rows) * (4 / 3));
  return w * ((w * 9) / 16);
}

test('one to six 16:9 tiles on a laptop stage: the shapes Meet would pick', () => {
  // The stage of a 1280x800 window (the window less its header, padding and controls).
  const [W, H] = [1248, 640];
  assert.deepEqual(fitTiles(1, W, H, 16 / 9), { cols: 1, rows: 1, width: 1136, height: 639 });
  assert.deepEqual(fitTiles(2, W, H, 16 / 9), { cols: 2, rows: 1, width: 619, height: 348 });
  const three = fitTiles(3, W, H, 16 / 9);
  assert.deepEqual([three.cols, three.rows], [2, 2]);
  assert.deepEqual([fitTiles(9, W, H, 16 / 9).cols, fitTiles(9, W, H, 16 / 9).rows], [3, 3]);
});

test('equally large tiles: the shape with the fewest empty places', () => {
  // Nine 4:3 tiles on a 1200x760 window's stage: 3 or 4 columns give the same height-bound size.
  const fit = fitTiles(9, 1168, 555, 4 / 3);
  assert.deepEqual([fit.cols, fit.rows], [3, 3]);
  assert.deepEqual([fit.width, fit.height], [239, 179]);
});

test('a phone stacks three people in one column, each as wide as the screen allows', () => {
  const fit = fitTiles(3, 359, 500, 16 / 9);
  assert.deepEqual([fit.cols, fit.rows], [1, 3]);
  assertInside(fit, 3, 359, 500, 'phone');
  assert.ok(fit.width >= 280, `wide tiles: ${fit.width}`);
});

test('tiles keep the ratio asked for, to a pixel', () => {
  for (const ratio of [16 / 9, 4 / 3, 9 / 16, 1, 21 / 9]) {
    for (const count of [1, 2, 3, 5, 8, 16]) {
      const fit = fitTiles(count, 1000, 600, ratio);
      assert.ok(Math.abs(fit.width - fit.height * ratio) <= 1, `${ratio} x ${count}: ${JSON.stringify(fit)}`);
    }
  }
});

test('tiles never overflow the area, for every count and many area shapes and ratios', () => {
  for (let count = 1; count <= 25; count++) {
    for (const [w, h] of [
      [1248, 640],
      [928, 480],
      [359, 500],
      [1888, 900],
      [300, 1000],
      [2000, 150],
      [57, 33],
      [0, 0],
    ] as const) {
      for (const ratio of [16 / 9, 4 / 3, 9 / 16, 2.33]) {
        const fit = fitTiles(count, w, h, ratio);
        // An area too small for any tile shows none (and then the gaps alone may not fit).
        if (fit.width === 0) continue;
        assertInside(fit, count, w, h, `${count} in ${w}x${h} at ${ratio.toFixed(2)}`);
      }
    }
  }
});

test('no other column count gives larger tiles', () => {
  for (let count = 1; count <= 16; count++) {
    const fit = fitTiles(count, 1100, 620, 16 / 9);
    for (let cols = 1; cols <= count; cols++) {
      const rows = Math.ceil(count / cols);
      const w = Math.min((1100 - (cols - 1) * GAP) / cols, ((620 - (rows - 1) * GAP) / rows) * (16 / 9));
      assert.ok(fit.width >= Math.floor(w) - 1, `${count}: ${cols} columns would give ${w}, we chose ${fit.width}`);
    }
  }
});

test('16:9 video uses more of the stage than the old fixed 4:3 tiles', () => {
  for (const [w, h, phone] of [
    [1248, 640, false],
    [928, 480, false],
    [359, 480, true],
  ] as const) {
    for (let count = 1; count <= 6; count++) {
      // Whole pixels may cost a pixel of width: 2 % of the area.
      const fit = fitTiles(count, w, h, 16 / 9);
      const old = fixedFourThree(count, w, h, phone);
      assert.ok(fit.width * fit.height >= old * 0.98, `${count} in ${w}x${h}: ${fit.width * fit.height} vs ${old}`);
    }
  }
  // A phone with three people: one column of wide tiles instead of a 2x2 grid of small ones.
  const fit = fitTiles(3, 359, 480, 16 / 9);
  assert.ok(fit.width * fit.height > 1.5 * fixedFourThree(3, 359, 480, true));
});

test('bad arguments are refused with a TypeError; nonsense sizes give empty tiles', () => {
  assert.throws(() => fitTiles(0, 100, 100, 1), TypeError);
  assert.throws(() => fitTiles(2.5, 100, 100, 1), TypeError);
  assert.throws(() => fitTiles(2, 100, 100, 0), TypeError);
  assert.throws(() => fitTiles(2, 100, 100, Number.NaN), TypeError);
  assert.deepEqual(fitTiles(2, Number.NaN, -5, 16 / 9).width, 0);
});

test('the dominant ratio: most videos win, 16:9 when unknown, clamped to sane shapes', () => {
  assert.equal(dominantRatio([]), DEFAULT_TILE_RATIO);
  assert.equal(dominantRatio([Number.NaN, 0]), DEFAULT_TILE_RATIO);
  assert.ok(sameRatio(dominantRatio([4 / 3]), 4 / 3));
  assert.ok(sameRatio(dominantRatio([16 / 9, 4 / 3, 1280 / 720, 640 / 360]), 16 / 9));
  assert.ok(sameRatio(dominantRatio([4 / 3, 4 / 3, 16 / 9, 9 / 16]), 4 / 3));
  // 1366x768 and 1920x1080 are the same shape to the eye.
  assert.ok(sameRatio(dominantRatio([1366 / 768, 1920 / 1080, 4 / 3]), 16 / 9));
  // A tie goes to the ratio nearer 16:9.
  assert.ok(sameRatio(dominantRatio([9 / 16, 4 / 3]), 4 / 3));
  assert.equal(dominantRatio([10]), 21 / 9);
  assert.equal(dominantRatio([0.1]), 9 / 16);
});
