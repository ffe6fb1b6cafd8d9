import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pipTarget, pipSupported } from './pipTarget';

const remotes = [
  { id: 'a', videoOn: true },
  { id: 'b', videoOn: true },
  { id: 'c', videoOn: false },
];

test('the pinned tile wins, then the active speaker, then who is shown, then the first with a camera', () => {
  assert.equal(pipTarget({ pinned: 'b', speaker: 'a', current: 'a', remotes }), 'b');
  assert.equal(pipTarget({ pinned: null, speaker: 'b', current: 'a', remotes }), 'b');
  assert.equal(pipTarget({ pinned: null, speaker: null, current: 'b', remotes }), 'b');
  assert.equal(pipTarget({ pinned: null, speaker: null, current: null, remotes }), 'a');
});

test('never yourself, never a camera-off person, never someone gone: the window is never blank', () => {
  // You speak: the window stays on who it shows.
  assert.equal(pipTarget({ pinned: null, speaker: 'me', current: 'b', remotes }), 'b');
  // The speaker has no camera on: stay.
  assert.equal(pipTarget({ pinned: null, speaker: 'c', current: 'b', remotes }), 'b');
  // Who it showed left: the first with a camera.
  assert.equal(pipTarget({ pinned: 'gone', speaker: null, current: 'gone', remotes }), 'a');
  assert.equal(pipTarget({ pinned: null, speaker: 'c', current: null, remotes: [{ id: 'c', videoOn: false }] }), null);
  assert.equal(pipTarget({ pinned: null, speaker: null, current: null, remotes: [] }), null);
});

test('no picture-in-picture API (Node here, Firefox in the browser): not supported', () => {
  assert.equal(pipSupported(), false);
});
