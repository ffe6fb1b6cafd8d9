import { FILE_CONTROL_LABEL, type IceServer } from '@parley/protocol';
import { earlySignalingClient } from '../signaling/preconnect';
import { linkCertificate } from './transport/mesh/certificate';

/**
 * The newcomer's first peer connection, made on the pre-join screen while the person looks at
 * their preview: camera and microphone attached, offer set, candidates gathered. When the join
 * reply names someone already in the room, the offer goes to them at once instead of being
 * made then (see PeerLink's `prepared` option). Nobody is told anything before the join: the
 * connection only talks to the other side once the offer is sent.
 */
export interface PreparedLink {
  pc: RTCPeerConnection;
  audio: RTCRtpTransceiver | null;
  video: RTCRtpTransceiver | null;
  control: RTCDataChannel;
  relayOnly: boolean;
  /** The ICE server URLs the connection was made with (credentials aside). */
  iceUrls: string[];
  /** Settles once the offer is the local description (rejects if it could not be made). */
  ready: Promise<void>;
}

export interface PrepareOptions {
  stream: MediaStream;
  relayOnly: boolean;
  serverUrl?: string;
}

let prepared: PreparedLink | null = null;
/** Bumped on every prepare and discard: an older preparation still running gives up. */
let generation = 0;

/** The URLs of a list of ICE servers, in a form that compares equal for equal lists. */
export function iceUrlsOf(servers: IceServer[]): string[] {
  return servers.flatMap((s) => s.urls).sort();
}

/**
 * Make the first connection ready for these camera/microphone tracks (replacing an earlier one
 * made for other devices). Failures only mean the call makes its offers as usual.
 */
export async function prepareLink(opts: PrepareOptions): Promise<void> {
  if (typeof RTCPeerConnection === 'undefined') return;
  const mine = ++generation;
  discardPrepared(false);
  const client = earlySignalingClient(opts.serverUrl);
  if (!client) return;
  try {
    const [check, certificate] = await Promise.all([client.connect().then(() => client.check()), linkCertificate()]);
    if (mine !== generation) return;
    const pc = new RTCPeerConnection({
      iceServers: check.iceServers,
      iceTransportPolicy: opts.relayOnly ? 'relay' : 'all',
      bundlePolicy: 'max-bundle',
      ...(certificate ? { certificates: [certificate] } : {}),
    });
    const add = (kind: 'audio' | 'video'): RTCRtpTransceiver | null => {
      const track = kind === 'audio' ? opts.stream.getAudioTracks()[0] : opts.stream.getVideoTracks()[0];
      return track ? pc.addTransceiver(track, { direction: 'sendrecv' }) : null;
    };
    const audio = add('audio');
    const video = add('video');
    // Same order as PeerLink: audio, video, then the control channel.
    const control = pc.createDataChannel(FILE_CONTROL_LABEL);
    const ready = pc.setLocalDescription();
    ready.catch(() => undefined);
    prepared = {
      pc,
      audio,
      video,
      control,
      relayOnly: opts.relayOnly,
      iceUrls: iceUrlsOf(check.iceServers),
      ready,
    };
  } catch {
    // The server could not be asked, or the browser refused: nothing is prepared.
  }
}

/**
 * Take the prepared connection for a call that uses these tracks, ICE servers and policy, or
 * null. Whatever is not taken is closed: it is used once or not at all.
 */
/** What a call needs of the prepared connection. */
export interface PreparedWant {
  stream: Pick<MediaStream, 'getAudioTracks' | 'getVideoTracks'> | null;
  relayOnly: boolean;
  iceServers: IceServer[];
}

/**
 * Whether a prepared connection can serve the call: still open, same relay policy, the same
 * kinds of device (a camera or microphone that came or went would need another offer), and
 * the same ICE server URLs as the join reply hands out (credentials may differ).
 */
export function preparedFits(
  p: Pick<PreparedLink, 'audio' | 'video' | 'relayOnly' | 'iceUrls'> & {
    pc: Pick<RTCPeerConnection, 'signalingState'>;
  },
  want: PreparedWant,
): boolean {
  const urls = iceUrlsOf(want.iceServers);
  return (
    want.stream !== null &&
    p.pc.signalingState !== 'closed' &&
    p.relayOnly === want.relayOnly &&
    (p.audio !== null) === want.stream.getAudioTracks().length > 0 &&
    (p.video !== null) === want.stream.getVideoTracks().length > 0 &&
    urls.length === p.iceUrls.length &&
    urls.every((u, i) => u === p.iceUrls[i])
  );
}

/**
 * Take the prepared connection for a call that uses these tracks, ICE servers and policy, or
 * null. Whatever is not taken is closed: it is used once or not at all.
 */
export function takePrepared(want: PreparedWant): PreparedLink | null {
  const p = prepared;
  prepared = null;
  generation++;
  if (!p) return null;
  if (!preparedFits(p, want)) {
    p.pc.close();
    return null;
  }
  return p;
}

/** Close the prepared connection, if any (the person left the pre-join screen without joining). */
export function discardPrepared(cancelRunning = true): void {
  if (cancelRunning) generation++;
  prepared?.pc.close();
  prepared = null;
}
