import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callErrorText } from './callErrorText';

test('known failures get a sentence with what to do; others keep the server’s message', () => {
  assert.match(callErrorText({ id: 'unreachable', message: 'xhr poll error' }), /cannot reach its server.*try again/);
  assert.match(callErrorText({ id: 'room-full', message: 'full' }), /room is full/);
  assert.match(callErrorText(null), /Try joining again/);
  assert.equal(
    callErrorText({ id: 'invalid-message', message: 'The message was not understood.' }),
    'The message was not understood.',
  );
});
