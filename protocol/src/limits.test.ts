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

test('normalizeName drops every bidi control, including the isolates U+2066 to U+2069', () => {
  assert.equal(normalizeName('Ada\u2066\u2067\u2068\u2069 Lovelace'), 'Ada Lovelace');
  assert.equal(normalizeName('\u2067evil\u2069'), 'evil');
  // The whole class, not only the characters named in a report: every code point Unicode
  // marks Bidi_Control, every control and every invisible format character of U+2060-U+206F.
  const unsafe: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    if (/[\p{Bidi_Control}\p{Cc}]/u.test(ch) || (cp >= 0x2060 && cp <= 0x206f)) unsafe.push(ch);
  }
  assert.ok(unsafe.length > 70);
  for (const ch of unsafe) {
    const out = normalizeName(`a${ch}b`);
    assert.ok(out === 'ab' || out === 'a b', `U+${ch.codePointAt(0)?.toString(16)} survives: ${JSON.stringify(out)}`);
  }
});
