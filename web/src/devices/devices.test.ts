import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupDevices, replacementFor } from './devices';
import { parsePreferences } from './preferences';

test('groupDevices groups by kind, drops id-less entries and names unlabelled ones', () => {
  const lists = groupDevices([
    { deviceId: 'default', kind: 'audioinput', label: 'Default' },
    { deviceId: 'cam1', kind: 'videoinput', label: '' },
    { deviceId: 'cam2', kind: 'videoinput', label: 'USB camera' },
    { deviceId: '', kind: 'audiooutput', label: '' },
  ]);
  assert.deepEqual(lists.audioinput, [{ deviceId: 'default', label: 'Default' }]);
  assert.deepEqual(lists.videoinput, [
    { deviceId: 'cam1', label: 'Camera 1' },
    { deviceId: 'cam2', label: 'USB camera' },
  ]);
  assert.deepEqual(lists.audiooutput, []);
});

test('replacementFor keeps a present device and falls back to default, then the first one', () => {
  const list = [
    { deviceId: 'a', label: 'A' },
    { deviceId: 'default', label: 'Default' },
  ];
  assert.equal(replacementFor('a', list), null);
  assert.equal(replacementFor('gone', list), 'default');
  assert.equal(replacementFor('gone', [{ deviceId: 'b', label: 'B' }]), 'b');
  assert.equal(replacementFor('gone', []), null);
  assert.equal(replacementFor(undefined, list), null);
});

test('parsePreferences accepts only well-formed values', () => {
  assert.deepEqual(parsePreferences(null), {});
  assert.deepEqual(parsePreferences('not json'), {});
  assert.deepEqual(parsePreferences('[1]'), {});
  assert.deepEqual(parsePreferences('{"videoinput":"x","audioinput":3,"joinMuted":true,"joinCameraOff":"yes"}'), {
    videoinput: 'x',
    joinMuted: true,
  });
  assert.deepEqual(parsePreferences(JSON.stringify({ audiooutput: 'x'.repeat(300) })), {});
  assert.deepEqual(parsePreferences('{"noiseSuppression":true}'), { noiseSuppression: true });
  assert.deepEqual(parsePreferences('{"noiseSuppression":"on"}'), {});
});

test('parsePreferences keeps a known background mode and turns anything else into none', () => {
  assert.equal(parsePreferences(JSON.stringify({ background: 'blur' })).background, 'blur');
  assert.equal(parsePreferences(JSON.stringify({ background: 'colour' })).background, 'colour');
  assert.equal(parsePreferences(JSON.stringify({ background: 'sparkles' })).background, 'none');
  assert.equal(parsePreferences(JSON.stringify({ background: 3 })).background, 'none');
  assert.equal(parsePreferences(JSON.stringify({})).background, undefined);
});
