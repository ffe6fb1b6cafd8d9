import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectCapabilities } from './capabilities';

const fn = (): void => undefined;

test('a browser with everything (Chromium-like) is detected as such', () => {
  const caps = detectCapabilities({
    navigator: { mediaDevices: { getDisplayMedia: fn } },
    HTMLMediaElement: { prototype: { setSinkId: fn } },
    HTMLVideoElement: { prototype: { requestVideoFrameCallback: fn } },
    RTCRtpReceiver: {
      getCapabilities: () => ({
        codecs: [
          { mimeType: 'video/VP8' },
          { mimeType: 'video/rtx' },
          { mimeType: 'video/H264' },
          { mimeType: 'video/H264' },
          { mimeType: 'video/VP9' },
          { mimeType: 'video/AV1' },
          { mimeType: 'video/red' },
          { mimeType: 'video/ulpfec' },
          { mimeType: 'video/flexfec-03' },
        ],
      }),
    },
  });
  assert.deepEqual(caps, {
    speakerSelection: true,
    screenShare: true,
    videoFrameCallback: true,
    videoCodecs: ['VP8', 'H264', 'VP9', 'AV1'],
  });
});

test('Firefox ESR here: no H264, the codec list is what the browser reports', () => {
  const caps = detectCapabilities({
    navigator: { mediaDevices: { getDisplayMedia: fn } },
    HTMLMediaElement: { prototype: { setSinkId: fn } },
    HTMLVideoElement: { prototype: { requestVideoFrameCallback: fn } },
    RTCRtpReceiver: {
      getCapabilities: () => ({
        codecs: ['VP8', 'rtx', 'VP9', 'AV1', 'ulpfec', 'red'].map((c) => ({ mimeType: `video/${c}` })),
      }),
    },
  });
  assert.deepEqual(caps.videoCodecs, ['VP8', 'VP9', 'AV1']);
});

test('missing APIs (older or mobile browsers, insecure pages) are reported missing, not assumed', () => {
  assert.deepEqual(detectCapabilities({}), {
    speakerSelection: false,
    screenShare: false,
    videoFrameCallback: false,
    videoCodecs: [],
  });
  const partial = detectCapabilities({
    navigator: {},
    HTMLMediaElement: { prototype: {} },
    HTMLVideoElement: { prototype: { requestVideoFrameCallback: 'not a function' } },
    RTCRtpReceiver: { getCapabilities: () => null },
  });
  assert.equal(partial.screenShare, false);
  assert.equal(partial.videoFrameCallback, false);
  assert.deepEqual(partial.videoCodecs, []);
});

test('a getCapabilities that throws gives an empty codec list', () => {
  const caps = detectCapabilities({
    RTCRtpReceiver: {
      getCapabilities: () => {
        throw new Error('not implemented');
      },
    },
  });
  assert.deepEqual(caps.videoCodecs, []);
});
