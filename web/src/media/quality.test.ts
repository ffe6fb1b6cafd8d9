import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QUALITY_LADDER, applyQuality, qualityFor } from './quality';

test('quality only goes down as the room grows, and caps at the last step', () => {
  for (let n = 1; n < 8; n++) {
    const a = qualityFor(n - 1);
    const b = qualityFor(n);
    assert.ok(b.scaleResolutionDownBy >= a.scaleResolutionDownBy, `scale at ${n}`);
    assert.ok(b.maxBitrate <= a.maxBitrate, `bitrate at ${n}`);
    assert.ok(b.maxFramerate <= a.maxFramerate, `fps at ${n}`);
  }
  assert.deepEqual(qualityFor(49), QUALITY_LADDER[QUALITY_LADDER.length - 1]);
  assert.ok(qualityFor(5).maxFramerate < qualityFor(1).maxFramerate, 'a room of six is lighter than a pair');
});

test('qualityFor refuses counts that are not counts', () => {
  for (const n of [-1, 1.5, Number.NaN]) assert.throws(() => qualityFor(n), TypeError);
});

test('applyQuality sets, then clears, the first encoding and reports changes', () => {
  const params = { encodings: [{ active: true }] } as unknown as RTCRtpSendParameters;
  assert.equal(applyQuality(params, qualityFor(4)), true);
  assert.deepEqual(params.encodings[0], { active: true, ...qualityFor(4) });
  assert.equal(applyQuality(params, qualityFor(4)), false, 'the same step changes nothing');
  assert.equal(applyQuality(params, null), true);
  assert.deepEqual(params.encodings[0], { active: true });
  assert.equal(applyQuality({ encodings: [] } as unknown as RTCRtpSendParameters, qualityFor(2)), false);
});
