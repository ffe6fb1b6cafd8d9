import { FILE_CONTROL_LABEL, type IceServer, type SignalData } from '@parley/protocol';
import { Emitter } from '../emitter';
import { decideOnDescription, isPolite } from './negotiation';

/** What a person sees of a link: set up, working, recovering, or given up. */
export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/** How long a link may stay `disconnected` before an ICE restart is tried. */
export const DISCONNECTED_RESTART_MS = 3_000;

export interface PeerLinkOptions {
  localId: string;
  remoteId: string;
  iceServers: IceServer[];
  relayOnly: boolean;
  /** The local camera/microphone tracks (null when that device is off or missing). */
  tracks: { audio: MediaStreamTrack | null; video: MediaStreamTrack | null };
  /** True on the side that makes the first offer (the newcomer); the other waits for it. */
  initiator: boolean;
  send(data: SignalData): void;
}

export interface PeerLinkEvents {
  state: (state: LinkState) => void;
  /** The remote stream gained or lost a track. */
  tracks: () => void;
  /** The remote side opened a data channel (the control channel on the answering side, files). */
  datachannel: (channel: RTCDataChannel) => void;
  /** A remote track beyond the camera and microphone (a screen share), with its stream. */
  'extra-track': (track: MediaStreamTrack, stream: MediaStream | null) => void;
  /** Diagnostics for logs and tests; never shown to users as-is. */
  warning: (message: string, err?: unknown) => void;
}

/**
 * One RTCPeerConnection to one remote participant, negotiated with the perfect-negotiation
 * pattern. Each side has exactly one audio and one video transceiver for the camera and
 * microphone, so device changes use replaceTrack and never renegotiate. Inbound signals are
 * handled one at a time, in order.
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
  #inbox: Promise<void> = Promise.resolve();
  #tracks: PeerLinkOptions['tracks'];
  #audio: RTCRtpTransceiver | null = null;
  #video: RTCRtpTransceiver | null = null;
  #disconnectedTimer: ReturnType<typeof setTimeout> | null = null;
  /** The control data channel: opened by the initiator with the first offer, so later channels need no renegotiation. */
  #control: RTCDataChannel | null = null;
  readonly #send: (data: SignalData) => void;

  constructor(opts: PeerLinkOptions) {
    super();
    this.remoteId = opts.remoteId;
    this.polite = isPolite(opts.localId, opts.remoteId);
    this.#send = opts.send;
    this.#tracks = { ...opts.tracks };
    this.pc = new RTCPeerConnection({
      iceServers: opts.iceServers,
      iceTransportPolicy: opts.relayOnly ? 'relay' : 'all',
      bundlePolicy: 'max-bundle',
    });
    const pc = this.pc;
    pc.onnegotiationneeded = () => void this.#offer();
    pc.onicecandidate = ({ candidate }) => {
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
      if (!this.#isCameraTransceiver(transceiver)) {
        this.emit('extra-track', track, streams[0] ?? null);
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
    pc.ondatachannel = ({ channel }) => {
      if (channel.label === FILE_CONTROL_LABEL && !this.#control) this.#control = channel;
      this.emit('datachannel', channel);
    };
    if (opts.initiator) {
      this.#audio = this.#addCameraTransceiver('audio');
      this.#video = this.#addCameraTransceiver('video');
      this.#control = pc.createDataChannel(FILE_CONTROL_LABEL);
    }
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Queue an inbound signal; signals are applied strictly in arrival order. */
  receive(data: SignalData): void {
    this.#inbox = this.#inbox
      .then(() => this.#apply(data))
      .catch((err: unknown) => this.emit('warning', 'signal failed', err));
  }

  /** Swap the camera or microphone track without renegotiating. */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    this.#tracks[kind] = track;
    const tr = kind === 'audio' ? this.#audio : this.#video;
    if (!tr) return; // attached when the remote offer arrives
    await tr.sender.replaceTrack(track);
    if (track && tr.direction === 'recvonly') tr.direction = 'sendrecv';
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
  addExtraTrack(track: MediaStreamTrack, stream: MediaStream): RTCRtpTransceiver {
    return this.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
  }

  /** Stop sending an extra track; the remote side sees its track end. */
  removeExtraTrack(transceiver: RTCRtpTransceiver): void {
    if (this.#state === 'closed' || transceiver.currentDirection === 'stopped') return;
    transceiver.stop();
  }

  close(): void {
    if (this.#state === 'closed') return;
    if (this.#disconnectedTimer) clearTimeout(this.#disconnectedTimer);
    this.pc.close();
    for (const t of this.remoteStream.getTracks()) this.remoteStream.removeTrack(t);
    this.#setState('closed');
    this.removeAllListeners();
  }

  #addCameraTransceiver(kind: 'audio' | 'video'): RTCRtpTransceiver {
    const track = this.#tracks[kind];
    return track
      ? this.pc.addTransceiver(track, { direction: 'sendrecv' })
      : this.pc.addTransceiver(kind, { direction: 'recvonly' });
  }

  async #offer(): Promise<void> {
    if (this.#state === 'closed') return;
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      const d = this.pc.localDescription;
      if (d && (d.type === 'offer' || d.type === 'answer')) {
        performance.mark(`parley:offer-sent:${this.remoteId}`);
        this.#send({ kind: 'description', description: { type: d.type, sdp: d.sdp } });
      }
    } catch (err) {
      this.emit('warning', 'could not make an offer', err);
    } finally {
      this.#makingOffer = false;
    }
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
    this.#settingRemoteAnswer = description.type === 'answer';
    try {
      await pc.setRemoteDescription(description);
    } finally {
      this.#settingRemoteAnswer = false;
    }
    if (description.type !== 'offer') return;
    this.#attachCameraToOffer();
    await pc.setLocalDescription();
    const d = pc.localDescription;
    if (d && d.type === 'answer') this.#send({ kind: 'description', description: { type: 'answer', sdp: d.sdp } });
  }

  /** The camera and microphone ride the first audio and the first video transceiver; others are extra. */
  #isCameraTransceiver(t: RTCRtpTransceiver): boolean {
    const kind = t.receiver.track.kind;
    return this.pc.getTransceivers().find((x) => x.receiver.track.kind === kind) === t;
  }

  /** On the answering side, adopt the first audio and video transceivers of the offer. */
  #attachCameraToOffer(): void {
    for (const kind of ['audio', 'video'] as const) {
      if ((kind === 'audio' ? this.#audio : this.#video) !== null) continue;
      const tr = this.pc
        .getTransceivers()
        .find((t) => t.receiver.track.kind === kind && t.currentDirection !== 'stopped');
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
    if (this.#disconnectedTimer && s !== 'disconnected') {
      clearTimeout(this.#disconnectedTimer);
      this.#disconnectedTimer = null;
    }
    switch (s) {
      case 'connected':
        performance.mark(`parley:connected:${this.remoteId}`);
        this.#setState('connected');
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
    if (this.#state === 'closed') return;
    this.pc.restartIce();
  }

  #setState(state: LinkState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state', state);
  }
}
