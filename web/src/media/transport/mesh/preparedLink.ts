import type { IceServer } from '@parley/protocol';
import { earlySignalingClient } from '../../../signaling/preconnect';
import { linkCertificate } from './certificate';
import { addFirstOfferLines, peerConfiguration } from './peerConfig';

/**
 * The newcomer's first peer connection, made on the pre-join screen while the person looks at
 * their preview: camera and microphone attached, offer set, candidates gathered. When the join
 * reply names someone already in the room, the offer goes to them at once instead of being
 * made then (see PeerLink's `prepared` option). Nobody is told anything before the join: the
 * connection only talks to the other side once the offer is sent.
 */
export interface PreparedLink {
  pc: RTCPeerConnection;
  audio: RTCRtpTransceiver;
  video: RTCRtpTransceiver;
  control: RTCDataChannel;
  /** Which devices it sends (a missing one has a receive-only line). */
  sends: { audio: boolean; video: boolean };
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
  /** The room about to be joined and its invitation token: the server lends TURN only for them. */
  room?: string;
  token?: string;
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
    const [check, certificate] = await Promise.all([
      client.connect().then(() => client.check({ room: opts.room, token: opts.token })),
      linkCertificate(),
    ]);
    if (mine !== generation) return;
    const pc = new RTCPeerConnection(
      peerConfiguration({ iceServers: check.iceServers, relayOnly: opts.relayOnly, certificate }),
    );
    const tracks = { audio: opts.stream.getAudioTracks()[0] ?? null, video: opts.stream.getVideoTracks()[0] ?? null };
    // The same lines, in the same order, as a link's own first offer.
    const { audio, video, control } = addFirstOfferLines(pc, tracks);
    const ready = pc.setLocalDescription();
    ready.catch(() => undefined);
    prepared = {
      pc,
      audio,
      video,
      control,
      sends: { audio: tracks.audio !== null, video: tracks.video !== null },
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
  p: Pick<PreparedLink, 'sends' | 'relayOnly' | 'iceUrls'> & {
    pc: Pick<RTCPeerConnection, 'signalingState'>;
  },
  want: PreparedWant,
): boolean {
  const urls = iceUrlsOf(want.iceServers);
  return (
    want.stream !== null &&
    p.pc.signalingState !== 'closed' &&
    p.relayOnly === want.relayOnly &&
    p.sends.audio === want.stream.getAudioTracks().length > 0 &&
    p.sends.video === want.stream.getVideoTracks().length > 0 &&
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
