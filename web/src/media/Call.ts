import type {
  AccessClientEventName,
  AccessClientEvents,
  IceServer,
  MediaState,
  Participant,
  RoomState,
  SignalData,
} from '@parley/protocol';
import { Emitter } from '../emitter';
import { LOBBY_DENIED_TEXT, MUTED_BY_HOST_TEXT, removedText, waitingPhaseFor } from '../host/accessText';
import { SignalingClient, SignalingError } from '../signaling/SignalingClient';
import { getLocalMedia, type MediaProblem } from './localMedia';
import { PeerLink, type LinkState } from './PeerLink';

/** `password`: the room asks for a password; `lobby`: waiting for the host to admit us. */
export type CallPhase = 'idle' | 'starting' | 'password' | 'lobby' | 'joined' | 'reconnecting' | 'left' | 'failed';

export interface RemoteView {
  participant: Participant;
  stream: MediaStream;
  link: LinkState;
  /** Bumped when the remote stream's tracks change, so views can re-attach. */
  tracksVersion: number;
}

export interface CallSnapshot {
  phase: CallPhase;
  self: Participant | null;
  localStream: MediaStream | null;
  media: MediaState;
  mediaProblems: Partial<Record<'audio' | 'video', MediaProblem>>;
  remotes: RemoteView[];
  /** The reason the call failed or cannot proceed, as an error id and sentence. */
  error: { id: string; message: string } | null;
  /** The room's host, lock, password and lobby state (null until joined). */
  roomState: RoomState | null;
  /** A one-off notice for the person (for example: the host muted you). */
  notice: string | null;
  /** True while reconnecting because the server announced a restart (calls keep running). */
  serverRestarting?: boolean;
}

export interface CallEvents {
  change: (snapshot: CallSnapshot) => void;
  /** A peer link to `participantId` was created (features such as files and screen attach here). */
  'link-added': (participantId: string, link: PeerLink) => void;
  /** The peer link to `participantId` was closed. */
  'link-removed': (participantId: string) => void;
}

export interface CallOptions {
  room: string;
  name: string;
  /** Signaling server origin; defaults to the page's origin. */
  serverUrl?: string;
  /** Force TURN relay (diagnosis): `iceTransportPolicy: 'relay'`. */
  relayOnly?: boolean;
  /** Start with the microphone / camera turned off. */
  startMuted?: boolean;
  startCameraOff?: boolean;
  /** An invitation token (from an invitation link). */
  token?: string;
}

interface Remote {
  participant: Participant;
  link: PeerLink;
  tracksVersion: number;
}

/**
 * A call in one room: owns the signaling client, the local media and one PeerLink per remote
 * participant. No React here; the UI subscribes to `change` and reads `snapshot`.
 */
export class Call extends Emitter<CallEvents> {
  readonly room: string;
  readonly name: string;
  readonly #signaling: SignalingClient;
  readonly #relayOnly: boolean;
  readonly #remotes = new Map<string, Remote>();
  #phase: CallPhase = 'idle';
  #self: Participant | null = null;
  #resumeToken: string | null = null;
  #iceServers: IceServer[] = [];
  #local: MediaStream | null = null;
  #media: MediaState;
  #mediaProblems: CallSnapshot['mediaProblems'] = {};
  #error: CallSnapshot['error'] = null;
  #serverRestarting = false;
  #snapshot: CallSnapshot | null = null;
  #roomState: RoomState | null = null;
  #notice: string | null = null;
  #password: string | undefined;
  readonly #token: string | undefined;
  #offs: Array<() => void> = [];

  constructor(opts: CallOptions) {
    super();
    this.room = opts.room;
    this.name = opts.name;
    this.#relayOnly = opts.relayOnly ?? false;
    this.#token = opts.token;
    this.#media = { audio: !opts.startMuted, video: !opts.startCameraOff };
    this.#signaling = new SignalingClient(opts.serverUrl);
    const s = this.#signaling;
    this.#offs.push(
      s.on('participant-joined', ({ participant }) => this.#addRemote(participant, false)),
      s.on('participant-left', ({ id }) => this.#removeRemote(id)),
      s.on('participant-updated', ({ participant }) => {
        const r = this.#remotes.get(participant.id);
        if (r) {
          r.participant = participant;
          this.#changed();
        }
      }),
      s.on('signal', ({ from, data }) => this.#onSignal(from, data)),
      s.on('disconnected', (reason) => {
        if (this.#phase !== 'joined') return;
        if (reason === 'io client disconnect') return;
        this.#phase = 'reconnecting';
        this.#changed();
      }),
      s.on('connected', () => {
        if (this.#phase === 'reconnecting') void this.#rejoin();
      }),
      s.on('replaced', () => this.#fail('replaced', 'This call was opened in another tab.')),
      s.on('room-state', (state) => {
        this.#roomState = state;
        this.#changed();
      }),
      s.on('removed', ({ reason, banSeconds }) => this.#fail(reason, removedText(reason, banSeconds))),
      s.on('mute-request', () => {
        this.#notice = MUTED_BY_HOST_TEXT;
        this.setAudioEnabled(false);
      }),
      s.on('lobby-admitted', () => {
        if (this.#phase === 'lobby') void this.#enter().catch((err: unknown) => this.#failWith(err));
      }),
      s.on('lobby-denied', () => {
        if (this.#phase === 'lobby') this.#fail('lobby-denied', LOBBY_DENIED_TEXT);
      }),
      s.on('server-shutdown', () => {
        if (this.#phase !== 'joined') return;
        // Peer connections keep the call going; signaling reconnects and rejoins by itself.
        this.#phase = 'reconnecting';
        this.#serverRestarting = true;
        this.#changed();
      }),
    );
  }

  get snapshot(): CallSnapshot {
    if (!this.#snapshot) {
      this.#snapshot = {
        phase: this.#phase,
        self: this.#self,
        localStream: this.#local,
        media: { ...this.#media },
        mediaProblems: { ...this.#mediaProblems },
        remotes: [...this.#remotes.values()].map((r) => ({
          participant: r.participant,
          stream: r.link.remoteStream,
          link: r.link.state,
          tracksVersion: r.tracksVersion,
        })),
        error: this.#error,
        roomState: this.#roomState,
        notice: this.#notice,
        serverRestarting: this.#serverRestarting,
      };
    }
    return this.#snapshot;
  }

  /** The signaling client (chat rides on it). */
  get signaling(): SignalingClient {
    return this.#signaling;
  }

  /** The live peer links, by remote participant id. */
  links(): Map<string, PeerLink> {
    return new Map([...this.#remotes].map(([id, r]) => [id, r.link]));
  }

  /** Connect to the server and open the camera at the same time, then join the room. */
  async start(): Promise<void> {
    if (this.#phase !== 'idle') return;
    performance.mark('parley:start');
    this.#phase = 'starting';
    this.#changed();
    const connected = this.#signaling.connect().then(() => performance.mark('parley:signaling-connected'));
    const media = getLocalMedia({ audio: true, video: true }).then((m) => {
      performance.mark('parley:media-ready');
      return m;
    });
    try {
      const [local] = await Promise.all([media, connected]);
      if (this.#phase !== 'starting') {
        for (const t of local.stream.getTracks()) t.stop();
        return;
      }
      this.#local = local.stream;
      this.#mediaProblems = local.problems;
      this.#applyEnabled();
      await this.#enter();
    } catch (err) {
      this.#failWith(err);
    }
  }

  /** Try the room password (after the `password` phase); a wrong one returns to that phase. */
  async submitPassword(password: string): Promise<void> {
    if (this.#phase !== 'password') return;
    this.#password = password;
    this.#phase = 'starting';
    this.#changed();
    await this.#enter().catch((err: unknown) => this.#failWith(err));
  }

  /** A host action (lock, password, lobby, remove, mute, end, hand over, admit, deny). */
  hostAction<K extends AccessClientEventName>(event: K, payload: Parameters<AccessClientEvents[K]>[0]): Promise<void> {
    return this.#signaling.hostAction(event, payload);
  }

  dismissNotice(): void {
    this.#notice = null;
    this.#changed();
  }

  /** Join, or wait when the room asks for a password or holds us in its lobby. */
  async #enter(): Promise<void> {
    try {
      await this.#join();
    } catch (err) {
      const waiting = err instanceof SignalingError ? waitingPhaseFor(err.id) : null;
      if (!waiting || !(err instanceof SignalingError)) throw err;
      this.#phase = waiting;
      this.#error = { id: err.id, message: err.message };
      this.#changed();
    }
  }

  #failWith(err: unknown): void {
    const e = err instanceof SignalingError ? err : new SignalingError('unreachable', String(err));
    this.#fail(e.id, e.message);
  }

  setAudioEnabled(on: boolean): void {
    this.#media.audio = on;
    this.#applyEnabled();
    this.#changed();
  }

  setVideoEnabled(on: boolean): void {
    this.#media.video = on;
    this.#applyEnabled();
    this.#changed();
  }

  /** Leave the room and release everything. Idempotent. */
  async leave(): Promise<void> {
    if (this.#phase === 'left') return;
    const wasJoined = this.#phase === 'joined';
    this.#phase = 'left';
    if (wasJoined) await this.#signaling.leave();
    this.#teardown();
    this.#changed();
  }

  /** Raw WebRTC statistics per remote participant id (for diagnostics and tests). */
  async getStats(): Promise<Record<string, RTCStats[]>> {
    const out: Record<string, RTCStats[]> = {};
    for (const [id, r] of this.#remotes) {
      const report = await r.link.pc.getStats();
      out[id] = [...report.values()] as RTCStats[];
    }
    return out;
  }

  /** The media state that others see: a device counts as on only if it exists and is enabled. */
  #effectiveMedia(): MediaState {
    const has = (kind: 'audio' | 'video'): boolean =>
      (this.#local?.getTracks().some((t) => t.kind === kind) ?? false) && this.#media[kind];
    return { audio: has('audio'), video: has('video') };
  }

  #applyEnabled(): void {
    for (const t of this.#local?.getAudioTracks() ?? []) t.enabled = this.#media.audio;
    for (const t of this.#local?.getVideoTracks() ?? []) t.enabled = this.#media.video;
    if (this.#phase === 'joined') this.#signaling.setMedia(this.#effectiveMedia());
  }

  async #join(): Promise<void> {
    const reply = await this.#signaling.join({
      room: this.room,
      name: this.name,
      media: this.#effectiveMedia(),
      ...(this.#password !== undefined ? { password: this.#password } : {}),
      ...(this.#token !== undefined ? { token: this.#token } : {}),
      ...(this.#self && this.#resumeToken
        ? { resume: { participantId: this.#self.id, token: this.#resumeToken } }
        : {}),
    });
    performance.mark('parley:joined');
    if (this.#phase === 'left') return;
    this.#self = reply.self;
    this.#resumeToken = reply.resumeToken;
    this.#iceServers = reply.iceServers;
    this.#roomState = reply.roomState;
    this.#phase = 'joined';
    this.#error = null;
    this.#serverRestarting = false;
    // As the newcomer, offer to everyone already here at once.
    for (const p of reply.participants) this.#addRemote(p, true);
    this.#changed();
  }

  async #rejoin(): Promise<void> {
    try {
      await this.#enter();
    } catch (err) {
      const e = err instanceof SignalingError ? err : new SignalingError('unreachable', String(err));
      if (e.id === 'timeout' || e.id === 'shutting-down') {
        this.#phase = 'reconnecting';
        setTimeout(() => {
          if (this.#phase === 'reconnecting' && this.#signaling.connected) void this.#rejoin();
        }, 1_000);
        return;
      }
      this.#fail(e.id, e.message);
    }
  }

  #addRemote(participant: Participant, initiator: boolean): void {
    const self = this.#self;
    if (!self || participant.id === self.id) return;
    const existing = this.#remotes.get(participant.id);
    if (existing) {
      // Known already (a rejoin after a signaling outage): keep the working connection.
      existing.participant = participant;
      this.#changed();
      return;
    }
    const link = new PeerLink({
      localId: self.id,
      remoteId: participant.id,
      iceServers: this.#iceServers,
      relayOnly: this.#relayOnly,
      tracks: {
        audio: this.#local?.getAudioTracks()[0] ?? null,
        video: this.#local?.getVideoTracks()[0] ?? null,
      },
      initiator,
      send: (data) => this.#signaling.signal(participant.id, data),
    });
    const remote: Remote = { participant, link, tracksVersion: 0 };
    link.on('state', () => this.#changed());
    link.on('tracks', () => {
      remote.tracksVersion++;
      this.#changed();
    });
    link.on('warning', (message, err) => console.warn(`[parley] ${participant.id}: ${message}`, err));
    this.#remotes.set(participant.id, remote);
    this.emit('link-added', participant.id, link);
    this.#changed();
  }

  #removeRemote(id: string): void {
    const r = this.#remotes.get(id);
    if (!r) return;
    this.#remotes.delete(id);
    r.link.close();
    this.emit('link-removed', id);
    this.#changed();
  }

  #onSignal(from: string, data: SignalData): void {
    this.#remotes.get(from)?.link.receive(data);
  }

  #fail(id: string, message: string): void {
    this.#phase = 'failed';
    this.#error = { id, message };
    this.#teardown();
    this.#changed();
  }

  #teardown(): void {
    for (const r of this.#remotes.values()) r.link.close();
    this.#remotes.clear();
    for (const t of this.#local?.getTracks() ?? []) t.stop();
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#signaling.close();
  }

  #changed(): void {
    this.#snapshot = null;
    this.emit('change', this.snapshot);
  }
}
