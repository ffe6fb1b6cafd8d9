import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failureNote, initialEffectState, nextEffectState, reasonOf, type EffectState } from './effectState';

test('choose -> starting -> on; none turns it off', () => {
  let s: EffectState = initialEffectState;
  s = nextEffectState(s, { type: 'choose', mode: 'blur' });
  assert.deepEqual(s, { phase: 'starting', mode: 'blur' });
  s = nextEffectState(s, { type: 'ready', mode: 'blur' });
  assert.deepEqual(s, { phase: 'on', mode: 'blur' });
  s = nextEffectState(s, { type: 'choose', mode: 'none' });
  assert.deepEqual(s, { phase: 'off' });
});

test('a failure gives the raw camera with a note; choosing again tries again', () => {
  let s = nextEffectState(initialEffectState, { type: 'choose', mode: 'colour' });
  s = nextEffectState(s, { type: 'failed', mode: 'colour', reason: 'this browser has no WebGL2' });
  assert.equal(s.phase, 'failed');
  assert.equal(s.phase === 'failed' && s.note, failureNote('this browser has no WebGL2'));
  assert.match(failureNote('x'), /your camera is sent as it is/);
  // A late "ready" does not hide the failure.
  assert.equal(nextEffectState(s, { type: 'ready', mode: 'colour' }), s);
  s = nextEffectState(s, { type: 'choose', mode: 'colour' });
  assert.deepEqual(s, { phase: 'starting', mode: 'colour' });
});

test('a model working fine can still fail later (on -> failed)', () => {
  let s = nextEffectState(initialEffectState, { type: 'choose', mode: 'blur' });
  s = nextEffectState(s, { type: 'ready', mode: 'blur' });
  s = nextEffectState(s, { type: 'failed', mode: 'blur', reason: 'lost the GPU' });
  assert.equal(s.phase, 'failed');
});

test('news about a mode no longer chosen changes nothing', () => {
  const blur = nextEffectState(initialEffectState, { type: 'choose', mode: 'blur' });
  assert.equal(nextEffectState(blur, { type: 'ready', mode: 'colour' }), blur);
  assert.equal(nextEffectState(blur, { type: 'failed', mode: 'colour', reason: 'x' }), blur);
  const off = nextEffectState(blur, { type: 'choose', mode: 'none' });
  assert.equal(nextEffectState(off, { type: 'ready', mode: 'blur' }), off);
  assert.equal(nextEffectState(off, { type: 'failed', mode: 'blur', reason: 'x' }), off);
});

test('reasonOf keeps one short line', () => {
  assert.equal(reasonOf(new Error('first\nsecond')), 'first');
  assert.equal(reasonOf('plain'), 'plain');
  assert.equal(reasonOf(42), 'unknown error');
  assert.equal(reasonOf(new Error('x'.repeat(300))).length, 120);
});
