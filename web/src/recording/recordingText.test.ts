import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordingText } from './recordingText';

const rec = (...names: Array<[string, string]>) => ({
  hostOnly: false,
  recorders: names.map(([id, name]) => ({ id, name, since: 1 })),
});

test('recording badge text names who records, yourself as "you"', () => {
  assert.equal(recordingText(null, 'me'), '');
  assert.equal(recordingText(rec(), 'me'), '');
  assert.equal(recordingText(rec(['a', 'Ada']), 'me'), 'Ada is recording this call');
  assert.equal(recordingText(rec(['me', 'Me']), 'me'), 'You are recording this call');
  assert.equal(recordingText(rec(['me', 'Me'], ['a', 'Ada']), 'me'), 'Ada and you are recording this call');
  assert.equal(
    recordingText(rec(['a', 'Ada'], ['b', 'Bob'], ['c', 'Cy']), undefined),
    'Ada, Bob and Cy are recording this call',
  );
});
