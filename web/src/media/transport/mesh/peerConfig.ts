import { FILE_CONTROL_LABEL, type IceServer } from '@parley/protocol';

/**
 * The one place that says how a mesh peer connection is made: its configuration and the lines
 * of its first offer. PeerLink and the connection prepared on the pre-join screen both use it, so
 * a prepared offer is the offer the call would have made.
 */

export interface PeerConfigOptions {
  iceServers: IceServer[];
  /** Force TURN relay (diagnosis). */
  relayOnly: boolean;
  /** The page's DTLS certificate (null or absent: the connection makes its own). */
  certificate?: RTCCertificate | null;
}

export function peerConfiguration(o: PeerConfigOptions): RTCConfiguration {
  return {
    iceServers: o.iceServers,
    iceTransportPolicy: o.relayOnly ? 'relay' : 'all',
    bundlePolicy: 'max-bundle',
    ...(o.certificate ? { certificates: [o.certificate] } : {}),
  };
}

export interface FirstOfferLines {
  audio: RTCRtpTransceiver;
  video: RTCRtpTransceiver;
  control: RTCDataChannel;
}

/**
 * Add the first offer's lines in the order version-1 clients read roles by: the microphone, the
 * camera, then the control data channel (opened now so that later channels need no
 * renegotiation). A missing device still gets a receive-only line, so the other side's comes in.
 */
export function addFirstOfferLines(
  pc: Pick<RTCPeerConnection, 'addTransceiver' | 'createDataChannel'>,
  tracks: { audio: MediaStreamTrack | null; video: MediaStreamTrack | null },
): FirstOfferLines {
  const line = (kind: 'audio' | 'video'): RTCRtpTransceiver => {
    const track = tracks[kind];
    return track
      ? pc.addTransceiver(track, { direction: 'sendrecv' })
      : pc.addTransceiver(kind, { direction: 'recvonly' });
  };
  const audio = line('audio');
  const video = line('video');
  return { audio, video, control: pc.createDataChannel(FILE_CONTROL_LABEL) };
}
