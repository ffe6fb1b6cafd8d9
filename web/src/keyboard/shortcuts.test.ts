import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SHORTCUTS, shortcutFor, type KeyLike } from './shortcuts';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  shiftKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
});

test('single keys map to their actions, in either case', () => {
  assert.equal(shortcutFor(key('m')), 'toggle-mic');
  assert.equal(shortcutFor(key('M', { shiftKey: false })), 'toggle-mic');
  assert.equal(shortcutFor(key('v')), 'toggle-camera');
  assert.equal(shortcutFor(key('c')), 'toggle-chat');
  assert.equal(shortcutFor(key('l')), 'toggle-layout');
  assert.equal(shortcutFor(key('?', { shiftKey: true })), 'help');
  assert.equal(shortcutFor(key('L', { ctrlKey: true, shiftKey: true })), 'leave');
});

test('no shortcut while typing, with other modifiers, or for other keys', () => {
  assert.equal(shortcutFor(key('m', { targetTag: 'INPUT' })), null);
  assert.equal(shortcutFor(key('m', { targetTag: 'TEXTAREA' })), null);
  assert.equal(shortcutFor(key('m', { targetEditable: true })), null);
  assert.equal(shortcutFor(key('m', { ctrlKey: true })), null, 'Ctrl+M is the browser’s');
  assert.equal(shortcutFor(key('l', { ctrlKey: true })), null, 'Ctrl+L focuses the address bar');
  assert.equal(shortcutFor(key('m', { metaKey: true })), null);
  assert.equal(shortcutFor(key('M', { shiftKey: true })), null);
  assert.equal(shortcutFor(key('x')), null);
  assert.equal(shortcutFor(key('Enter')), null);
});

test('every action has exactly one entry in the help table', () => {
  const actions = SHORTCUTS.map((s) => s.action);
  assert.equal(new Set(actions).size, actions.length);
});
