import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameProblem, normalizeName, roomProblem } from './limits';

test('normalizeName removes controls, zero-width and bidi characters and folds spaces', () => {
  assert.equal(normalizeName('  a\tb\n\nc  '), 'a b c');
  assert.equal(normalizeName('x\u200by\u202ez\u0007'), 'xyz');
  assert.equal(normalizeName('Zoë 🎉'), 'Zoë 🎉');
});

test('nameProblem and roomProblem explain what is wrong', () => {
  assert.equal(nameProblem('Ada'), null);
  assert.match(nameProblem(' ') ?? '', /Enter a name/);
  assert.match(nameProblem('x'.repeat(41)) ?? '', /at most 40/);
  assert.equal(nameProblem('🎉'.repeat(40)), null, 'length counts characters, not UTF-16 units');
  assert.equal(roomProblem('standup-2'), null);
  assert.match(roomProblem('') ?? '', /Enter a room/);
  assert.match(roomProblem('a b') ?? '', /letters, digits/);
  assert.match(roomProblem('r'.repeat(65)) ?? '', /at most 64/);
});
