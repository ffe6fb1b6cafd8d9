import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gradeLink, sampleLink, type LinkFigures } from './linkQuality';

function report(bytesIn: number, bytesOut: number, received: number, lost: number): RTCStats[] {
  const s = (o: Record<string, unknown>): RTCStats => ({ timestamp: 0, ...o }) as unknown as RTCStats;
  return [
    s({ id: 'c1', type: 'codec', mimeType: 'video/VP8' }),
    s({ id: 'c2', type: 'codec', mimeType: 'audio/opus' }),
    s({
      id: 'iv',
      type: 'inbound-rtp',
      kind: 'video',
      codecId: 'c1',
      bytesReceived: bytesIn,
      packetsReceived: received,
      packetsLost: lost,
      framesPerSecond: 24,
      frameWidth: 640,
      frameHeight: 480,
    }),
    s({ id: 'ia', type: 'inbound-rtp', kind: 'audio', codecId: 'c2', bytesReceived: 0, packetsReceived: 0 }),
    s({ id: 'ov', type: 'outbound-rtp', kind: 'video', bytesSent: bytesOut }),
    s({ id: 't', type: 'transport', selectedCandidatePairId: 'p' }),
    s({ id: 'p', type: 'candidate-pair', localCandidateId: 'l', remoteCandidateId: 'r', currentRoundTripTime: 0.042 }),
    s({ id: 'l', type: 'local-candidate', candidateType: 'host', protocol: 'udp' }),
    s({ id: 'r', type: 'remote-candidate', candidateType: 'relay' }),
  ];
}

test('sampleLink reads codec, resolution, candidates and RTT; rates need a previous sample', () => {
  const first = sampleLink(report(1000, 2000, 100, 0), 1_000, null);
  assert.equal(first.figures.videoCodec, 'VP8');
  assert.equal(first.figures.audioCodec, 'opus');
  assert.equal(first.figures.resolution, '640x480');
  assert.equal(first.figures.fps, 24);
  assert.equal(first.figures.rttMs, 42);
  assert.equal(first.figures.localCandidate, 'host');
  assert.equal(first.figures.remoteCandidate, 'relay');
  assert.equal(first.figures.protocol, 'udp');
  assert.equal(first.figures.inKbps, null);
  assert.equal(first.figures.lossPercent, null);

  const second = sampleLink(report(126_000, 2000 + 62_500, 190, 10), 3_000, first);
  assert.equal(second.figures.inKbps, 500); // 125 000 bytes in 2 s
  assert.equal(second.figures.outKbps, 250);
  assert.equal(second.figures.lossPercent, 10); // 10 lost of 100 new
});

test('sampleLink tolerates empty and odd reports', () => {
  const s = sampleLink([{ id: 'x', type: 'candidate-pair', timestamp: 0 } as RTCStats], 0, null);
  assert.equal(s.figures.rttMs, null);
  assert.equal(s.figures.localCandidate, null);
  assert.equal(s.figures.videoCodec, null);
});

test('gradeLink: good, fair and poor thresholds', () => {
  const base: LinkFigures = {
    rttMs: 40,
    lossPercent: 0,
    fps: 24,
    inKbps: 500,
    outKbps: 500,
    videoCodec: 'VP8',
    audioCodec: 'opus',
    resolution: '640x480',
    localCandidate: 'host',
    remoteCandidate: 'host',
    protocol: 'udp',
  };
  assert.equal(gradeLink(base, true), 'good');
  assert.equal(gradeLink({ ...base, rttMs: 300 }, true), 'fair');
  assert.equal(gradeLink({ ...base, lossPercent: 3 }, true), 'fair');
  assert.equal(gradeLink({ ...base, fps: 10 }, true), 'fair');
  assert.equal(gradeLink({ ...base, fps: 2 }, false), 'good', 'fps ignored when the camera is off');
  assert.equal(gradeLink({ ...base, lossPercent: 12 }, true), 'poor');
  assert.equal(gradeLink({ ...base, rttMs: 800 }, true), 'poor');
  assert.equal(gradeLink({ ...base, rttMs: null, lossPercent: null }, true), 'unknown');
});

test('the figures come from the one stats reader: Firefox and Chromium reports give the same kind of answer', async () => {
  const { chromiumStats, firefoxStats } = await import('../media/transport/stats.fixtures');
  const chromium = sampleLink(chromiumStats as unknown as RTCStats[], 0, null).figures;
  const firefox = sampleLink(firefoxStats as unknown as RTCStats[], 0, null).figures;
  assert.deepEqual(
    [chromium.rttMs, chromium.localCandidate, chromium.remoteCandidate, chromium.protocol, chromium.resolution],
    [1, 'host', 'host', 'udp', '320x240'],
  );
  // Firefox names its selected pair with `selected: true`, not from the transport.
  assert.deepEqual(
    [firefox.rttMs, firefox.localCandidate, firefox.remoteCandidate, firefox.protocol, firefox.resolution],
    [15, 'host', 'prflx', 'udp', '640x480'],
  );
  assert.equal(firefox.videoCodec, 'VP8');
  // An older Firefox: no transport entry, the pair only flagged `selected` (not nominated).
  const older = firefoxStats
    .filter((s) => s.type !== 'transport')
    .map((s) => (s.type === 'candidate-pair' ? { ...s, nominated: false } : s));
  const olderFigures = sampleLink(older as unknown as RTCStats[], 0, null).figures;
  assert.deepEqual([olderFigures.rttMs, olderFigures.remoteCandidate], [15, 'prflx']);
});
