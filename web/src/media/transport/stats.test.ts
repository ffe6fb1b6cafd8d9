import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chromiumStats, firefoxStats } from './stats.fixtures';
import { summarizeLinkStats } from './stats';

test('Chromium: the transport names the selected pair; candidates carry address and ip', () => {
  const s = summarizeLinkStats(chromiumStats);
  assert.deepEqual(s.path?.local, { address: '127.0.0.1', port: 50186, protocol: 'udp', type: 'host' });
  assert.deepEqual(s.path?.remote, { address: '127.0.0.1', port: 40248, protocol: 'udp', type: 'host' });
  assert.equal(s.path?.rttMs, 1);
  assert.deepEqual(s.audioIn, { packetsReceived: 94, packetsLost: 0, bytesReceived: 7489, codec: 'audio/opus' });
  assert.equal(s.videoIn.codec, 'video/VP8');
  assert.equal(s.videoIn.framesDecoded, 43);
  assert.deepEqual([s.videoIn.width, s.videoIn.height], [320, 240]);
  assert.equal(s.availableOutgoingBitrate, 3_760_000);
  assert.equal(s.videoOutLimitation, 'none');
  assert.equal(s.videoOutCodec, 'video/VP8');
});

test('Firefox: the same summary, with the Chromium-only fields left null', () => {
  const s = summarizeLinkStats(firefoxStats);
  assert.deepEqual(s.path?.local, { address: '127.0.0.1', port: 40248, protocol: 'udp', type: 'host' });
  assert.deepEqual(s.path?.remote, { address: '127.0.0.1', port: 50186, protocol: 'udp', type: 'prflx' });
  assert.equal(s.path?.rttMs, 15);
  assert.equal(s.audioIn.packetsReceived, 102);
  assert.equal(s.audioIn.codec, 'audio/opus');
  assert.equal(s.videoIn.framesDecoded, 40);
  assert.deepEqual([s.videoIn.width, s.videoIn.height], [640, 480]);
  assert.equal(s.availableOutgoingBitrate, null);
  assert.equal(s.videoOutLimitation, null);
  assert.equal(s.videoOutCodec, 'video/VP8');
});

test('without a transport entry the pair flagged selected (Firefox) or nominated is used', () => {
  const noTransport = firefoxStats.filter((s) => s.type !== 'transport');
  assert.equal(summarizeLinkStats(noTransport).path?.local?.port, 40248);
  const nominatedOnly = noTransport.map((s) => (s.type === 'candidate-pair' ? { ...s, selected: undefined } : s));
  assert.equal(summarizeLinkStats(nominatedOnly).path?.local?.port, 40248);
});

test('a selected pair whose remote candidate is not in the report keeps its local side', () => {
  const s = summarizeLinkStats(chromiumStats.filter((x) => x.type !== 'remote-candidate'));
  assert.equal(s.path?.local?.address, '127.0.0.1');
  assert.equal(s.path?.remote, null);
  assert.equal(s.path?.rttMs, 1);
});

test('a link that has not connected yet, or garbage, gives an empty summary without throwing', () => {
  for (const report of [[], [null, 3, 'x', { type: 'inbound-rtp', kind: 'video', packetsReceived: 'many' }]]) {
    const s = summarizeLinkStats(report);
    assert.equal(s.path, null);
    assert.equal(s.videoIn.packetsReceived, 0);
    assert.equal(s.videoIn.codec, '');
  }
});

test('older browsers that say mediaType instead of kind are counted too', () => {
  const s = summarizeLinkStats([{ id: 'a', type: 'inbound-rtp', mediaType: 'audio', packetsReceived: 5 }]);
  assert.equal(s.audioIn.packetsReceived, 5);
});
