import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withStartBitrate } from './sdp';

const offer = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 35',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 nack',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:98 VP9/90000',
  'a=fmtp:98 profile-id=0',
  'a=rtpmap:99 H264/90000',
  'a=fmtp:99 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f;x-google-start-bitrate=300',
  'a=rtpmap:35 AV1/90000',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'a=sctp-port:5000',
  '',
].join('\r\n');

describe('withStartBitrate', () => {
  const out = withStartBitrate(offer, 800);
  const lines = out.split('\r\n');

  test('adds an fmtp line after the rtpmap of a video codec that has none', () => {
    assert.equal(lines[lines.indexOf('a=rtpmap:96 VP8/90000') + 1], 'a=fmtp:96 x-google-start-bitrate=800');
    assert.equal(lines[lines.indexOf('a=rtpmap:35 AV1/90000') + 1], 'a=fmtp:35 x-google-start-bitrate=800');
  });

  test('appends to an existing fmtp line and replaces an earlier value', () => {
    assert.ok(lines.includes('a=fmtp:98 profile-id=0;x-google-start-bitrate=800'));
    assert.ok(
      lines.includes(
        'a=fmtp:99 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f;x-google-start-bitrate=800',
      ),
    );
  });

  test('leaves audio, retransmission and data sections alone', () => {
    assert.ok(lines.includes('a=fmtp:111 minptime=10;useinbandfec=1'));
    assert.ok(lines.includes('a=fmtp:97 apt=96'));
    const changed = lines.filter((l) => !offer.split('\r\n').includes(l));
    assert.equal(changed.length, 4);
    assert.ok(out.endsWith('a=sctp-port:5000\r\n'));
  });

  test('is idempotent, keeps \\n line ends, and refuses a nonsense rate', () => {
    assert.equal(withStartBitrate(out, 800), out);
    assert.equal(withStartBitrate(offer.replaceAll('\r\n', '\n'), 800), out.replaceAll('\r\n', '\n'));
    assert.throws(() => withStartBitrate(offer, 0), RangeError);
    assert.throws(() => withStartBitrate(offer, 1.5), RangeError);
  });

  test('two identical video sections are both edited', () => {
    const twice = offer.replace(
      'm=application',
      'm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\nm=application',
    );
    const edited = withStartBitrate(twice, 500).split('\r\n');
    assert.equal(edited.filter((l) => l === 'a=fmtp:96 x-google-start-bitrate=500').length, 2);
  });
});
