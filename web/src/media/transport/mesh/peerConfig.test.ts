import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FILE_CONTROL_LABEL } from '@parley/protocol';
import { addFirstOfferLines, peerConfiguration } from './peerConfig';

/** A peer connection that records the lines added to it, in order. */
function recorder() {
  const lines: string[] = [];
  const pc = {
    addTransceiver: (what: MediaStreamTrack | string, init?: RTCRtpTransceiverInit) => {
      const kind = typeof what === 'string' ? what : what.kind;
      lines.push(`${kind} ${init?.direction ?? ''}`);
      return { kind } as unknown as RTCRtpTransceiver;
    },
    createDataChannel: (label: string) => {
      lines.push(`data ${label}`);
      return { label } as RTCDataChannel;
    },
  };
  return { pc, lines };
}

const track = (kind: 'audio' | 'video') => ({ kind }) as MediaStreamTrack;

describe('peer connection configuration and first offer lines', () => {
  test('microphone, camera, then the control channel: the order version-1 clients read', () => {
    const { pc, lines } = recorder();
    addFirstOfferLines(pc, { audio: track('audio'), video: track('video') });
    assert.deepEqual(lines, ['audio sendrecv', 'video sendrecv', `data ${FILE_CONTROL_LABEL}`]);
  });

  test('a missing device still gets a receive-only line, so the other side is heard and seen', () => {
    // The connection prepared on the pre-join screen used to leave the line out: a newcomer
    // without a microphone then received no sound on that connection.
    const { pc, lines } = recorder();
    addFirstOfferLines(pc, { audio: null, video: track('video') });
    assert.deepEqual(lines, ['audio recvonly', 'video sendrecv', `data ${FILE_CONTROL_LABEL}`]);
  });

  test('one configuration: bundle, relay policy, the shared certificate when there is one', () => {
    const ice = [{ urls: ['stun:stun.example.org:3478'] }];
    assert.deepEqual(peerConfiguration({ iceServers: ice, relayOnly: false }), {
      iceServers: ice,
      iceTransportPolicy: 'all',
      bundlePolicy: 'max-bundle',
    });
    const certificate = {} as RTCCertificate;
    assert.deepEqual(peerConfiguration({ iceServers: ice, relayOnly: true, certificate }), {
      iceServers: ice,
      iceTransportPolicy: 'relay',
      bundlePolicy: 'max-bundle',
      certificates: [certificate],
    });
  });
});
