import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeTimers } from './fakeTimers';
import { arrangeGrid } from './gallery';
import {
  TileViews,
  VIEW_MAX_WAIT_MS,
  VIEW_SETTLE_MS,
  devicePixels,
  meaningfulChange,
  viewChanges,
  viewKey,
  wantedViews,
  type Role,
  type ViewSize,
} from './viewReports';

type Call = [string, Role, ViewSize];

function setup() {
  const timers = fakeTimers();
  const calls: Call[] = [];
  const views = new TileViews((id, role, size) => calls.push([id, role, size]), timers);
  return { timers, calls, views };
}

const size = (width: number, height: number) => ({ width, height });

test('device pixels: CSS size times the pixel ratio, rounded; no area is null', () => {
  assert.deepEqual(devicePixels(320.4, 240, 2), size(641, 480));
  assert.deepEqual(devicePixels(100, 75, 0), size(100, 75), 'a missing ratio counts as 1');
  assert.equal(devicePixels(0, 240, 1), null);
});

test('a size is reported again only after a meaningful step', () => {
  assert.equal(meaningfulChange(undefined, null), true, 'never reported: report');
  assert.equal(meaningfulChange(null, null), false);
  assert.equal(meaningfulChange(null, size(10, 10)), true);
  assert.equal(meaningfulChange(size(10, 10), null), true);
  assert.equal(meaningfulChange(size(640, 480), size(660, 490)), false, 'a few per cent: no');
  assert.equal(meaningfulChange(size(640, 480), size(640, 560)), true, 'height by a sixth: yes');
  assert.equal(meaningfulChange(size(640, 480), size(320, 240)), true);
  assert.equal(meaningfulChange(size(40, 30), size(50, 38)), false, 'tiny tiles: under 16 px is jitter');
});

test('wanted views: rendered and camera on gets its size; off page, camera off or hidden page gets null', () => {
  const sizes = new Map<string, ViewSize>([
    [viewKey('camera', 'a'), size(640, 480)],
    [viewKey('camera', 'b'), size(640, 480)],
    [viewKey('screen', 'a'), size(1280, 720)],
  ]);
  const remotes = [
    { id: 'a', videoOn: true },
    { id: 'b', videoOn: false },
    { id: 'c', videoOn: true },
  ];
  const wanted = wantedViews({ remotes, screens: ['a'], sizes, hidden: false });
  assert.deepEqual(
    [...wanted],
    [
      ['camera:a', size(640, 480)],
      ['camera:b', null],
      ['camera:c', null],
      ['screen:a', size(1280, 720)],
    ],
  );
  const hidden = wantedViews({ remotes, screens: ['a'], sizes, hidden: true });
  assert.ok([...hidden.values()].every((v) => v === null));
  // Changes against what was sent; views no longer wanted are not reported.
  const sent = new Map<string, ViewSize>([
    ['camera:a', size(640, 480)],
    ['camera:gone', size(640, 480)],
  ]);
  assert.deepEqual(viewChanges(sent, wanted), [
    { participantId: 'b', role: 'camera', size: null },
    { participantId: 'c', role: 'camera', size: null },
    { participantId: 'a', role: 'screen', size: size(1280, 720) },
  ]);
});

test('setView gets null for the tiles not on the page, and sizes for the page shown', () => {
  const { timers, calls, views } = setup();
  const remoteIds = Array.from({ length: 10 }, (_, i) => `p${i + 1}`);
  views.setParticipants(
    remoteIds.map((id) => ({ id, videoOn: true })),
    [],
  );
  // What the screen renders: page 1 of a 3x3 grid (you and p1..p8), each tile 320x240 CSS px at 2x.
  const render = (page: number): void => {
    const shown = new Set(arrangeGrid({ selfId: 'me', remoteIds, page, perPage: 9, pinned: null }).tiles);
    for (const id of remoteIds) views.setSize(viewKey('camera', id), shown.has(id) ? devicePixels(320, 240, 2) : null);
  };
  render(0);
  assert.equal(calls.length, 0, 'nothing before the sizes settle');
  timers.advance(VIEW_SETTLE_MS);
  const byId = new Map(calls.map(([id, , s]) => [id, s]));
  assert.equal(calls.length, 10, 'one report per person');
  for (const id of remoteIds.slice(0, 8)) assert.deepEqual(byId.get(id), size(640, 480), id);
  assert.equal(byId.get('p9'), null);
  assert.equal(byId.get('p10'), null);

  // Next page: p1..p8 go null, p9 and p10 get sizes; nothing else is sent.
  calls.length = 0;
  render(1);
  timers.advance(VIEW_SETTLE_MS);
  assert.deepEqual(
    calls.sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true })),
    [
      ...remoteIds.slice(0, 8).map((id): Call => [id, 'camera', null]),
      ['p9', 'camera', size(640, 480)],
      ['p10', 'camera', size(640, 480)],
    ],
  );
});

test('a window resize reports once after sizes settle, with the maximum wait while they keep changing', () => {
  const { timers, calls, views } = setup();
  views.setParticipants([{ id: 'a', videoOn: true }], []);
  const key = viewKey('camera', 'a');
  views.setSize(key, size(640, 480));
  timers.advance(VIEW_SETTLE_MS);
  assert.deepEqual(calls, [['a', 'camera', size(640, 480)]]);
  calls.length = 0;
  // Eighty resize events 16 ms apart (a drag of 1.3 s): growing the tile step by step.
  for (let i = 1; i <= 80; i++) {
    views.setSize(key, size(640 + i * 8, 480 + i * 6));
    timers.advance(16);
  }
  assert.equal(calls.length, 1, `one report during the drag, at the maximum wait: ${JSON.stringify(calls)}`);
  timers.advance(VIEW_SETTLE_MS);
  assert.ok(calls.length <= 2);
  const last = calls.at(-1)![2];
  assert.equal(
    meaningfulChange(last, size(1280, 960)),
    false,
    `the last report is near the final size: ${JSON.stringify(last)}`,
  );
  assert.ok(VIEW_MAX_WAIT_MS < 80 * 16);
  // A pixel of jitter afterwards sends nothing.
  calls.length = 0;
  views.setSize(key, size(1281, 961));
  timers.advance(VIEW_SETTLE_MS);
  assert.deepEqual(calls, []);
});

test('hiding the page sends null at once; showing it again sends the sizes; camera off is null', () => {
  const { timers, calls, views } = setup();
  views.setParticipants([{ id: 'a', videoOn: true }], ['a']);
  views.setSize(viewKey('camera', 'a'), size(640, 480));
  views.setSize(viewKey('screen', 'a'), size(1600, 900));
  timers.advance(VIEW_SETTLE_MS);
  calls.length = 0;
  views.setHidden(true);
  assert.deepEqual(calls, [
    ['a', 'camera', null],
    ['a', 'screen', null],
  ]);
  calls.length = 0;
  views.setHidden(false);
  assert.deepEqual(calls, [
    ['a', 'camera', size(640, 480)],
    ['a', 'screen', size(1600, 900)],
  ]);
  calls.length = 0;
  views.setParticipants([{ id: 'a', videoOn: false }], []);
  timers.advance(VIEW_SETTLE_MS);
  assert.deepEqual(calls, [['a', 'camera', null]], 'the share ended: forgotten, not reported');
  views.close();
  views.setParticipants([{ id: 'a', videoOn: true }], []);
  timers.advance(VIEW_SETTLE_MS);
  assert.equal(calls.length, 1, 'closed: no more reports');
});
