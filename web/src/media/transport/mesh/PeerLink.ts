import {
  FILE_CONTROL_LABEL,
  type IceServer,
  type PublishedTrack,
  type SignalData,
  type TrackRole,
} from '@parley/protocol';
import { Emitter } from '../../../emitter';
import type { FrameCryptoHook } from '../../../e2ee/FrameCryptor';
import { sdpFingerprint } from '../../../e2ee/verification';
import { CONNECT_TIMEOUT_MS, DISCONNECTED_RESTART_MS, RESTART_TIMEOUT_MS } from '../../liveness';
import { decideOnDescription, isPolite } from './negotiation';
import { withStartBitrate } from './sdp';
import type { PreparedLink } from './preparedLink';
import { applyQuality, type SendQuality } from '../../quality';
import { addFirstOfferLines, peerConfiguration } from './peerConfig';
import { watchSetupMilestones } from './setupMarks';
import { announce, cameraTransceiver, remoteRole, rolesFrom } from './trackRoles';

/** Highest encoder start bitrate asked for, in kbps (the bandwidth estimate takes over from there). */
const START_BITRATE_MAX_KBPS = 1_000;

/** What a person sees of a link: set up, working, recovering, or given up. */
export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface PeerLinkOptions {
  localId: string;
  remoteId: string;
  iceServers: IceServer[];
  relayOnly: boolean;
  /** The local camera/microphone tracks (null when that device is off or missing). */
  tracks: { audio: MediaStreamTrack | null; video: MediaStreamTrack | null };
  /** True on the side that makes the first offer (the newcomer); the other waits for it. */
  initiator: boolean;
  /** The page's DTLS certificate (see certificate.ts); null or absent: the connection makes its own. */
  certificate?: RTCCertificate | null;
  /**
   * A connection made ahead of time with its offer already set (initiator only): it is sent at
   * once instead of being made now.
   */
  prepared?: PreparedLink | null;
  /** Multiplies the connect and restart timeouts (grows as a pair is rebuilt again and again). */
  patience?: number;
  /**
   * Data channels only, no media lines at all (the direct file path of a room whose media goes
   * through the forwarding unit). Default false.
   */
  dataOnly?: boolean;
  /** End-to-end encryption of every sender and receiver (E2EE rooms); null or absent: none. */
  frameCrypto?: FrameCryptoHook | null;
  send(data: SignalData): void;
}

export interface PeerLinkEvents {
  state: (state: LinkState) => void;
  /** The remote stream gained or lost a track. */
  tracks: () => void;
  /** The remote side opened a data channel (the control channel on the answering side, files). */
  datachannel: (channel: RTCDataChannel) => void;
  /** A remote track beyond the camera and microphone (a screen share), with its stream and role. */
  'extra-track': (track: MediaStreamTrack, stream: MediaStream | null, role: TrackRole) => void;
  /** Diagnostics for logs and tests; never shown to users as-is. */
  warning: (message: string, err?: unknown) => void;
  /**
   * The connection did not come up (or back) in time, or its transport is gone: the owner
   * should replace this link with a new one.
   */
  stuck: (why: string) => void;
}

/**
 * One RTCPeerConnection to one remote participant, negotiated with the perfect-negotiation
 * pattern. Each side has exactly one audio and one video transceiver for the camera and
 * microphone, so device changes use replaceTrack and never renegotiate. Inbound signals are
 * handled one at a time, in order. Every description carries the role of each track its sender
 * sends (by transceiver `mid`); a description without them (a version-1 client) falls back to
 * order: the first audio and video transceivers are the microphone and camera.
 */
export class PeerLink extends Emitter<PeerLinkEvents> {
  readonly pc: RTCPeerConnection;
  readonly remoteId: string;
  readonly polite: boolean;
  readonly remoteStream = new MediaStream();
  #state: LinkState = 'connecting';
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswer = false;
  /** True until a prepared offer is sent (its candidates so far are in its SDP). */
  #holdCandidates = false;
  #inbox: Promise<void> = Promise.resolve();
  #tracks: PeerLinkOptions['tracks'];
  #audio: RTCRtpTransceiver | null = null;
  #video: RTCRtpTransceiver | null = null;
  /** The roles of the extra tracks this side sends (screens). */
  readonly #extraRoles = new Map<RTCRtpTransceiver, TrackRole>();
  /** The remote side's track roles by mid, from its last description (null: it sends none). */
  #remoteRoles: Map<string, TrackRole> | null = null;
  #disconnectedTimer: ReturnType<typeof setTimeout> | null = null;
  /** The connection state last acted on (each change is handled once, whichever event tells it). */
  #seenConnectionState: RTCPeerConnectionState = 'new';
  /** The control data channel: opened by the initiator with the first offer, so later channels need no renegotiation. */
  #control: RTCDataChannel | null = null;
  /** Fires `stuck` if the link is not connected in time (armed while not connected). */
  #watchdog: ReturnType<typeof setTimeout> | null = null;
  /** Wanted camera encoding limits (null = none); applied once the sender is negotiated. */
  #quality: SendQuality | null = null;
  #qualityQueue: Promise<void> = Promise.resolve();
  readonly #patience: number;
  readonly #dataOnly: boolean;
  readonly #localId: string;
  readonly #send: (data: SignalData) => void;
  readonly #frameCrypto: FrameCryptoHook | null;

  constructor(opts: PeerLinkOptions) {
    super();
    this.remoteId = opts.remoteId;
    this.polite = isPolite(opts.localId, opts.remoteId);
    this.#localId = opts.localId;
    this.#send = opts.send;
    this.#patience = opts.patience ?? 1;
    this.#dataOnly = opts.dataOnly ?? false;
    this.#frameCrypto = opts.frameCrypto ?? null;
    this.#tracks = { ...opts.tracks };
    // A prepared connection was made without the frame transform: never used for an E2EE link.
    const prepared = opts.initiator && !this.#frameCrypto ? (opts.prepared ?? null) : null;
    this.pc = prepared?.pc ?? new RTCPeerConnection({ ...peerConfiguration(opts), ...this.#frameCrypto?.peerConfig() });
    const pc = this.pc;
    watchSetupMilestones(pc, opts.remoteId);
    // Offers go through the same queue as inbound signals: one negotiation step at a time.
    pc.onnegotiationneeded = () => this.#enqueue(() => this.#offer());
    pc.onicecandidate = ({ candidate }) => {
      // Candidates of a prepared offer found before it is sent travel inside its SDP.
      if (this.#holdCandidates) return;
      this.#send({
        kind: 'candidate',
        candidate: candidate
          ? {
              candidate: candidate.candidate,
              sdpMid: candidate.sdpMid,
              sdpMLineIndex: candidate.sdpMLineIndex,
              usernameFragment: candidate.usernameFragment,
            }
          : null,
      });
    };
    pc.ontrack = ({ track, transceiver, streams }) => {
      this.#protect();
      const role = remoteRole(transceiver, this.pc.getTransceivers(), this.#remoteRoles);
      if (role !== 'camera' && role !== 'microphone') {
        this.emit('extra-track', track, streams[0] ?? null, role);
        return;
      }
      this.remoteStream.addTrack(track);
      track.addEventListener('ended', () => {
        this.remoteStream.removeTrack(track);
        this.emit('tracks');
      });
      this.emit('tracks');
    };
    pc.onconnectionstatechange = () => this.#onConnectionState();
    // The aggregate state is read again whenever ICE moves: a busy browser has been seen decoding
    // a link whose `connected` change never reached the page, leaving its tile "connecting…".
    pc.oniceconnectionstatechange = () => this.#onConnectionState();
    pc.ondatachannel = ({ channel }) => {
      if (channel.label === FILE_CONTROL_LABEL && !this.#control) this.#control = channel;
      this.emit('datachannel', channel);
    };
    if (prepared) {
      this.#audio = prepared.audio;
      this.#video = prepared.video;
      this.#control = prepared.control;
      this.#holdCandidates = true;
      this.#enqueue(() => this.#sendPreparedOffer(prepared));
    } else if (opts.initiator && this.#dataOnly) {
      this.#control = pc.createDataChannel(FILE_CONTROL_LABEL);
    } else if (opts.initiator) {
      const lines = addFirstOfferLines(pc, this.#tracks);
      this.#audio = lines.audio;
      this.#video = lines.video;
      this.#control = lines.control;
      this.#protect();
    }
    this.#arm(CONNECT_TIMEOUT_MS * this.#patience, 'not connected in time');
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Queue an inbound signal; signals are applied strictly in arrival order. */
  receive(data: SignalData): void {
    this.#enqueue(() => this.#apply(data));
  }

  #enqueue(step: () => Promise<void>): void {
    this.#inbox = this.#inbox.then(step).catch((err: unknown) => this.emit('warning', 'signal failed', err));
  }

  /** Limit the camera encoding (resolution, bitrate, frame rate); null lifts every limit. */
  setSendQuality(q: SendQuality | null): void {
    this.#quality = q;
    this.#applyQuality();
  }

  #applyQuality(): void {
    this.#qualityQueue = this.#qualityQueue
      .then(async () => {
        const sender = this.#video?.sender;
        if (!sender || this.#state === 'closed') return;
        const params = sender.getParameters();
        if (applyQuality(params, this.#quality)) await sender.setParameters(params);
      })
      .catch((err: unknown) => this.emit('warning', 'could not set the send quality', err));
  }

  /**
   * Fault injection for tests and diagnostics: close the underlying transport as a crash would,
   * leaving recovery to the normal path.
   */
  simulateTransportLoss(): void {
    if (this.#state === 'closed') return;
    this.pc.close();
    this.#setState('reconnecting');
    this.emit('stuck', 'transport lost');
  }

  /** Both sides' DTLS certificate fingerprints, once offer and answer are exchanged. */
  fingerprints(): { local: string; remote: string } | null {
    const local = sdpFingerprint(this.pc.localDescription?.sdp ?? '');
    const remote = sdpFingerprint(this.pc.remoteDescription?.sdp ?? '');
    return local && remote ? { local, remote } : null;
  }

  /** Swap the camera or microphone track without renegotiating. */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    this.#tracks[kind] = track;
    const tr = kind === 'audio' ? this.#audio : this.#video;
    if (!tr) return; // attached when the remote offer arrives
    await tr.sender.replaceTrack(track);
    if (track && tr.direction === 'recvonly') tr.direction = 'sendrecv';
  }

  /** This connection's raw WebRTC statistics. */
  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  /** The control data channel, or null until the remote side has opened it. */
  get controlChannel(): RTCDataChannel | null {
    return this.#control;
  }

  /** Open one more data channel (the connection already carries data: no renegotiation). */
  createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
    return this.pc.createDataChannel(label, init);
  }

  /** Send one more video or audio track (a screen share); renegotiates through negotiationneeded. */
  addExtraTrack(track: MediaStreamTrack, stream: MediaStream, role: TrackRole): RTCRtpTransceiver {
    const tr = this.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    this.#extraRoles.set(tr, role);
    this.#protect();
    return tr;
  }

  /** Stop sending an extra track; the remote side sees its track end. */
  removeExtraTrack(transceiver: RTCRtpTransceiver): void {
    if (this.#state === 'closed' || transceiver.currentDirection === 'stopped') return;
    transceiver.stop();
  }

  close(): void {
    if (this.#state === 'closed') return;
    if (this.#disconnectedTimer) clearTimeout(this.#disconnectedTimer);
    this.#disarm();
    this.pc.close();
    for (const t of this.remoteStream.getTracks()) this.remoteStream.removeTrack(t);
    this.#setState('closed');
    this.removeAllListeners();
  }

  async #offer(): Promise<void> {
    // Outside `stable` the browser fires negotiationneeded again once it gets back there.
    if (this.#state === 'closed' || this.pc.signalingState !== 'stable') return;
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      const d = this.pc.localDescription;
      if (d && (d.type === 'offer' || d.type === 'answer')) {
        performance.mark(`parley:offer-sent:${this.remoteId}`);
        this.#send({ kind: 'description', description: { type: d.type, sdp: d.sdp }, tracks: this.#localTracks() });
      }
    } catch (err) {
      this.emit('warning', 'could not make an offer', err);
    } finally {
      this.#makingOffer = false;
    }
  }

  /**
   * Send the offer of a connection prepared ahead of time, with every candidate gathered so far
   * in its SDP; later candidates trickle. The camera and microphone may have changed since it
   * was prepared: the senders take the current tracks (no renegotiation).
   */
  async #sendPreparedOffer(prepared: PreparedLink): Promise<void> {
    try {
      await prepared.ready;
    } catch {
      // The early offer failed: make one now, as an unprepared link does.
      this.#holdCandidates = false;
      return this.#offer();
    }
    for (const [tr, track] of [
      [this.#audio, this.#tracks.audio],
      [this.#video, this.#tracks.video],
    ] as const) {
      if (tr && tr.sender.track !== track) void tr.sender.replaceTrack(track);
    }
    const d = this.pc.localDescription;
    this.#holdCandidates = false;
    if (this.#state === 'closed' || !d || d.type !== 'offer' || this.pc.signalingState !== 'have-local-offer') return;
    // Diagnostics: this link's first offer was made on the pre-join screen.
    performance.mark(`parley:offer-prepared:${this.remoteId}`);
    performance.mark(`parley:offer-sent:${this.remoteId}`);
    this.#send({ kind: 'description', description: { type: 'offer', sdp: d.sdp }, tracks: this.#localTracks() });
    if (this.pc.iceGatheringState === 'complete') this.#send({ kind: 'candidate', candidate: null });
  }

  async #apply(data: SignalData): Promise<void> {
    if (this.#state === 'closed') return;
    const pc = this.pc;
    if (data.kind === 'candidate') {
      try {
        await pc.addIceCandidate(data.candidate ?? undefined);
      } catch (err) {
        if (!this.#ignoreOffer) this.emit('warning', 'could not add a candidate', err);
      }
      return;
    }
    const { description } = data;
    const decision = decideOnDescription(description.type, {
      polite: this.polite,
      makingOffer: this.#makingOffer,
      signalingState: pc.signalingState,
      settingRemoteAnswer: this.#settingRemoteAnswer,
    });
    this.#ignoreOffer = decision === 'ignore';
    if (this.#ignoreOffer) return;
    // Before setRemoteDescription: its track events read the roles.
    if (data.tracks) {
      this.#remoteRoles = rolesFrom(data.tracks, this.remoteId);
    }
    this.#settingRemoteAnswer = description.type === 'answer';
    try {
      // Start the camera encoder near its working rate, not at the browser's 300 kbps default:
      // the first frames arrive sooner and sharper.
      await pc.setRemoteDescription({
        type: description.type,
        sdp: withStartBitrate(description.sdp, this.#startKbps()),
      });
    } finally {
      this.#settingRemoteAnswer = false;
    }
    this.#protect();
    if (description.type !== 'offer') return;
    if (!this.#dataOnly) this.#attachCameraToOffer();
    await pc.setLocalDescription();
    const d = pc.localDescription;
    if (d && d.type === 'answer') {
      this.#send({ kind: 'description', description: { type: 'answer', sdp: d.sdp }, tracks: this.#localTracks() });
    }
  }

  /** Put the frame transform on every sender and receiver that has none yet (E2EE links). */
  #protect(): void {
    const fc = this.#frameCrypto;
    if (!fc || this.#state === 'closed') return;
    for (const tr of this.pc.getTransceivers()) {
      const kind = tr.receiver.track.kind === 'audio' ? 'audio' : 'video';
      fc.sender(tr.sender, kind);
      fc.receiver(tr.receiver, kind, this.remoteId);
    }
  }

  /** Encoder start bitrate: the room size's ceiling (see quality.ts), at most START_BITRATE_MAX_KBPS. */
  #startKbps(): number {
    const ceiling = this.#quality ? Math.round(this.#quality.maxBitrate / 1000) : START_BITRATE_MAX_KBPS;
    return Math.max(1, Math.min(START_BITRATE_MAX_KBPS, ceiling));
  }

  /** What this side sends, by mid: the camera, the microphone and any extra tracks. */
  #localTracks(): PublishedTrack[] {
    const roleOf = (t: RTCRtpTransceiver): TrackRole | undefined =>
      t === this.#audio ? 'microphone' : t === this.#video ? 'camera' : this.#extraRoles.get(t);
    return announce(this.pc.getTransceivers(), roleOf, this.#localId);
  }

  /** On the answering side, adopt the transceivers that carry the offerer's microphone and camera for ours. */
  #attachCameraToOffer(): void {
    for (const kind of ['audio', 'video'] as const) {
      if ((kind === 'audio' ? this.#audio : this.#video) !== null) continue;
      const tr = cameraTransceiver(this.pc.getTransceivers(), kind, this.#remoteRoles);
      if (!tr) continue;
      const track = this.#tracks[kind];
      void tr.sender.replaceTrack(track);
      tr.direction = track ? 'sendrecv' : 'recvonly';
      if (kind === 'audio') this.#audio = tr;
      else this.#video = tr;
    }
  }

  #onConnectionState(): void {
    const s = this.pc.connectionState;
    if (s === this.#seenConnectionState) return;
    this.#seenConnectionState = s;
    if (this.#disconnectedTimer && s !== 'disconnected') {
      clearTimeout(this.#disconnectedTimer);
      this.#disconnectedTimer = null;
    }
    switch (s) {
      case 'connected':
        performance.mark(`parley:connected:${this.remoteId}`);
        this.#disarm();
        this.#setState('connected');
        this.#applyQuality();
        break;
      case 'disconnected':
        this.#setState('reconnecting');
        this.#disconnectedTimer = setTimeout(() => this.restartIce(), DISCONNECTED_RESTART_MS);
        break;
      case 'failed':
        this.#setState('reconnecting');
        this.restartIce();
        break;
      case 'closed':
        this.#setState('closed');
        break;
      default:
        break;
    }
  }

  /** Gather fresh candidates and renegotiate (through the normal negotiationneeded path). */
  restartIce(): void {
    if (this.#state === 'closed' || this.pc.signalingState === 'closed') return;
    this.emit('warning', `ICE restart (${this.pc.connectionState})`);
    this.pc.restartIce();
    if (!this.#watchdog) this.#arm(RESTART_TIMEOUT_MS * this.#patience, 'ICE restart did not recover');
  }

  #arm(ms: number, why: string): void {
    this.#disarm();
    this.#watchdog = setTimeout(() => {
      this.#watchdog = null;
      if (this.#state !== 'connected' && this.#state !== 'closed') this.emit('stuck', why);
    }, ms);
  }

  #disarm(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = null;
  }

  #setState(state: LinkState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state', state);
  }
}
