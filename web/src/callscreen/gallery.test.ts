import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrangeGrid, arrangeSpeaker, gridShape, pageMembers, pageShape } from './gallery';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `p${i + 1}`);

test('page size follows the window: 3x3 on a laptop, 4x4 on a large screen, 2x3 on a phone', () => {
  assert.deepEqual(pageShape(1200, 760), { cols: 3, rows: 3, perPage: 9, stripPerPage: 6 });
  assert.equal(pageShape(1366, 768).perPage, 9);
  assert.equal(pageShape(960, 720).perPage, 9);
  assert.deepEqual(pageShape(1920, 1080), { cols: 4, rows: 4, perPage: 16, stripPerPage: 6 });
  assert.equal(pageShape(1920, 800).perPage, 9, 'wide but not tall: not a large window');
  assert.deepEqual(pageShape(375, 667), { cols: 2, rows: 3, perPage: 6, stripPerPage: 2 });
  assert.deepEqual(pageShape(700, 400), { cols: 3, rows: 1, perPage: 3, stripPerPage: 3 });
  // Tiny or nonsense sizes still give a page of two: yourself and one other.
  assert.equal(pageShape(200, 150).perPage, 2);
  assert.equal(pageShape(Number.NaN, -5).perPage, 2);
});

test('fifty people on a 3x3 page: you on every page, eight others per page, seven pages', () => {
  const others = ids(49);
  const first = arrangeGrid({ selfId: 'me', remoteIds: others, page: 0, perPage: 9, pinned: null });
  assert.equal(first.pageCount, 7);
  assert.deepEqual(first.tiles, ['me', ...others.slice(0, 8)]);
  const last = arrangeGrid({ selfId: 'me', remoteIds: others, page: 6, perPage: 9, pinned: null });
  assert.deepEqual(last.tiles, ['me', 'p49']);
  // Every other person is on exactly one page.
  const seen = Array.from({ length: 7 }, (_, p) => pageMembers(others, p, 9)).flat();
  assert.deepEqual(seen, others);
});

test('the page is clamped when people leave, and when it is out of range', () => {
  const a = arrangeGrid({ selfId: 'me', remoteIds: ids(9), page: 1, perPage: 9, pinned: null });
  assert.equal(a.page, 1);
  assert.deepEqual(a.tiles, ['me', 'p9']);
  const after = arrangeGrid({ selfId: 'me', remoteIds: ids(8), page: 1, perPage: 9, pinned: null });
  assert.equal(after.pageCount, 1);
  assert.equal(after.page, 0, 'the second page went away with p9: back to the first');
  assert.equal(arrangeGrid({ selfId: 'me', remoteIds: [], page: 3, perPage: 9, pinned: null }).page, 0);
  assert.equal(arrangeGrid({ selfId: 'me', remoteIds: ids(20), page: -2, perPage: 9, pinned: null }).page, 0);
  assert.deepEqual(pageMembers(ids(9), 5, 9), ['p9']);
});

test('a pinned speaker from another page takes the last place of a full page, a free place otherwise', () => {
  const full = arrangeGrid({ selfId: 'me', remoteIds: ids(20), page: 0, perPage: 9, pinned: 'p17' });
  assert.deepEqual(full.tiles, ['me', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p17']);
  assert.equal(full.pinnedShown, 'p17');
  const partial = arrangeGrid({ selfId: 'me', remoteIds: ids(20), page: 2, perPage: 9, pinned: 'p1' });
  assert.deepEqual(partial.tiles, ['me', 'p17', 'p18', 'p19', 'p20', 'p1']);
  // On their own page, yourself, or gone: nothing changes.
  for (const pinned of ['p3', 'me', 'gone']) {
    const a = arrangeGrid({ selfId: 'me', remoteIds: ids(20), page: 0, perPage: 9, pinned });
    assert.deepEqual(a.tiles, ['me', ...ids(8)]);
    assert.equal(a.pinnedShown, null);
  }
});

test('a page size under two is a programming error', () => {
  assert.throws(() => arrangeGrid({ selfId: 'me', remoteIds: [], page: 0, perPage: 1, pinned: null }), TypeError);
  assert.throws(() => pageMembers([], 0, 2.5), TypeError);
  assert.throws(() => arrangeSpeaker({ selfId: 'me', remoteIds: [], featured: 'me', page: 0, perPage: 0 }), TypeError);
});

test('speaker layout: the featured tile first, then a page of the strip with you in it', () => {
  const a = arrangeSpeaker({ selfId: 'me', remoteIds: ids(10), featured: 'p4', page: 0, perPage: 6 });
  assert.equal(a.pageCount, 2);
  assert.deepEqual(a.tiles, ['p4', 'me', 'p1', 'p2', 'p3', 'p5', 'p6']);
  const b = arrangeSpeaker({ selfId: 'me', remoteIds: ids(10), featured: 'p4', page: 1, perPage: 6 });
  assert.deepEqual(b.tiles, ['p4', 'p7', 'p8', 'p9', 'p10']);
  const alone = arrangeSpeaker({ selfId: 'me', remoteIds: [], featured: 'me', page: 4, perPage: 6 });
  assert.deepEqual(alone, { page: 0, pageCount: 1, tiles: ['me'], pinnedShown: null });
});

test('grid shape: near square, wide first, within the page shape', () => {
  assert.deepEqual(gridShape(1, 3, 3), { cols: 1, rows: 1 });
  assert.deepEqual(gridShape(2, 3, 3), { cols: 2, rows: 1 });
  assert.deepEqual(gridShape(5, 3, 3), { cols: 3, rows: 2 });
  assert.deepEqual(gridShape(9, 3, 3), { cols: 3, rows: 3 });
  assert.deepEqual(gridShape(12, 4, 4), { cols: 4, rows: 3 });
  assert.deepEqual(gridShape(6, 2, 3), { cols: 2, rows: 3 }, 'a phone page');
  assert.deepEqual(gridShape(3, 3, 1), { cols: 3, rows: 1 }, 'a short window: one row');
});
