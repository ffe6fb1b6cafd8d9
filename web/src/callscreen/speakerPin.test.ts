import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeTimers } from './fakeTimers';
import { PIN_HOLD_MS, PinKeeper, nextPin, noPin, type PinState } from './speakerPin';

const present = new Set(['a', 'b', 'c', 'x', 'y']);
const onPage = new Set(['a', 'b', 'c']);

test('a speaker on another page is pinned at once; one on the page is not', () => {
  assert.deepEqual(nextPin(noPin, { speaker: 'x', present, onPage, now: 10 }), {
    state: { id: 'x', at: 10 },
    recheckAt: null,
  });
  assert.deepEqual(nextPin(noPin, { speaker: 'b', present, onPage, now: 10 }).state, noPin);
  assert.deepEqual(nextPin(noPin, { speaker: null, present, onPage, now: 10 }).state, noPin);
  assert.deepEqual(nextPin(noPin, { speaker: 'me', present, onPage, now: 10 }).state, noPin, 'yourself: never');
});

test('a new off-page speaker waits for the hold before replacing the pin', () => {
  const pinned: PinState = { id: 'x', at: 1_000 };
  const early = nextPin(pinned, { speaker: 'y', present, onPage, now: 1_500 });
  assert.deepEqual(early, { state: pinned, recheckAt: 1_000 + PIN_HOLD_MS });
  const later = nextPin(pinned, { speaker: 'y', present, onPage, now: 1_000 + PIN_HOLD_MS });
  assert.deepEqual(later, { state: { id: 'y', at: 1_000 + PIN_HOLD_MS }, recheckAt: null });
});

test('the pin stays while someone on the page speaks, and ends when its person leaves or is on the page', () => {
  const pinned: PinState = { id: 'x', at: 0 };
  assert.deepEqual(nextPin(pinned, { speaker: 'a', present, onPage, now: 50_000 }).state, pinned);
  assert.deepEqual(nextPin(pinned, { speaker: null, present, onPage, now: 50_000 }).state, pinned);
  const left = new Set(['a', 'b', 'c', 'y']);
  assert.deepEqual(nextPin(pinned, { speaker: null, present: left, onPage, now: 10 }).state, noPin);
  // Paged to x's own page: no pin needed.
  assert.deepEqual(nextPin(pinned, { speaker: 'x', present, onPage: new Set(['x', 'y']), now: 10 }).state, noPin);
  // The pin left, someone new speaks: no hold to wait for.
  assert.deepEqual(nextPin(pinned, { speaker: 'y', present: left, onPage, now: 10 }).state, { id: 'y', at: 10 });
});

test('over time: a speaker change during the hold swaps when the hold runs out, once', () => {
  const timers = fakeTimers();
  const keeper = new PinKeeper(timers);
  let changes = 0;
  const off = keeper.subscribe(() => changes++);
  keeper.update({ speaker: 'x', present, onPage });
  assert.equal(keeper.id, 'x');
  timers.advance(500);
  // Voices alternate quickly: y, then x again, then y.
  keeper.update({ speaker: 'y', present, onPage });
  timers.advance(200);
  keeper.update({ speaker: 'x', present, onPage });
  timers.advance(200);
  keeper.update({ speaker: 'y', present, onPage });
  assert.equal(keeper.id, 'x', 'still x during the hold');
  assert.equal(changes, 1);
  timers.advance(PIN_HOLD_MS - 900 - 1);
  assert.equal(keeper.id, 'x');
  timers.advance(1);
  assert.equal(keeper.id, 'y', 'y once x has been shown for the hold');
  assert.equal(changes, 2);
  off();
  keeper.update({ speaker: 'x', present, onPage });
  timers.advance(10 * PIN_HOLD_MS);
  assert.equal(changes, 2, 'no listener is called after unsubscribing');
});
