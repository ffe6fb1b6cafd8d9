import type {
  AnySignalData,
  AccessClientEventName,
  AccessClientEvents,
  IceServer,
  MediaState,
  Participant,
  RecordingClientEventName,
  RecordingClientEvents,
  RecordingState,
  RoomState,
  SfuPublish,
  SfuSubscribe,
} from '@parley/protocol';
import { Emitter } from '../emitter';
import { ChatCipher } from '../e2ee/chatCrypto';
import { FrameCryptor } from '../e2ee/FrameCryptor';
import { KeyRotation } from '../e2ee/KeyRotation';
import { verificationCode, type VerificationCode } from '../e2ee/verification';
import { LOBBY_DENIED_TEXT, MUTED_BY_HOST_TEXT, removedText, waitingPhaseFor } from '../host/accessText';
import { takeSignalingClient } from '../signaling/preconnect';
import { SignalingError, type SignalingClient } from '../signaling/SignalingClient';
import { detectCapabilities, type BrowserCapabilities } from './capabilities';
import { summarizeLinkStats, type LinkStats } from './transport/stats';
import { REJOIN_RETRY_MS, REJOIN_WAIT_MS } from './liveness';
import { getLocalMedia, type LocalMedia, type MediaProblem } from './localMedia';
import { browserTransports } from './transport/createTransport';
import { markOnce } from './transport/mesh/setupMarks';
import type {
  RemoteMedia,
  RemoteMediaState,
  Topology,
  Transport,
  TransportContext,
  TransportEvents,
  TransportFactory,
  ViewSize,
} from './transport/Transport';

/** Longest the replaced transport keeps showing media while a room moves to another topology. */
export const SWITCH_OVERLAP_MS = 8_000;

/** How often tiles are checked for the new path's video while a room moves. */
export const SWITCH_POLL_MS = 100;

/** A media path that carries the participant: connected, and its video (if any) has arrived. */
function carries(m: RemoteMedia | null): boolean {
  return m !== null && m.state === 'connected' && m.stream.getVideoTracks().every((t) => !t.muted);
}

/** `password`: the room asks for a password; `lobby`: waiting for the host to admit us. */
export type CallPhase = 'idle' | 'starting' | 'password' | 'lobby' | 'joined' | 'reconnecting' | 'left' | 'failed';

export interface RemoteView {
  participant: Participant;
  stream: MediaStream;
  /** The state of the media path to this participant. */
  state: RemoteMediaState;
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
  /** Who speaks now, when the server measures it (rooms through its forwarding unit); else null. */
  activeSpeaker: string | null;
  /** How the room's media travels (null until joined). */
  topology: Topology | null;
  /** Who records the call and the room's recording setting (null until joined, or from a server without it). */
  recording: RecordingState | null;
  /**
   * End-to-end encryption (null: the call is not encrypted): the participants whose media does
   * not decrypt with our room key (another key on one side or the other), and the key epoch we
   * encrypt with (0: the link's or passphrase's key; one more after each rotation, see
   * e2ee/KeyRotation.ts).
   */
  e2ee: { wrongKey: string[]; epoch: number } | null;
}

/**
 * The call's own `change`, and its transport's events passed through as they happen (features
 * subscribe before the call starts, when there is no transport yet).
 */
export interface CallEvents extends Pick<
  TransportEvents,
  'remote-added' | 'remote-removed' | 'remote-track' | 'datachannel'
> {
  change: (snapshot: CallSnapshot) => void;
  /** Who records changed: from a (re)join's reply (`join`) or announced by the server (`update`). */
  recording: (state: RecordingState, source: 'join' | 'update') => void;
}

/** Timers, so that tests can drive time. */
export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What a call works with; each defaults to the browser's own. Tests hand in fakes. */
export interface CallDeps {
  /** Default: the page's warmed-up signaling client for `serverUrl` (see preconnect.ts). */
  signaling?: SignalingClient;
  /** Makes the media transport the join reply's topology asks for. */
  transports?: TransportFactory;
  clock?: Clock;
  /** Opens the camera and microphone when no preview handed them over. */
  openMedia?: () => Promise<LocalMedia>;
  /** Where `pagehide` is watched (null: nowhere). */
  page?: Pick<Window, 'addEventListener' | 'removeEventListener'> | null;
  /** Frame encryption of an E2EE call. Default: a FrameCryptor with its worker. */
  frameCryptor?: (roomKey: Uint8Array<ArrayBuffer>) => FrameCryptor;
}

const realClock: Clock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

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
  /** Lower each camera stream's resolution, frame rate and bitrate as the room grows (default on). */
  adaptQuality?: boolean;
  /**
   * Camera and microphone already opened (the pre-join preview). `start()` takes ownership and
   * stops the tracks when the call ends; without it the call opens the default devices itself.
   */
  localMedia?: LocalMedia;
  /** An invitation token (from an invitation link). */
  token?: string;
  /**
   * The room key of an end-to-end encrypted call (from the link's fragment or a passphrase).
   * Absent: not encrypted. It never leaves the page; the join only says that the call is.
   */
  roomKey?: Uint8Array<ArrayBuffer>;
}

/**
 * Turns the microphone track into the track that is sent (noise suppression). The microphone
 * track stays the call's own: mute, the level meter and device pickers keep working on it.
 */
export interface AudioFilter {
  /**
   * The track to send for `microphone`; called again whenever the microphone track changes.
   * Must not throw: a filter that cannot process returns `microphone` itself.
   */
  apply(microphone: MediaStreamTrack): MediaStreamTrack;
}

interface Remote {
  participant: Participant;
  /** Not (yet) seen again in the room since our last rejoin. */
  unconfirmed: boolean;
}

/**
 * A call in one room: owns the session (phases, joining and rejoining), the signaling client,
 * the local media and who is in the room. How media travels is its transport's business (made
 * from the join reply's topology). No React here; the UI subscribes to `change` and reads
 * `snapshot`.
 */
export class Call extends Emitter<CallEvents> {
  readonly room: string;
  readonly name: string;
  /** What this browser supports (speaker choice, screen sharing, codecs), detected once. */
  readonly capabilities: BrowserCapabilities = detectCapabilities();
  readonly #signaling: SignalingClient;
  readonly #transports: TransportFactory;
  readonly #clock: Clock;
  readonly #openMedia: () => Promise<LocalMedia>;
  readonly #page: CallDeps['page'];
  readonly #relayOnly: boolean;
  readonly #adaptQuality: boolean;
  readonly #remotes = new Map<string, Remote>();
  #transport: Transport | null = null;
  #staleCheck: unknown = null;
  /** A rejoin is waiting for its answer: never two joins on one connection at once. */
  #rejoining = false;
  #rejoinRetry: unknown = null;
  /** Signaling connections lost so far (a join whose connection dropped lost its answer too). */
  #drops = 0;
  #phase: CallPhase = 'idle';
  #self: Participant | null = null;
  #resumeToken: string | null = null;
  #iceServers: IceServer[] = [];
  #local: MediaStream | null = null;
  #audioFilter: AudioFilter | null = null;
  /** The filter's output for the current microphone track (null: the microphone goes out as is). */
  #sentAudio: MediaStreamTrack | null = null;
  #media: MediaState;
  #mediaProblems: CallSnapshot['mediaProblems'] = {};
  #error: CallSnapshot['error'] = null;
  #serverRestarting = false;
  #snapshot: CallSnapshot | null = null;
  #roomState: RoomState | null = null;
  #recording: RecordingState | null = null;
  #notice: string | null = null;
  #password: string | undefined;
  readonly #token: string | undefined;
  #offs: Array<() => void> = [];
  #preopened: LocalMedia | null;
  readonly #roomKey: Uint8Array<ArrayBuffer> | null;
  readonly #makeCryptor: (roomKey: Uint8Array<ArrayBuffer>) => FrameCryptor;
  #cryptor: FrameCryptor | null = null;
  #chatCipher: ChatCipher | null = null;
  /** New room keys when someone leaves an E2EE room (made at the first join). */
  #rotation: KeyRotation | null = null;
  #keyEpoch = 0;
  #wrongKey: string[] = [];
  #tearingDown = false;
  #activeSpeaker: string | null = null;
  /** Unsubscribes from the current transport's events. */
  #transportOffs: Array<() => void> = [];
  /** The transport being replaced after the room changed topology; its media shows until the new one carries it. */
  #retiring: { transport: Transport; timer: unknown; poll: unknown; ready: string } | null = null;

  constructor(opts: CallOptions, deps: CallDeps = {}) {
    super();
    this.room = opts.room;
    this.name = opts.name;
    this.#relayOnly = opts.relayOnly ?? false;
    this.#adaptQuality = opts.adaptQuality ?? true;
    this.#token = opts.token;
    this.#media = { audio: !opts.startMuted, video: !opts.startCameraOff };
    this.#preopened = opts.localMedia ?? null;
    this.#roomKey = opts.roomKey ?? null;
    this.#makeCryptor = deps.frameCryptor ?? ((key) => new FrameCryptor(key));
    if (this.#roomKey) this.#chatCipher = new ChatCipher(this.#roomKey);
    this.#signaling = deps.signaling ?? takeSignalingClient(opts.serverUrl);
    this.#transports = deps.transports ?? browserTransports();
    this.#clock = deps.clock ?? realClock;
    this.#openMedia = deps.openMedia ?? (() => getLocalMedia({ audio: true, video: true }));
    this.#page = deps.page === undefined ? window : deps.page;
    const s = this.#signaling;
    this.#offs.push(
      s.on('participant-joined', ({ participant }) => {
        const known = this.#remotes.get(participant.id);
        if (known) {
          // Back after its own signaling outage.
          known.unconfirmed = false;
          known.participant = participant;
          this.#rotation?.peerJoined(participant.id);
          this.#transport?.participantReturned(participant.id);
          this.#changed();
          return;
        }
        // Set-up diagnostics (see transport/mesh/setupMarks.ts): when the room told us of them.
        markOnce(`parley:participant-joined:${participant.id}`);
        if (!this.#addRemote(participant)) return;
        this.#rotation?.peerJoined(participant.id);
        this.#transport?.participantJoined(participant.id);
      }),
      s.on('participant-left', ({ id }) => this.#removeRemote(id, 'left')),
      s.on('participant-updated', ({ participant }) => {
        const r = this.#remotes.get(participant.id);
        if (r) {
          r.participant = participant;
          this.#changed();
        }
      }),
      s.on('signal', ({ from, data }) => this.#onSignal(from, data)),
      s.on('disconnected', (reason) => {
        this.#drops++;
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
      s.on('recording-state', (state) => {
        this.#recording = state;
        this.#changed();
        this.emit('recording', state, 'update');
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
      s.on('topology', ({ topology }) => {
        if (this.#phase === 'joined' && this.#transport && this.#transport.topology !== topology) {
          this.#switchTopology(topology);
          this.#transport.enterRoom([...this.#remotes.keys()]);
          this.#changed();
        }
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
        remotes: [...this.#remotes.values()].flatMap((r) => {
          const m = this.#remoteMedia(r.participant.id);
          return m
            ? [{ participant: r.participant, stream: m.stream, state: m.state, tracksVersion: m.tracksVersion }]
            : [];
        }),
        error: this.#error,
        roomState: this.#roomState,
        notice: this.#notice,
        serverRestarting: this.#serverRestarting,
        activeSpeaker: this.#activeSpeaker,
        topology: this.#transport?.topology ?? null,
        recording: this.#recording,
        e2ee: this.#roomKey ? { wrongKey: this.#wrongKey, epoch: this.#keyEpoch } : null,
      };
    }
    return this.#snapshot;
  }

  /**
   * A participant's media: from the current transport, or while the room moves to another
   * topology from the one being replaced, until the new path is up.
   */
  #remoteMedia(id: string): ReturnType<Transport['remote']> {
    const m = this.#transport?.remote(id) ?? null;
    if (!this.#retiring || carries(m)) return m;
    return this.#retiring.transport.remote(id) ?? m;
  }

  /**
   * How large the participant's camera or screen is shown (null: not shown), so that a room
   * through the forwarding unit sends a layer that fits, or no video for a hidden tile.
   */
  setView(participantId: string, role: 'camera' | 'screen', size: ViewSize): void {
    this.#transport?.setView(participantId, role, size);
  }

  /** Seals and opens chat texts of an E2EE call (null: the call is not encrypted). */
  get chatCipher(): ChatCipher | null {
    return this.#chatCipher;
  }

  /** The signaling client (chat rides on it). */
  get signaling(): SignalingClient {
    return this.#signaling;
  }

  /** The media transport (null until the first join reply names the room's topology). */
  get transport(): Transport | null {
    return this.#transport;
  }

  /** Connect to the server and open the camera at the same time, then join the room. */
  async start(): Promise<void> {
    if (this.#phase !== 'idle') return;
    // Closing the tab says goodbye at once instead of leaving the others to notice the drop.
    const page = this.#page;
    if (page) {
      page.addEventListener('pagehide', this.#onPageHide);
      this.#offs.push(() => page.removeEventListener('pagehide', this.#onPageHide));
    }
    performance.mark('parley:start');
    this.#phase = 'starting';
    this.#changed();
    const connected = this.#signaling.connect().then(() => performance.mark('parley:signaling-connected'));
    const preopened = this.#preopened;
    this.#preopened = null;
    const media = (preopened ? Promise.resolve(preopened) : this.#openMedia()).then((m) => {
      performance.mark('parley:media-ready');
      return m;
    });
    try {
      const [local] = await Promise.all([media, connected, this.#transports.warmUp()]);
      if (this.#phase !== 'starting') {
        for (const t of local.stream.getTracks()) t.stop();
        return;
      }
      this.#local = local.stream;
      this.#filterAudio();
      this.#mediaProblems = local.problems;
      this.#applyEnabled();
      const drops = this.#drops;
      try {
        await this.#enter();
      } catch (err) {
        // The connection dropped while the join was on its way, and its answer with it: join
        // again once the connection is back, as after any drop, rather than give up.
        const lost = err instanceof SignalingError && (err.id === 'timeout' || err.id === 'unreachable');
        if (!lost || this.#drops === drops || this.#phase !== 'starting') throw err;
        this.#phase = 'reconnecting';
        this.#changed();
        if (this.#signaling.connected) void this.#rejoin();
      }
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

  /** Announce a recording's start or stop, or (host) set who may record. */
  recordingAction<K extends RecordingClientEventName>(
    event: K,
    payload: Parameters<RecordingClientEvents[K]>[0],
  ): Promise<void> {
    return this.#signaling.recording(event, payload);
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

  /**
   * Put a new camera or microphone track in place of the current one (or add it when that kind
   * was missing) on every peer connection with replaceTrack: no renegotiation. The old track is
   * stopped. The new track follows the current mute / camera-off state.
   */
  async replaceLocalTrack(track: MediaStreamTrack): Promise<void> {
    const kind = track.kind === 'audio' ? 'audio' : 'video';
    if (this.#phase === 'left' || this.#phase === 'failed') {
      track.stop();
      return;
    }
    track.enabled = this.#media[kind];
    const old = this.#local?.getTracks().filter((t) => t.kind === kind) ?? [];
    const others = this.#local?.getTracks().filter((t) => t.kind !== kind) ?? [];
    // A new stream object, so views re-attach the preview.
    this.#local = new MediaStream([...others, track]);
    delete this.#mediaProblems[kind];
    if (kind === 'audio') this.#filterAudio();
    await this.#transport?.replaceTrack(kind, (kind === 'audio' ? this.#sentAudio : null) ?? track);
    for (const t of old) if (t !== track) t.stop();
    if (this.#phase === 'joined') this.#signaling.setMedia(this.#effectiveMedia());
    this.#changed();
  }

  /**
   * Send the microphone through `filter` (null: send it as is), swapped in on every connection
   * with replaceTrack, the same path as a microphone change: no renegotiation.
   */
  async setAudioFilter(filter: AudioFilter | null): Promise<void> {
    if (this.#phase === 'left' || this.#phase === 'failed') return;
    this.#audioFilter = filter;
    this.#filterAudio();
    const microphone = this.#local?.getAudioTracks()[0];
    if (microphone) await this.#transport?.replaceTrack('audio', this.#sentAudio ?? microphone);
  }

  /** The audio track that goes out: the filter's output, else the microphone's own. */
  get sentAudioTrack(): MediaStreamTrack | null {
    return this.#sentAudio ?? this.#local?.getAudioTracks()[0] ?? null;
  }

  #filterAudio(): void {
    const microphone = this.#local?.getAudioTracks()[0];
    const sent = microphone && this.#audioFilter ? this.#audioFilter.apply(microphone) : null;
    this.#sentAudio = sent === microphone ? null : sent;
  }

  /** The local camera/microphone tracks now in use (for device pickers). */
  get localTracks(): MediaStreamTrack[] {
    return this.#local?.getTracks() ?? [];
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

  /**
   * Fault injection for tests and diagnostics: close the transport to one participant as a
   * crash would; the call recovers it without a reload.
   */
  simulateTransportLoss(remoteId: string): void {
    this.#transport?.simulateTransportLoss(remoteId);
  }

  /**
   * The code two people in an end-to-end encrypted room compare to know that nobody sits between
   * their direct connection: from the room key and the certificate fingerprints each side sees.
   * Null outside E2EE rooms, before the connection's offer and answer, and without a direct
   * connection (through the forwarding unit the room key alone protects the media).
   */
  async verificationCode(participantId: string): Promise<VerificationCode | null> {
    const fingerprints = this.#transport?.fingerprints(participantId) ?? null;
    if (!this.#roomKey || !this.#self || !fingerprints) return null;
    return verificationCode(
      this.#roomKey,
      { id: this.#self.id, identities: [fingerprints.local] },
      { id: participantId, identities: [fingerprints.remote] },
    );
  }

  /** Raw WebRTC statistics per remote participant id (for diagnostics and tests). */
  async getStats(): Promise<Record<string, RTCStats[]>> {
    return (await this.#transport?.stats()) ?? {};
  }

  /** Per remote participant id: the link's statistics, summarised the same way in every browser. */
  async getLinkStats(): Promise<Record<string, LinkStats>> {
    const out: Record<string, LinkStats> = {};
    for (const [id, report] of Object.entries(await this.getStats())) out[id] = summarizeLinkStats(report);
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
      topologies: [...this.#transports.topologies],
      ...(this.#password !== undefined ? { password: this.#password } : {}),
      ...(this.#token !== undefined ? { token: this.#token } : {}),
      ...(this.#self && this.#resumeToken
        ? { resume: { participantId: this.#self.id, token: this.#resumeToken } }
        : {}),
      // Rejoining: a room the server made again (after a restart) keeps the way it travelled.
      ...(this.#self && this.#transport ? { topology: this.#transport.topology } : {}),
      ...(this.#roomKey ? { e2ee: true } : {}),
    });
    performance.mark('parley:joined');
    if (this.#phase === 'left') return;
    this.#self = reply.self;
    if (this.#roomKey) {
      this.#frameCryptor().setSelf(reply.self.id);
      this.#keyRotation(reply.self.id).enter(reply.participants.map((p) => p.id).filter((id) => id !== reply.self.id));
    }
    this.#resumeToken = reply.resumeToken;
    this.#iceServers = reply.iceServers;
    this.#roomState = reply.roomState;
    this.#recording = reply.recording ?? null;
    this.#phase = 'joined';
    this.#error = null;
    this.#serverRestarting = false;
    const present = new Set(reply.participants.map((p) => p.id));
    for (const r of this.#remotes.values()) r.unconfirmed = !present.has(r.participant.id);
    const here = reply.participants.filter((p) => this.#addRemote(p, false)).map((p) => p.id);
    // A server before protocol version 2 names no topology: its rooms are meshes.
    const topology = reply.topology ?? 'mesh';
    if (!this.#transport) this.#transport = this.#openTransport(topology);
    // Back after a server restart, the room may travel another way now.
    else if (this.#transport.topology !== topology) this.#switchTopology(topology);
    const transport = this.#transport;
    // As the newcomer, we open the media paths to everyone already here.
    transport.enterRoom(here);
    if ([...this.#remotes.values()].some((r) => r.unconfirmed)) this.#scheduleStaleCheck();
    this.#changed();
    if (this.#recording) this.emit('recording', this.#recording, 'join');
  }

  /**
   * The room now travels another way (it outgrew the mesh, or came back so after a server
   * restart). Features let go of the old paths at once (`remote-removed`) and attach to the new
   * ones as they open; the old transport's media keeps showing until the new transport carries
   * each participant, or SWITCH_OVERLAP_MS have passed, then it is closed.
   */
  #switchTopology(topology: Topology): void {
    const old = this.#transport;
    if (!old) return;
    for (const off of this.#transportOffs) off();
    this.#transportOffs = [];
    this.#endRetiring();
    for (const id of old.participantIds()) this.emit('remote-removed', id);
    this.#retiring = {
      transport: old,
      timer: this.#clock.setTimeout(() => this.#endRetiring(), SWITCH_OVERLAP_MS),
      poll: null,
      ready: '',
    };
    this.#transport = this.#openTransport(topology);
    this.#pollRetiring();
  }

  /** Close the replaced transport once the new one carries everyone it carried. */
  #checkRetiring(): void {
    const r = this.#retiring;
    const t = this.#transport;
    if (!r || !t) return;
    if (r.transport.participantIds().every((id) => !this.#remotes.has(id) || carries(t.remote(id)))) {
      this.#endRetiring();
    }
  }

  /**
   * While a room moves, tiles change over as each new path starts carrying video (a remote track
   * is muted until its first packets): look again every SWITCH_POLL_MS.
   */
  #pollRetiring(): void {
    const r = this.#retiring;
    if (!r) return;
    const ready = [...this.#remotes.keys()].filter((id) => carries(this.#transport?.remote(id) ?? null)).join(',');
    if (ready !== r.ready) {
      r.ready = ready;
      this.#checkRetiring();
      if (!this.#tearingDown) this.#changed();
    }
    if (this.#retiring === r) r.poll = this.#clock.setTimeout(() => this.#pollRetiring(), SWITCH_POLL_MS);
  }

  #endRetiring(): void {
    const r = this.#retiring;
    if (!r) return;
    this.#retiring = null;
    this.#clock.clearTimeout(r.timer);
    if (r.poll !== null) this.#clock.clearTimeout(r.poll);
    r.transport.close();
    if (!this.#tearingDown) this.#changed();
  }

  /** Make the transport for the room's topology and pass its events on. */
  #openTransport(topology: Topology): Transport {
    const ctx = this.#transportContext();
    const t = this.#transports.create(topology, ctx);
    // While the call tears down, one `change` follows at the end instead of one per path.
    const changed = (): void => {
      if (this.#tearingDown) return;
      this.#checkRetiring();
      this.#changed();
    };
    this.#transportOffs.push(
      t.on('remote-added', (id) => {
        this.emit('remote-added', id);
        changed();
      }),
      t.on('remote-removed', (id) => {
        this.emit('remote-removed', id);
        changed();
      }),
      t.on('remote-changed', changed),
      t.on('remote-track', (id, track, role, stream) => this.emit('remote-track', id, track, role, stream)),
      t.on('datachannel', (id, channel) => this.emit('datachannel', id, channel)),
      t.on('active-speaker', (id) => {
        if (this.#activeSpeaker === id) return;
        this.#activeSpeaker = id;
        changed();
      }),
    );
    return t;
  }

  /**
   * The call's key rotation, made at the first join of an E2EE call (made again, from the link's
   * key, if a rejoin brought another participant id: the others treat it as someone new).
   */
  #keyRotation(selfId: string): KeyRotation {
    if (this.#rotation?.selfId === selfId) return this.#rotation;
    const cryptor = this.#frameCryptor();
    const cipher = this.#chatCipher!;
    const linkKey = this.#roomKey!;
    if (this.#rotation) {
      this.#rotation.close();
      cryptor.addKey(linkKey, 0);
      cipher.add(linkKey, 0);
    }
    const switchTo = (epoch: number): void => {
      performance.mark(`parley:key-epoch-${epoch}`);
      cryptor.useEpoch(epoch);
      cipher.use(epoch);
      this.#keyEpoch = epoch;
      this.#changed();
    };
    if (this.#keyEpoch !== 0) switchTo(0);
    this.#rotation = new KeyRotation({
      room: this.room,
      selfId,
      linkKey,
      send: (to, body) => this.#signaling.signal(to, { kind: 'e2ee', body }),
      addKey: (epoch, key) => {
        cryptor.addKey(key, epoch);
        cipher.add(key, epoch);
      },
      useEpoch: switchTo,
      admitNewcomer: (id, ms) => cryptor.admit(id, ms),
      setTimeout: (fn, ms) => this.#clock.setTimeout(fn, ms),
      clearTimeout: (handle) => this.#clock.clearTimeout(handle),
      warn: (message) => console.warn(`[parley] e2ee: ${message}`),
    });
    return this.#rotation;
  }

  /** The call's frame encryption, made at the first join of an E2EE call. */
  #frameCryptor(): FrameCryptor {
    if (!this.#cryptor) {
      const cryptor = this.#makeCryptor(this.#roomKey!);
      this.#cryptor = cryptor;
      cryptor.on('report', () => {
        const failing = cryptor.failing().filter((id) => this.#remotes.has(id));
        if (failing.join() === this.#wrongKey.join()) return;
        this.#wrongKey = failing;
        this.#changed();
      });
    }
    return this.#cryptor;
  }

  #transportContext(): TransportContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const call = this;
    return {
      get selfId() {
        return call.#self?.id ?? '';
      },
      get iceServers() {
        return call.#iceServers;
      },
      relayOnly: this.#relayOnly,
      adaptQuality: this.#adaptQuality,
      localTrack: (kind) => (kind === 'audio' ? this.sentAudioTrack : (this.#local?.getVideoTracks()[0] ?? null)),
      signal: (to, data) => this.#signaling.signal(to, data),
      sfu: {
        negotiate: ((connection: 'publish' | 'subscribe', req: SfuPublish & SfuSubscribe) =>
          connection === 'publish'
            ? this.#signaling.sfuNegotiate('sfu-publish', req)
            : this.#signaling.sfuNegotiate('sfu-subscribe', req)) as TransportContext['sfu']['negotiate'],
        view: (req) => this.#signaling.sfuView(req),
      },
      onServer: (event, listener) => this.#signaling.on(event, listener),
      canSignal: () => this.#phase === 'joined' && this.#signaling.connected,
      warn: (id, message, err) => console.warn(`[parley] ${id}: ${message}`, err ?? ''),
      frameCrypto: this.#cryptor,
    };
  }

  /**
   * After a rejoin, drop remotes the server has not announced again within REJOIN_WAIT_MS,
   * unless media from them still flows (then they are only slower to come back).
   */
  #scheduleStaleCheck(): void {
    if (this.#staleCheck) this.#clock.clearTimeout(this.#staleCheck);
    this.#staleCheck = this.#clock.setTimeout(() => {
      this.#staleCheck = null;
      if (this.#phase !== 'joined') return;
      let waiting = false;
      for (const r of [...this.#remotes.values()]) {
        if (!r.unconfirmed) continue;
        if (this.#transport?.remote(r.participant.id)?.state === 'connected') waiting = true;
        else this.#removeRemote(r.participant.id, 'stale');
      }
      if (waiting) this.#scheduleStaleCheck();
    }, REJOIN_WAIT_MS);
  }

  /**
   * Join again after signaling came back. One at a time: a retry that comes due while a join is
   * still out (the connection came back meanwhile and started one) waits for its answer, since
   * a second join on the same connection would be refused as already joined.
   */
  async #rejoin(): Promise<void> {
    if (this.#rejoining) return;
    if (this.#rejoinRetry !== null) this.#clock.clearTimeout(this.#rejoinRetry);
    this.#rejoinRetry = null;
    this.#rejoining = true;
    try {
      await this.#enter();
    } catch (err) {
      const e = err instanceof SignalingError ? err : new SignalingError('unreachable', String(err));
      // Passing refusals: a restarting server, or servers that cannot reach Redis for a moment.
      if (e.id === 'timeout' || e.id === 'shutting-down' || e.id === 'cluster-unavailable') {
        this.#phase = 'reconnecting';
        this.#rejoinRetry = this.#clock.setTimeout(() => {
          this.#rejoinRetry = null;
          if (this.#phase === 'reconnecting' && this.#signaling.connected) void this.#rejoin();
        }, REJOIN_RETRY_MS);
        return;
      }
      this.#fail(e.id, e.message);
    } finally {
      this.#rejoining = false;
    }
  }

  /**
   * Note a participant (known already after a rejoin: keep it and its working connection).
   * Returns false for ourselves, or before we are in the room.
   */
  #addRemote(participant: Participant, notify = true): boolean {
    const self = this.#self;
    if (!self || participant.id === self.id) return false;
    const existing = this.#remotes.get(participant.id);
    if (existing) existing.participant = participant;
    else this.#remotes.set(participant.id, { participant, unconfirmed: false });
    if (notify) this.#changed();
    return true;
  }

  #removeRemote(id: string, reason: 'left' | 'stale'): void {
    if (!this.#remotes.delete(id)) return;
    if (this.#rotation) performance.mark('parley:e2ee-peer-left');
    this.#rotation?.peerLeft(id);
    this.#transport?.participantLeft(id, reason);
    this.#changed();
  }

  #onSignal(from: string, data: AnySignalData): void {
    if (!this.#remotes.has(from)) return;
    if (data.kind === 'e2ee') this.#rotation?.receive(from, data.body);
    else this.#transport?.receive(from, data);
  }

  #onPageHide = (): void => {
    if (this.#phase === 'joined' || this.#phase === 'reconnecting') this.#signaling.close();
  };

  #fail(id: string, message: string): void {
    this.#phase = 'failed';
    this.#error = { id, message };
    this.#teardown();
    this.#changed();
  }

  #teardown(): void {
    this.#transports.dispose();
    if (this.#staleCheck) this.#clock.clearTimeout(this.#staleCheck);
    this.#staleCheck = null;
    if (this.#rejoinRetry !== null) this.#clock.clearTimeout(this.#rejoinRetry);
    this.#rejoinRetry = null;
    // The transport says `remote-removed` for each open path, as if everyone had left.
    this.#tearingDown = true;
    try {
      this.#endRetiring();
      this.#transport?.close();
    } finally {
      this.#tearingDown = false;
    }
    this.#remotes.clear();
    this.#rotation?.close();
    this.#cryptor?.close();
    for (const t of this.#local?.getTracks() ?? []) t.stop();
    this.#audioFilter = null;
    this.#sentAudio = null;
    for (const off of [...this.#offs, ...this.#transportOffs]) off();
    this.#offs = [];
    this.#transportOffs = [];
    this.#signaling.close();
  }

  #changed(): void {
    this.#snapshot = null;
    this.emit('change', this.snapshot);
  }
}
