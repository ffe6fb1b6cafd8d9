import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FILE_CONTROL_LABEL } from '@parley/protocol';
import { SignalingClient } from '../../../signaling/SignalingClient';
import { discardPrepared, prepareLink, takePrepared } from './preparedLink';

/* The connection prepared on the pre-join screen, made against a stand-in peer connection and a
 * server answer given in place (no network): its first offer must have the lines a link's own
 * first offer has. */

const lines: string[] = [];
const configs: RTCConfiguration[] = [];
class FakePeerConnection {
  signalingState: RTCSignalingState = 'stable';
  constructor(config: RTCConfiguration) {
    configs.push(config);
  }
  addTransceiver(what: MediaStreamTrack | string, init?: RTCRtpTransceiverInit): RTCRtpTransceiver {
    lines.push(`${typeof what === 'string' ? what : what.kind} ${init?.direction ?? ''}`);
    return {} as RTCRtpTransceiver;
  }
  createDataChannel(label: string): RTCDataChannel {
    lines.push(`data ${label}`);
    return {} as RTCDataChannel;
  }
  setLocalDescription(): Promise<void> {
    this.signalingState = 'have-local-offer';
    return Promise.resolve();
  }
  close(): void {
    this.signalingState = 'closed';
  }
}

const g = globalThis as { RTCPeerConnection?: unknown };
const before = g.RTCPeerConnection;
g.RTCPeerConnection = FakePeerConnection;
SignalingClient.prototype.connect = () => Promise.resolve();
SignalingClient.prototype.check = () => Promise.resolve({ ok: true, iceServers: [], address: '127.0.0.1' });
after(() => {
  discardPrepared();
  g.RTCPeerConnection = before;
});

function streamWith(...kinds: Array<'audio' | 'video'>): MediaStream {
  const tracks = kinds.map((kind) => ({ kind }) as MediaStreamTrack);
  return {
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
  } as unknown as MediaStream;
}

test('a prepared offer without a microphone still has a receive-only audio line, in link order', async () => {
  // Before, the prepared connection left the line out: the newcomer heard nobody on it.
  await prepareLink({ stream: streamWith('video'), relayOnly: false, serverUrl: 'http://127.0.0.1:9' });
  assert.deepEqual(lines, ['audio recvonly', 'video sendrecv', `data ${FILE_CONTROL_LABEL}`]);
  assert.deepEqual(configs, [{ iceServers: [], iceTransportPolicy: 'all', bundlePolicy: 'max-bundle' }]);
  // It serves a call with the same devices (camera only), and no other.
  const p = takePrepared({ stream: streamWith('video'), relayOnly: false, iceServers: [] });
  assert.ok(p);
  assert.deepEqual(p.sends, { audio: false, video: true });
});
