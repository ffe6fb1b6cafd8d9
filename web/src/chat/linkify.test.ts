import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkify } from './linkify';

test('http and https URLs become links, the rest stays text', () => {
  assert.deepEqual(linkify('see https://example.org/a?b=1, then http://x.test.'), [
    { kind: 'text', text: 'see ' },
    { kind: 'link', text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
    { kind: 'text', text: ', then ' },
    { kind: 'link', text: 'http://x.test', href: 'http://x.test/' },
    { kind: 'text', text: '.' },
  ]);
});

test('markup and dangerous schemes stay plain text', () => {
  const html = '<img src=x onerror=alert(1)>';
  assert.deepEqual(linkify(html), [{ kind: 'text', text: html }]);
  assert.deepEqual(linkify('javascript:alert(1) data:text/html,x'), [
    { kind: 'text', text: 'javascript:alert(1) data:text/html,x' },
  ]);
  assert.deepEqual(linkify('<a href="https://e.org">'), [
    { kind: 'text', text: '<a href="' },
    { kind: 'link', text: 'https://e.org', href: 'https://e.org/' },
    { kind: 'text', text: '">' },
  ]);
});

test('empty text gives nothing', () => {
  assert.deepEqual(linkify(''), []);
});
