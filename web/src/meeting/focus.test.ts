import assert from 'node:assert/strict';
import { test } from 'node:test';
import { focusOf } from './focus';

const here =
  (...ids: string[]) =>
  (id: string) =>
    ids.includes(id);

test('your pin wins over the spotlight; the spotlight features someone when you pinned nobody', () => {
  assert.deepEqual(focusOf({ pinned: 'a', spotlight: 'b', setAside: null, present: here('a', 'b') }), {
    focus: 'a',
    by: 'pin',
  });
  assert.deepEqual(focusOf({ pinned: null, spotlight: 'b', setAside: null, present: here('a', 'b') }), {
    focus: 'b',
    by: 'spotlight',
  });
});

test('someone who left is featured by neither; a spotlight set aside stays aside until it changes', () => {
  assert.equal(focusOf({ pinned: 'gone', spotlight: 'b', setAside: null, present: here('b') }).focus, 'b');
  assert.equal(focusOf({ pinned: null, spotlight: 'gone', setAside: null, present: here('b') }).focus, null);
  assert.equal(focusOf({ pinned: null, spotlight: 'b', setAside: 'b', present: here('b') }).focus, null);
  assert.equal(focusOf({ pinned: null, spotlight: 'c', setAside: 'b', present: here('b', 'c') }).focus, 'c');
});
