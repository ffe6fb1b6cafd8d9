import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FILE_CONTROL_LABEL } from '@parley/protocol';
import { PeerLink } from './PeerLink';

/* A data-only link (the direct file path of a room through the forwarding unit), made against a
 * stand-in peer connection: it must never put media on the wire. */

const calls: string[] = [];
const offered = {
  direction: 'inactive' as RTCRtpTransceiverDirection,
  mid: '0',
  receiver: { track: { kind: 'video' } },
  sender: {
    replaceTrack: () => {
      calls.push('replaceTrack');
      return Promise.resolve();
    },
  },
};
class FakePeerConnection extends EventTarget {
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: RTCSessionDescriptionInit | null = null;
  addTransceiver(what: MediaStreamTrack | string): RTCRtpTransceiver {
    calls.push(`transceiver ${typeof what === 'string' ? what : what.kind}`);
    return {} as RTCRtpTransceiver;
  }
  createDataChannel(label: string): RTCDataChannel {
    calls.push(`data ${label}`);
    return { label } as RTCDataChannel;
  }
  getTransceivers(): unknown[] {
    return [offered];
  }
  setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
    return Promise.resolve();
  }
  setLocalDescription(): Promise<void> {
    this.localDescription = { type: 'answer', sdp: 'v=0\r\n' };
    this.signalingState = 'stable';
    return Promise.resolve();
  }
  restartIce(): void {
    calls.push('restartIce');
  }
  close(): void {
    this.signalingState = 'closed';
  }
}
class FakeMediaStream {
  getTracks(): MediaStreamTrack[] {
    return [];
  }
}

const g = globalThis as { RTCPeerConnection?: unknown; MediaStream?: unknown };
const before = { pc: g.RTCPeerConnection, stream: g.MediaStream };
g.RTCPeerConnection = FakePeerConnection;
g.MediaStream = FakeMediaStream;
after(() => {
  g.RTCPeerConnection = before.pc;
  g.MediaStream = before.stream;
});

const options = (initiator: boolean, sent: unknown[]) => ({
  localId: 'a',
  remoteId: 'b',
  iceServers: [],
  relayOnly: false,
  tracks: { audio: null, video: null },
  initiator,
  dataOnly: true,
  send: (d: unknown) => sent.push(d),
});

test('the offering side of a data-only link opens the control channel and adds no media line', () => {
  calls.length = 0;
  const link = new PeerLink(options(true, []));
  try {
    assert.deepEqual(calls, [`data ${FILE_CONTROL_LABEL}`]);
    assert.equal(link.controlChannel?.label, FILE_CONTROL_LABEL);
  } finally {
    link.close();
  }
});

test('the answering side of a data-only link leaves media lines of an offer unanswered', async () => {
  calls.length = 0;
  const sent: unknown[] = [];
  const link = new PeerLink(options(false, sent));
  try {
    link.receive({ kind: 'description', description: { type: 'offer', sdp: 'v=0\r\nm=video 9 x\r\n' } });
    for (let i = 0; i < 20; i++) await Promise.resolve();
    assert.equal(offered.direction, 'inactive', 'the offered line is left as it is');
    assert.deepEqual(calls, []);
    assert.equal(sent.length, 1, 'answered');
  } finally {
    link.close();
  }
});

test('the link state follows the connection whichever event reports it, each change once', () => {
  const link = new PeerLink(options(true, []));
  const pc = link.pc as unknown as FakePeerConnection & {
    connectionState: RTCPeerConnectionState;
    onconnectionstatechange: (() => void) | null;
    oniceconnectionstatechange: (() => void) | null;
  };
  const states: string[] = [];
  link.on('state', (s) => states.push(s));
  try {
    // The connection is up, but only ICE's change is delivered.
    pc.connectionState = 'connected';
    pc.oniceconnectionstatechange?.();
    assert.equal(link.state, 'connected');
    pc.onconnectionstatechange?.();
    assert.deepEqual(states, ['connected'], 'the same change told twice is handled once');
    pc.connectionState = 'failed';
    pc.onconnectionstatechange?.();
    pc.oniceconnectionstatechange?.();
    assert.deepEqual(states, ['connected', 'reconnecting']);
  } finally {
    link.close();
  }
});
