import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REACTION_BURST } from '@parley/protocol';
import { Meeting } from './Meeting';

const all = (): boolean => true;

test('hands queue in raising order; raising twice keeps the place; lowering removes', () => {
  const m = new Meeting();
  assert.equal(m.raise('b'), true);
  assert.equal(m.raise('a'), true);
  assert.equal(m.raise('b'), false);
  assert.deepEqual(m.view(all).hands, ['b', 'a']);
  assert.equal(m.lower('b'), true);
  assert.equal(m.lower('b'), false);
  m.raise('b');
  assert.deepEqual(m.view(all).hands, ['a', 'b'], 'raised again: at the end');
});

test('leaving lowers the hand and clears a spotlight on that person only', () => {
  const m = new Meeting();
  m.raise('a');
  m.setSpotlight('b');
  assert.equal(m.left('c'), false);
  assert.equal(m.left('a'), true);
  assert.deepEqual(m.view(all), { hands: [], spotlight: 'b' });
  assert.equal(m.left('b'), true);
  assert.equal(m.view(all).spotlight, null);
});

test('reactions are budgeted per person and flow back in over time', () => {
  let now = 0;
  const m = new Meeting(() => now);
  for (let i = 0; i < REACTION_BURST; i++) assert.equal(m.takeReaction('a'), true);
  assert.equal(m.takeReaction('a'), false);
  assert.equal(m.takeReaction('b'), true, 'another person has their own budget');
  now += 1_000;
  assert.equal(m.takeReaction('a'), true);
  assert.equal(m.takeReaction('a'), false);
});
