import { SUBSCRIBE_TRACKS_MAX, type SfuTrack, type SignalData } from '@parley/protocol';
import { Emitter } from '../../../emitter';
import { REBUILD_BACKOFF, REBUILD_BACKOFF_MAX, SFU_TRACKLESS_GRACE_MS } from '../../liveness';
import { MeshTransport } from '../mesh/MeshTransport';
import { peerConfiguration } from '../mesh/peerConfig';
import { withStartBitrate } from '../mesh/sdp';
import type {
  RemoteMedia,
  RemoteMediaState,
  TrackRole,
  Transport,
  TransportContext,
  TransportEvents,
  ViewSize,
} from '../Transport';
import { participantStats } from './participantStats';
import { realSfuClock, SfuConnection, type SfuClock } from './SfuConnection';
import { TileSizes } from './TileSizes';

/** The camera's simulcast layers (rids as docs/PROTOCOL.md names them), smallest first. */
export const CAMERA_LAYERS: RTCRtpEncodingParameters[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', maxBitrate: 1_500_000 },
];

/** Encoder start bitrate asked of the publish connection, in kbps (all layers together). */
const PUBLISH_START_KBPS = 1_000;

/** What SfuTransport uses of the direct data paths: a data-only MeshTransport, or a fake in tests. */
export type DataMesh = Pick<
  MeshTransport,
  | 'on'
  | 'enterRoom'
  | 'participantJoined'
  | 'participantReturned'
  | 'participantLeft'
  | 'receive'
  | 'controlChannel'
  | 'openDataChannel'
  | 'participantIds'
  | 'close'
>;

export interface SfuTransportOptions {
  /** The page's DTLS certificate (null: each connection makes its own). */
  certificate?: RTCCertificate | null;
  /** Default: a real RTCPeerConnection. */
  makePeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
  /** Default: a real MediaStream. */
  makeStream?: (tracks?: MediaStreamTrack[]) => MediaStream;
  /** The direct data paths (files). Default: a data-only MeshTransport. */
  makeDataMesh?: (ctx: TransportContext) => DataMesh;
  clock?: SfuClock;
}

interface Participant {
  readonly id: string;
  /** Camera and microphone as received. */
  readonly stream: MediaStream;
  tracksVersion: number;
  /** A participant who publishes nothing counts as connected after SFU_TRACKLESS_GRACE_MS. */
  graceOver: boolean;
  graceTimer: unknown;
}

/** One track received on the subscribe connection. */
interface Received {
  readonly track: SfuTrack;
  readonly transceiver: RTCRtpTransceiver;
  /** The browser's track, once its transceiver was answered. */
  remote: MediaStreamTrack | null;
  /** The server knows this subscription (an answer covering it was applied). */
  negotiated: boolean;
}

/** A published track's place on the publish connection: the camera, the microphone, or a shared screen. */
type PublishKey = 'microphone' | 'camera' | MediaStreamTrack;

const ROLE_ORDER: Record<TrackRole, number> = { microphone: 0, camera: 1, screen: 2, 'screen-audio': 3 };

const stopped = (t: RTCRtpTransceiver): boolean => t.direction === 'stopped' || t.currentDirection === 'stopped';

/**
 * A room whose media goes through the server's forwarding unit: two connections to the server,
 * both offered by this browser (docs/PROTOCOL.md, "Rooms through the forwarding unit"). The
 * publish connection sends the microphone, the camera in three simulcast layers and any shared
 * screen, once; the subscribe connection has one receive-only transceiver per track of the
 * others that `sfu-tracks` lists, and is renegotiated as that list changes. Files travel on
 * direct data-only peer connections opened on demand (an inner data-only MeshTransport).
 */
export class SfuTransport extends Emitter<TransportEvents> implements Transport {
  readonly topology = 'sfu' as const;
  readonly #ctx: TransportContext;
  readonly #opts: SfuTransportOptions;
  readonly #clock: SfuClock;
  readonly #makeStream: (tracks?: MediaStreamTrack[]) => MediaStream;
  readonly #participants = new Map<string, Participant>();
  readonly #data: DataMesh;
  readonly #views: TileSizes;
  readonly #offs: Array<() => void> = [];
  #closed = false;
  #entered = false;

  // Publishing.
  #publish: SfuConnection<{ mid: string; role: TrackRole }> | null = null;
  #publishRebuilds = 0;
  readonly #local: { audio: MediaStreamTrack | null; video: MediaStreamTrack | null };
  /** mid/msid stream of the camera and microphone. */
  readonly #cameraStream: MediaStream;
  readonly #extras = new Map<MediaStreamTrack, { role: 'screen' | 'screen-audio'; stream: MediaStream }>();
  readonly #sending = new Map<PublishKey, RTCRtpTransceiver>();
  readonly #sendRoles = new Map<RTCRtpTransceiver, TrackRole>();

  // Subscribing.
  #subscribe: SfuConnection<{ mid: string; track: string }> | null = null;
  #subscribeRebuilds = 0;
  /** The others' tracks as the server last listed them. */
  #listed: SfuTrack[] = [];
  readonly #received = new Map<string, Received>();
  /** Tracks the server answered as rejected (it does not have them): not waited for, nor asked for until it lists them again. */
  #rejected = new Set<string>();
  /** `#wanted()` until the list, the participants or the rejections change. */
  #wantedMemo: SfuTrack[] | null = null;
  readonly #byTransceiver = new Map<RTCRtpTransceiver, Received>();

  constructor(ctx: TransportContext, opts: SfuTransportOptions = {}) {
    super();
    this.#ctx = ctx;
    this.#opts = opts;
    this.#clock = opts.clock ?? realSfuClock;
    this.#makeStream = opts.makeStream ?? ((tracks) => (tracks ? new MediaStream(tracks) : new MediaStream()));
    this.#local = { audio: ctx.localTrack('audio'), video: ctx.localTrack('video') };
    this.#cameraStream = this.#makeStream();
    this.#views = new TileSizes({ clock: this.#clock, send: (views) => ctx.sfu.view({ views }) });
    const data =
      opts.makeDataMesh?.(ctx) ?? new MeshTransport(ctx, { certificate: opts.certificate ?? null, dataOnly: true });
    this.#data = data;
    this.#offs.push(
      ctx.onServer('sfu-tracks', ({ tracks }) => this.#onTracks(tracks)),
      ctx.onServer('active-speaker', ({ participant }) => {
        if (!this.#closed) this.emit('active-speaker', participant);
      }),
      data.on('datachannel', (id, channel) => {
        if (this.#participants.has(id)) this.emit('datachannel', id, channel);
      }),
      // A direct path we opened carries the control channel from the start: hand it to features.
      data.on('remote-added', (id) => {
        const control = data.controlChannel(id);
        if (control && this.#participants.has(id)) this.emit('datachannel', id, control);
      }),
    );
  }

  /* ---------------------------------------------------------------------------------------- */
  /* Who is in the room                                                                        */

  enterRoom(participantIds: string[]): void {
    if (this.#closed) return;
    for (const id of participantIds) this.#register(id);
    if (!this.#entered) {
      this.#entered = true;
      void this.#requestPublish();
      void this.#requestSubscribe();
      return;
    }
    // Back in the room after signaling was away (or the server restarted and forgot us).
    this.#recover();
    const known = new Set(this.#data.participantIds());
    this.#data.enterRoom(participantIds.filter((id) => known.has(id)));
  }

  participantJoined(participantId: string): void {
    if (this.#closed) return;
    this.#register(participantId);
    // Tracks the server listed before we knew their owner.
    void this.#requestSubscribe();
  }

  participantReturned(participantId: string): void {
    if (!this.#participants.has(participantId)) return this.participantJoined(participantId);
    if (this.#data.participantIds().includes(participantId)) this.#data.participantReturned(participantId);
  }

  participantLeft(participantId: string, reason: 'left' | 'stale' = 'left'): void {
    if (this.#data.participantIds().includes(participantId)) this.#data.participantLeft(participantId, reason);
    const p = this.#participants.get(participantId);
    if (!p) return;
    this.#participants.delete(participantId);
    this.#wantedMemo = null;
    if (p.graceTimer) this.#clock.clearTimeout(p.graceTimer);
    this.#views.forget(participantId);
    this.emit('remote-removed', participantId);
    void this.#requestSubscribe();
  }

  /** Signals from another browser are for the direct data paths. */
  receive(from: string, data: SignalData): void {
    if (this.#closed) return;
    if (!this.#data.participantIds().includes(from)) {
      // Only an offer of a data-only connection opens a path; stray candidates, and offers
      // from a mesh connection that is being replaced (they carry media lines), are dropped.
      if (data.kind !== 'description' || data.description.type !== 'offer' || !isDataOnly(data.description.sdp)) {
        return;
      }
      this.#data.participantJoined(from);
    }
    this.#data.receive(from, data);
  }

  remote(participantId: string): RemoteMedia | null {
    const p = this.#participants.get(participantId);
    if (!p) return null;
    return { participantId, stream: p.stream, state: this.#stateOf(p), tracksVersion: p.tracksVersion };
  }

  participantIds(): string[] {
    return [...this.#participants.keys()];
  }

  /* ---------------------------------------------------------------------------------------- */
  /* Publishing                                                                                */

  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    this.#local[kind] = track;
    if (this.#closed) return;
    const tr = this.#sending.get(kind === 'audio' ? 'microphone' : 'camera');
    if (tr && !stopped(tr)) await tr.sender.replaceTrack(track);
    else if (track) void this.#requestPublish(); // that kind was never sent: add it
  }

  publish(track: MediaStreamTrack, role: 'screen' | 'screen-audio', stream: MediaStream): void {
    if (this.#closed || this.#extras.has(track)) return;
    this.#extras.set(track, { role, stream });
    void this.#requestPublish();
  }

  unpublish(track: MediaStreamTrack): void {
    if (!this.#extras.delete(track)) return;
    const tr = this.#sending.get(track);
    this.#sending.delete(track);
    if (tr && !stopped(tr) && this.#publish?.state !== 'closed') tr.stop();
    void this.#requestPublish();
  }

  #requestPublish(): Promise<void> {
    if (this.#closed || !this.#entered) return Promise.resolve();
    const wanted = this.#local.audio || this.#local.video || this.#extras.size > 0;
    if (!wanted) {
      // Nothing left to send (the screen of someone without camera and microphone ended): an
      // offer of stopped lines only is refused by the browser (no BUNDLE group), so the
      // connection goes; the server ends its tracks when it closes.
      this.#publish?.close();
      this.#publish = null;
      return Promise.resolve();
    }
    this.#publish ??= this.#openPublish();
    return this.#publish.negotiate();
  }

  #openPublish(): SfuConnection<{ mid: string; role: TrackRole }> {
    this.#sending.clear();
    this.#sendRoles.clear();
    const pc = this.#newPeerConnection();
    const conn = new SfuConnection<{ mid: string; role: TrackRole }>({
      name: 'publish',
      pc,
      clock: this.#clock,
      patience: patience(this.#publishRebuilds),
      canSignal: () => this.#ctx.canSignal(),
      prepare: () => this.#preparePublish(pc),
      describe: () =>
        [...this.#sendRoles].flatMap(([tr, role]) => (tr.mid !== null && !stopped(tr) ? [{ mid: tr.mid, role }] : [])),
      exchange: (sdp, tracks) => this.#ctx.sfu.negotiate('publish', { description: { type: 'offer', sdp }, tracks }),
      editAnswer: (sdp) => withStartBitrate(sdp, PUBLISH_START_KBPS),
    });
    this.#watch(conn, 'publish');
    return conn;
  }

  /** Add a sending transceiver for every track that has none yet. */
  #preparePublish(pc: RTCPeerConnection): boolean {
    const add = (key: PublishKey, role: TrackRole, track: MediaStreamTrack, stream: MediaStream): void => {
      const existing = this.#sending.get(key);
      if (existing && !stopped(existing)) return;
      const init: RTCRtpTransceiverInit = { direction: 'sendonly', streams: [stream] };
      // Every camera is sent in three layers, whether or not the room adapts quality: the
      // server picks per viewer the one that fits, so the full layer still reaches large tiles.
      if (role === 'camera') init.sendEncodings = CAMERA_LAYERS.map((l) => ({ ...l }));
      const tr = pc.addTransceiver(track, init);
      this.#ctx.frameCrypto?.sender(tr.sender, track.kind === 'audio' ? 'audio' : 'video');
      this.#sending.set(key, tr);
      this.#sendRoles.set(tr, role);
      if (role === 'screen') {
        // Keep the resolution and drop frames when bandwidth is short (legibility first).
        const params = tr.sender.getParameters();
        params.degradationPreference = 'maintain-resolution';
        tr.sender.setParameters(params).catch(() => undefined);
      }
    };
    if (this.#local.audio) add('microphone', 'microphone', this.#local.audio, this.#cameraStream);
    if (this.#local.video) add('camera', 'camera', this.#local.video, this.#cameraStream);
    for (const [track, { role, stream }] of this.#extras) add(track, role, track, stream);
    return pc.getTransceivers().some((t) => !stopped(t));
  }

  /* ---------------------------------------------------------------------------------------- */
  /* Subscribing                                                                               */

  #onTracks(tracks: SfuTrack[]): void {
    if (this.#closed) return;
    this.#listed = tracks.filter((t) => t.participant !== this.#ctx.selfId);
    // A new list is what the server has now: a track it refused before and lists again was
    // published anew (after a server restart, under the same id), so it is asked for again.
    this.#rejected.clear();
    this.#wantedMemo = null;
    // Offered again even when the ids are the same: a publisher that rebuilt its connection
    // publishes under the same ids (`<participant>:<mid>`), and the server attaches the new
    // tracks to our transceivers only when we offer again.
    void this.#requestSubscribe();
  }

  /** The tracks to receive: those of the participants we know, camera and sound first. */
  #wanted(): SfuTrack[] {
    return (this.#wantedMemo ??= this.#listed
      .filter((t) => this.#participants.has(t.participant) && !this.#rejected.has(t.id))
      .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role])
      .slice(0, SUBSCRIBE_TRACKS_MAX));
  }

  #requestSubscribe(): Promise<void> {
    if (this.#closed || !this.#entered) return Promise.resolve();
    if (this.#wanted().length === 0) {
      // Nothing to receive: close rather than offer stopped lines only (see #requestPublish).
      if (this.#subscribe) this.#closeSubscribe();
      return Promise.resolve();
    }
    this.#subscribe ??= this.#openSubscribe();
    return this.#subscribe.negotiate();
  }

  #openSubscribe(): SfuConnection<{ mid: string; track: string }> {
    const pc = this.#newPeerConnection();
    pc.ontrack = ({ track, transceiver }) => {
      const r = this.#byTransceiver.get(transceiver);
      if (!r || r.remote === track) return;
      r.remote = track;
      this.#deliver(r);
    };
    const conn = new SfuConnection<{ mid: string; track: string }>({
      name: 'subscribe',
      pc,
      clock: this.#clock,
      patience: patience(this.#subscribeRebuilds),
      canSignal: () => this.#ctx.canSignal(),
      prepare: () => this.#prepareSubscribe(pc),
      describe: () =>
        [...this.#received.values()].flatMap((r) =>
          r.transceiver.mid !== null && !stopped(r.transceiver) ? [{ mid: r.transceiver.mid, track: r.track.id }] : [],
        ),
      exchange: (sdp, tracks) => this.#ctx.sfu.negotiate('subscribe', { description: { type: 'offer', sdp }, tracks }),
    });
    conn.on('negotiated', () => this.#onSubscribed());
    this.#watch(conn, 'subscribe');
    return conn;
  }

  /** Stop receiving what is no longer listed; add a receive-only transceiver for each new track. */
  #prepareSubscribe(pc: RTCPeerConnection): boolean {
    const wanted = this.#wanted();
    const ids = new Set(wanted.map((t) => t.id));
    for (const r of [...this.#received.values()]) if (!ids.has(r.track.id)) this.#drop(r, true);
    for (const track of wanted) {
      if (this.#received.has(track.id)) continue;
      const transceiver = pc.addTransceiver(track.kind, { direction: 'recvonly' });
      this.#ctx.frameCrypto?.receiver(transceiver.receiver, track.kind, track.participant);
      const r: Received = { track, transceiver, remote: null, negotiated: false };
      this.#received.set(track.id, r);
      this.#byTransceiver.set(transceiver, r);
    }
    return pc.getTransceivers().some((t) => !stopped(t));
  }

  /** An answer was applied: tracks it rejected are gone; tile sizes go out for the new ones. */
  #onSubscribed(): void {
    for (const r of [...this.#received.values()]) {
      if (stopped(r.transceiver)) {
        this.#rejected.add(r.track.id);
        this.#wantedMemo = null;
        this.#drop(r, false);
      } else r.negotiated = true;
    }
    this.#views.setTracks(this.#viewTracks());
    this.#changedAll();
  }

  /** A received track arrived: camera and microphone join the participant's stream; a screen is its own. */
  #deliver(r: Received): void {
    const remote = r.remote;
    const p = this.#participants.get(r.track.participant);
    if (!remote || !p) return;
    if (r.track.role === 'camera' || r.track.role === 'microphone') {
      p.stream.addTrack(remote);
      p.tracksVersion++;
      this.emit('remote-changed', p.id);
    } else {
      this.emit('remote-track', p.id, remote, r.track.role, this.#makeStream([remote]));
    }
  }

  /** Stop receiving one track (`stop`: its transceiver too) and take it off screen. */
  #drop(r: Received, stop: boolean): void {
    this.#received.delete(r.track.id);
    this.#byTransceiver.delete(r.transceiver);
    if (stop && !stopped(r.transceiver) && this.#subscribe?.state !== 'closed') r.transceiver.stop();
    const remote = r.remote;
    if (!remote) return;
    const p = this.#participants.get(r.track.participant);
    if (r.track.role === 'camera' || r.track.role === 'microphone') {
      if (!p) return;
      p.stream.removeTrack(remote);
      p.tracksVersion++;
      this.emit('remote-changed', p.id);
    } else {
      // A stopped transceiver ends its track without an event; the screen's viewers wait for one.
      remote.dispatchEvent(new Event('ended'));
    }
  }

  /* ---------------------------------------------------------------------------------------- */
  /* Recovery                                                                                  */

  #watch(conn: SfuConnection<unknown>, which: 'publish' | 'subscribe'): void {
    conn.on('state', (state) => {
      if (state === 'connected') {
        if (which === 'publish') this.#publishRebuilds = 0;
        else this.#subscribeRebuilds = 0;
      }
      this.#changedAll();
    });
    conn.on('warning', (message, err) => this.#ctx.warn('sfu', message, err));
    conn.on('stuck', (why) => {
      this.#ctx.warn('sfu', `rebuilding the ${which} connection (${why})`);
      this.#rebuild(which);
    });
  }

  /** Replace a connection with a new one and offer everything again (the server may have forgotten the old one). */
  #rebuild(which: 'publish' | 'subscribe'): void {
    if (this.#closed) return;
    if (which === 'publish') {
      this.#publish?.close();
      this.#publish = null;
      this.#publishRebuilds++;
      void this.#requestPublish();
    } else {
      this.#closeSubscribe();
      this.#subscribeRebuilds++;
      // A new connection (perhaps to a restarted server) may get what the old one was refused.
      this.#rejected.clear();
      this.#wantedMemo = null;
      this.#views.reset();
      void this.#requestSubscribe();
    }
    this.#changedAll();
  }

  /** Close the subscribe connection and take everything it received off screen. */
  #closeSubscribe(): void {
    this.#subscribe?.close();
    this.#subscribe = null;
    for (const r of [...this.#received.values()]) this.#drop(r, false);
    this.#changedAll();
  }

  /**
   * After a rejoin: each connection is offered again with an ICE restart, whether or not its path
   * is up. The connection is kept (the server holds our tracks and subscriptions under its DTLS
   * session; a new connection would make everyone subscribe again), and the answer tells whether
   * the server still knows it: a server that restarted answers with another fingerprint, and the
   * connection is rebuilt then. Tile sizes go out again.
   */
  #recover(): void {
    for (const conn of [this.#publish, this.#subscribe]) {
      if (!conn) continue;
      conn.resume();
      if (conn.state === 'connected') void conn.negotiate({ iceRestart: true });
      else conn.restartIce();
    }
    void this.#requestPublish();
    void this.#requestSubscribe();
    this.#views.reset();
  }

  /* ---------------------------------------------------------------------------------------- */
  /* Data, views, statistics                                                                   */

  controlChannel(participantId: string): RTCDataChannel | null {
    return this.#data.controlChannel(participantId);
  }

  openDataChannel(participantId: string, label: string, init?: RTCDataChannelInit): RTCDataChannel | null {
    return this.#data.openDataChannel(participantId, label, init);
  }

  /** Open a direct data-only connection to the participant (its control channel follows as `datachannel`). */
  connectData(participantId: string): void {
    if (this.#closed || !this.#participants.has(participantId)) return;
    if (this.#data.participantIds().includes(participantId)) return;
    this.#data.enterRoom([participantId]);
  }

  setView(participantId: string, role: 'camera' | 'screen', size: ViewSize): void {
    if (this.#closed) return;
    this.#views.set(participantId, role, size);
  }

  async stats(): Promise<Record<string, RTCStats[]>> {
    const ids = [...this.#participants.keys()];
    const sub = this.#subscribe;
    if (!sub || sub.state === 'closed') return Object.fromEntries(ids.map((id) => [id, []]));
    const report = [...(await sub.pc.getStats()).values()] as RTCStats[];
    return participantStats(report, ids, [...this.#received.values()]);
  }

  /** The subscribe connection carries every participant: losing it is what a crash looks like here. */
  /** DTLS ends at the forwarding unit: no certificate of the other person to compare. */
  fingerprints(): null {
    return null;
  }

  simulateTransportLoss(_participantId?: string): void {
    (this.#subscribe ?? this.#publish)?.simulateTransportLoss();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#offs) off();
    this.#views.close();
    this.#publish?.close();
    this.#subscribe?.close();
    this.#publish = this.#subscribe = null;
    this.#data.close();
    this.#received.clear();
    this.#byTransceiver.clear();
    const ids = [...this.#participants.values()];
    this.#participants.clear();
    for (const p of ids) {
      if (p.graceTimer) this.#clock.clearTimeout(p.graceTimer);
      this.emit('remote-removed', p.id);
    }
  }

  /* ---------------------------------------------------------------------------------------- */

  #register(id: string): void {
    if (id === this.#ctx.selfId || this.#participants.has(id)) return;
    const p: Participant = { id, stream: this.#makeStream(), tracksVersion: 0, graceOver: false, graceTimer: null };
    p.graceTimer = this.#clock.setTimeout(() => {
      p.graceTimer = null;
      p.graceOver = true;
      if (this.#participants.get(id) === p) this.emit('remote-changed', id);
    }, SFU_TRACKLESS_GRACE_MS);
    this.#participants.set(id, p);
    this.#wantedMemo = null;
    this.emit('remote-added', id);
  }

  /**
   * Connecting until the subscribe connection is up and carries every track the participant
   * publishes (one who publishes nothing: after a grace period); reconnecting while either
   * connection recovers.
   */
  #stateOf(p: Participant): RemoteMediaState {
    if (this.#closed) return 'closed';
    if (this.#publish?.state === 'reconnecting' || this.#subscribe?.state === 'reconnecting') return 'reconnecting';
    const wanted = this.#wanted().filter((t) => t.participant === p.id);
    if (wanted.length === 0) return p.graceOver ? 'connected' : 'connecting';
    const arrived = wanted.every((t) => this.#received.get(t.id)?.remote);
    return arrived && this.#subscribe?.state === 'connected' ? 'connected' : 'connecting';
  }

  /** The video tracks a tile size can be reported for, by participant and role. */
  #viewTracks(): Array<{ participant: string; role: 'camera' | 'screen'; track: string }> {
    return [...this.#received.values()].flatMap((r) =>
      r.negotiated && (r.track.role === 'camera' || r.track.role === 'screen')
        ? [{ participant: r.track.participant, role: r.track.role, track: r.track.id }]
        : [],
    );
  }

  #newPeerConnection(): RTCPeerConnection {
    const config: RTCConfiguration = {
      ...peerConfiguration({
        iceServers: this.#ctx.iceServers,
        relayOnly: this.#ctx.relayOnly,
        certificate: this.#opts.certificate ?? null,
      }),
      rtcpMuxPolicy: 'require',
      ...this.#ctx.frameCrypto?.peerConfig(),
    };
    return this.#opts.makePeerConnection?.(config) ?? new RTCPeerConnection(config);
  }

  #changedAll(): void {
    for (const id of this.#participants.keys()) this.emit('remote-changed', id);
  }
}

/** Timeouts grow as a connection is rebuilt again and again without connecting. */
function patience(rebuilds: number): number {
  return Math.min(REBUILD_BACKOFF ** Math.max(0, rebuilds - 1), REBUILD_BACKOFF_MAX);
}

/** True for a description with no audio or video section (a direct path for data only). */
export function isDataOnly(sdp: string): boolean {
  return !/^m=(audio|video) /m.test(sdp);
}
