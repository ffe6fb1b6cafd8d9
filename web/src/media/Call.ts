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
import { takeSignalingClient } from '../signaling/preconnect';
import { SignalingError, type SignalingClient } from '../signaling/SignalingClient';
import { detectCapabilities, type BrowserCapabilities } from './capabilities';
import { summarizeLinkStats, type LinkStats } from './linkStats';
import { REBUILD_BACKOFF, REBUILD_BACKOFF_MAX, REJOIN_RETRY_MS, REJOIN_WAIT_MS } from './liveness';
import { getLocalMedia, type LocalMedia, type MediaProblem } from './localMedia';
import { linkCertificate } from './certificate';
import { PeerLink, type LinkState } from './PeerLink';
import { discardPrepared, takePrepared, type PreparedLink } from './preparedLink';
import { qualityFor } from './quality';

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
  /** Lower each camera stream's resolution, frame rate and bitrate as the room grows (default on). */
  adaptQuality?: boolean;
  /**
   * Camera and microphone already opened (the pre-join preview). `start()` takes ownership and
   * stops the tracks when the call ends; without it the call opens the default devices itself.
   */
  localMedia?: LocalMedia;
  /** An invitation token (from an invitation link). */
  token?: string;
}

interface Remote {
  participant: Participant;
  link: PeerLink;
  tracksVersion: number;
  /** Generation of the current peer connection to this participant (see the `gen` of signals). */
  gen: number;
  /** The link gave up while signaling was away: rebuild it once we are back in the room. */
  rebuildWhenJoined: boolean;
  /** Not (yet) seen again in the room since our last rejoin. */
  unconfirmed: boolean;
  /** Rebuilds since this pair was last connected (for backoff). */
  rebuilds: number;
}

/**
 * A call in one room: owns the signaling client, the local media and one PeerLink per remote
 * participant. No React here; the UI subscribes to `change` and reads `snapshot`.
 */
export class Call extends Emitter<CallEvents> {
  readonly room: string;
  readonly name: string;
  /** What this browser supports (speaker choice, screen sharing, codecs), detected once. */
  readonly capabilities: BrowserCapabilities = detectCapabilities();
  readonly #signaling: SignalingClient;
  readonly #relayOnly: boolean;
  readonly #adaptQuality: boolean;
  readonly #remotes = new Map<string, Remote>();
  #staleCheck: ReturnType<typeof setTimeout> | null = null;
  /**
   * Generation of the last connection to each participant the server said left. One that comes
   * back (its rejoin came after the server's grace) may still hold its end of that connection:
   * we offer it a higher generation so that it replaces it at once.
   */
  readonly #departed = new Map<string, number>();
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
  #preopened: LocalMedia | null;
  /** The DTLS certificate every link of this call uses (null: each makes its own). */
  #certificate: RTCCertificate | null = null;

  constructor(opts: CallOptions) {
    super();
    this.room = opts.room;
    this.name = opts.name;
    this.#relayOnly = opts.relayOnly ?? false;
    this.#adaptQuality = opts.adaptQuality ?? true;
    this.#token = opts.token;
    this.#media = { audio: !opts.startMuted, video: !opts.startCameraOff };
    this.#preopened = opts.localMedia ?? null;
    this.#signaling = takeSignalingClient(opts.serverUrl);
    const s = this.#signaling;
    this.#offs.push(
      s.on('participant-joined', ({ participant }) => {
        const known = this.#remotes.get(participant.id);
        if (known) {
          // Back after its own signaling outage: a link that is not up missed signals meanwhile.
          known.unconfirmed = false;
          if (known.rebuildWhenJoined || known.link.state !== 'connected') this.#rebuild(known, known.gen + 1, true);
        }
        this.#addRemote(participant, false);
      }),
      s.on('participant-left', ({ id }) => {
        const r = this.#remotes.get(id);
        if (r) this.#departed.set(id, r.gen);
        this.#removeRemote(id);
      }),
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
    // Closing the tab says goodbye at once instead of leaving the others to notice the drop.
    window.addEventListener('pagehide', this.#onPageHide);
    this.#offs.push(() => window.removeEventListener('pagehide', this.#onPageHide));
    performance.mark('parley:start');
    this.#phase = 'starting';
    this.#changed();
    const connected = this.#signaling.connect().then(() => performance.mark('parley:signaling-connected'));
    const preopened = this.#preopened;
    this.#preopened = null;
    const media = (preopened ? Promise.resolve(preopened) : getLocalMedia({ audio: true, video: true })).then((m) => {
      performance.mark('parley:media-ready');
      return m;
    });
    const certificate = linkCertificate().then((c) => {
      this.#certificate = c;
    });
    try {
      const [local] = await Promise.all([media, connected, certificate]);
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
    await Promise.all([...this.#remotes.values()].map((r) => r.link.replaceTrack(kind, track)));
    for (const t of old) if (t !== track) t.stop();
    if (this.#phase === 'joined') this.#signaling.setMedia(this.#effectiveMedia());
    this.#changed();
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
    this.#remotes.get(remoteId)?.link.simulateTransportLoss();
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

  /** Per remote participant id: the link's statistics, summarised the same way in every browser. */
  async getLinkStats(): Promise<Record<string, LinkStats>> {
    const out: Record<string, LinkStats> = {};
    for (const [id, r] of this.#remotes) out[id] = summarizeLinkStats((await r.link.pc.getStats()).values());
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
    const present = new Set(reply.participants.map((p) => p.id));
    for (const r of this.#remotes.values()) r.unconfirmed = !present.has(r.participant.id);
    // As the newcomer, offer to everyone already here at once; the first one gets the offer
    // prepared on the pre-join screen, if it fits this call.
    let prepared = takePrepared({ stream: this.#local, relayOnly: this.#relayOnly, iceServers: reply.iceServers });
    for (const p of reply.participants) {
      const fresh = !this.#remotes.has(p.id) && !this.#departed.has(p.id);
      this.#addRemote(p, true, fresh ? prepared : null);
      if (fresh) prepared = null;
    }
    prepared?.pc.close();
    // Links that gave up while the server was away are rebuilt now that signals flow again (for
    // remotes not back yet, when they are announced).
    for (const r of [...this.#remotes.values()]) {
      if (r.rebuildWhenJoined && !r.unconfirmed) this.#rebuild(r, r.gen + 1, true);
    }
    if ([...this.#remotes.values()].some((r) => r.unconfirmed)) this.#scheduleStaleCheck();
    this.#changed();
  }

  /**
   * After a rejoin, drop remotes the server has not announced again within REJOIN_WAIT_MS,
   * unless media from them still flows (then they are only slower to come back).
   */
  #scheduleStaleCheck(): void {
    if (this.#staleCheck) clearTimeout(this.#staleCheck);
    this.#staleCheck = setTimeout(() => {
      this.#staleCheck = null;
      if (this.#phase !== 'joined') return;
      let waiting = false;
      for (const r of [...this.#remotes.values()]) {
        if (!r.unconfirmed) continue;
        if (r.link.state === 'connected') waiting = true;
        else this.#removeRemote(r.participant.id);
      }
      if (waiting) this.#scheduleStaleCheck();
    }, REJOIN_WAIT_MS);
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
        }, REJOIN_RETRY_MS);
        return;
      }
      this.#fail(e.id, e.message);
    }
  }

  #addRemote(participant: Participant, initiator: boolean, prepared: PreparedLink | null = null): void {
    const self = this.#self;
    if (!self || participant.id === self.id) return;
    const existing = this.#remotes.get(participant.id);
    if (existing) {
      // Known already (a rejoin after a signaling outage): keep the working connection.
      existing.participant = participant;
      this.#changed();
      return;
    }
    const before = this.#departed.get(participant.id);
    this.#departed.delete(participant.id);
    const gen = before === undefined ? 0 : before + 1;
    const remote: Remote = {
      participant,
      link: this.#newLink(participant.id, initiator || before !== undefined, gen, 1, prepared),
      tracksVersion: 0,
      gen,
      rebuildWhenJoined: false,
      unconfirmed: false,
      rebuilds: 0,
    };
    this.#remotes.set(participant.id, remote);
    this.#watch(remote);
    this.#adapt();
    this.#changed();
  }

  #newLink(
    remoteId: string,
    initiator: boolean,
    gen: number,
    patience = 1,
    prepared: PreparedLink | null = null,
  ): PeerLink {
    const self = this.#self;
    if (!self) throw new Error('a link needs a joined call');
    return new PeerLink({
      certificate: this.#certificate,
      prepared,
      localId: self.id,
      remoteId,
      iceServers: this.#iceServers,
      relayOnly: this.#relayOnly,
      tracks: {
        audio: this.#local?.getAudioTracks()[0] ?? null,
        video: this.#local?.getVideoTracks()[0] ?? null,
      },
      initiator,
      patience,
      send: (data) => this.#signaling.signal(remoteId, { ...data, gen }),
    });
  }

  #watch(remote: Remote): void {
    const link = remote.link;
    const id = remote.participant.id;
    link.on('state', (state) => {
      if (state === 'connected') remote.rebuilds = 0;
      this.#changed();
    });
    link.on('tracks', () => {
      remote.tracksVersion++;
      this.#changed();
    });
    link.on('warning', (message, err) => console.warn(`[parley] ${id}: ${message}`, err ?? ''));
    link.on('stuck', (why) => {
      console.warn(`[parley] ${id}: rebuilding the connection (${why})`);
      if (this.#phase === 'joined' && this.#signaling.connected) this.#rebuild(remote, remote.gen + 1, true);
      else remote.rebuildWhenJoined = true;
    });
    this.emit('link-added', id, link);
  }

  /**
   * Replace the peer connection to one participant with a new one of generation `gen`. The
   * side that gives up first offers; the other side follows when it sees the higher generation.
   */
  #rebuild(remote: Remote, gen: number, initiator: boolean): void {
    remote.link.close();
    this.emit('link-removed', remote.participant.id);
    remote.gen = gen;
    remote.rebuildWhenJoined = false;
    remote.rebuilds++;
    const patience = Math.min(REBUILD_BACKOFF ** (remote.rebuilds - 1), REBUILD_BACKOFF_MAX);
    remote.link = this.#newLink(remote.participant.id, initiator, gen, patience);
    remote.tracksVersion++;
    this.#watch(remote);
    this.#adapt();
    this.#changed();
  }

  /** Set every camera sender's encoding for the current room size (or lift limits when off). */
  #adapt(): void {
    const q = this.#adaptQuality ? qualityFor(this.#remotes.size) : null;
    for (const r of this.#remotes.values()) r.link.setSendQuality(q);
  }

  #removeRemote(id: string): void {
    const r = this.#remotes.get(id);
    if (!r) return;
    this.#remotes.delete(id);
    r.link.close();
    this.emit('link-removed', id);
    this.#adapt();
    this.#changed();
  }

  #onSignal(from: string, data: SignalData): void {
    const remote = this.#remotes.get(from);
    if (!remote) return;
    const gen = data.gen ?? 0;
    if (gen < remote.gen) return; // from a connection already replaced
    if (gen > remote.gen) this.#rebuild(remote, gen, false);
    remote.link.receive(data);
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
    discardPrepared();
    if (this.#staleCheck) clearTimeout(this.#staleCheck);
    this.#staleCheck = null;
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
