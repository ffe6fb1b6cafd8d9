import assert from 'node:assert/strict';
import { test } from 'node:test';
import { levelFromRms, rms } from '../audio/level';
import { ACTIVE_SWITCH_MS, SPEAKING_HOLD_MS, nextActiveSpeaker, nextVoice, silent, type VoiceState } from './speaking';

test('levels: silence is 0, full scale is 1, -30 dBFS is about half way', () => {
  assert.equal(levelFromRms(rms([])), 0);
  assert.equal(levelFromRms(rms([0, 0, 0])), 0);
  assert.equal(levelFromRms(rms([1, -1, 1])), 1);
  assert.ok(Math.abs(levelFromRms(10 ** (-30 / 20)) - 0.5) < 1e-9);
  assert.equal(levelFromRms(1e-6), 0);
});

test('a voice starts on a loud level, survives short gaps and ends after the hold time', () => {
  let v = nextVoice(silent, 0.1, 0);
  assert.equal(v.speaking, false);
  v = nextVoice(v, 0.8, 100);
  assert.equal(v.speaking, true);
  assert.equal(v.since, 100);
  v = nextVoice(v, 0.35, 200); // between the thresholds: still talking
  assert.equal(v.speaking, true);
  v = nextVoice(v, 0.0, 300);
  assert.equal(v.speaking, true, 'a short pause keeps the indicator');
  v = nextVoice(v, 0.0, 200 + SPEAKING_HOLD_MS + 1);
  assert.equal(v.speaking, false);
  v = nextVoice(v, 0.35, 2_000);
  assert.equal(v.speaking, false, 'a level between the thresholds does not start talking');
});

test('the active speaker stays while talking and moves to a voice that lasts', () => {
  const talking = (since: number): VoiceState => ({ speaking: true, since, lastLoudAt: since });
  let voices = new Map<string, VoiceState>([
    ['a', talking(0)],
    ['b', silent],
  ]);
  assert.equal(nextActiveSpeaker(null, voices, 100), null, 'too short to switch');
  assert.equal(nextActiveSpeaker(null, voices, ACTIVE_SWITCH_MS), 'a');
  voices = new Map([
    ['a', talking(0)],
    ['b', talking(10)],
  ]);
  assert.equal(nextActiveSpeaker('a', voices, 5_000), 'a', 'no switch while the current one talks');
  voices = new Map([
    ['a', silent],
    ['b', talking(4_800)],
  ]);
  assert.equal(nextActiveSpeaker('a', voices, 5_000), 'a', 'a new voice must last');
  assert.equal(nextActiveSpeaker('a', voices, 4_800 + ACTIVE_SWITCH_MS), 'b');
  assert.equal(nextActiveSpeaker('gone', new Map([['b', silent]]), 0), null, 'someone who left is dropped');
});
