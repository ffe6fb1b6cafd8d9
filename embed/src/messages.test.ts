import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCallCommand, isCallEvent } from './messages.js';

test('only the three commands, marked for the call, are commands', () => {
  for (const command of ['mute', 'unmute', 'leave'])
    assert.equal(isCallCommand({ source: 'parley-host', command }), true, command);
  for (const bad of [
    null,
    'mute',
    { command: 'mute' },
    { source: 'parley', command: 'mute' },
    { source: 'parley-host', command: 'eval' },
    { source: 'parley-host', command: ['mute'] },
  ])
    assert.equal(isCallCommand(bad), false, JSON.stringify(bad));
});

test('events are recognised by their mark and type', () => {
  assert.equal(isCallEvent({ source: 'parley', type: 'ready' }), true);
  assert.equal(isCallEvent({ source: 'parley-host', type: 'ready' }), false);
  assert.equal(isCallEvent({ source: 'parley' }), false);
  assert.equal(isCallEvent(undefined), false);
});
