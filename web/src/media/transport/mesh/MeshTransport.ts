import type { SignalData } from '@parley/protocol';
import { Emitter } from '../../../emitter';
import { REBUILD_BACKOFF, REBUILD_BACKOFF_MAX } from '../../liveness';
import { takePrepared, type PreparedLink, type PreparedWant } from './preparedLink';
import { qualityFor } from '../../quality';
import type { RemoteMedia, TrackRole, Transport, TransportContext, TransportEvents } from '../Transport';
import { PeerLink, type PeerLinkOptions } from './PeerLink';

/** What MeshTransport uses of a link: a PeerLink in the browser, a fake in unit tests. */
export type MeshLink = Pick<
  PeerLink,
  | 'state'
  | 'remoteStream'
  | 'controlChannel'
  | 'on'
  | 'receive'
  | 'replaceTrack'
  | 'setSendQuality'
  | 'createDataChannel'
  | 'addExtraTrack'
  | 'removeExtraTrack'
  | 'getStats'
  | 'simulateTransportLoss'
  | 'fingerprints'
  | 'close'
>;

export interface MeshTransportOptions {
  /** The page's DTLS certificate (null: each connection makes its own). */
  certificate?: RTCCertificate | null;
  /** Makes one link (default: a PeerLink on a real RTCPeerConnection). */
  makeLink?: (opts: PeerLinkOptions) => MeshLink;
  /** Takes the connection prepared on the pre-join screen, if it fits (default: preparedLink.ts). */
  takePrepared?: (want: PreparedWant) => PreparedLink | null;
  /**
   * Links carry data channels only, never media, and take no prepared connection (the direct
   * file paths of a room through the forwarding unit). Default false.
   */
  dataOnly?: boolean;
}

/** The link to one remote participant and what the mesh knows about that pair. */
interface Pair {
  readonly id: string;
  link: MeshLink;
  /** Generation of the current peer connection to this participant (see the `gen` of signals). */
  gen: number;
  /** The link gave up while signaling was away: rebuild it once we are back in the room. */
  rebuildWhenJoined: boolean;
  /** Rebuilds since this pair was last connected (for backoff). */
  rebuilds: number;
  tracksVersion: number;
  /** The published tracks this link sends, with their transceivers. */
  readonly sent: Map<MediaStreamTrack, RTCRtpTransceiver>;
}

/**
 * Full mesh: one PeerLink (one RTCPeerConnection) per remote participant, every signal
 * addressed to one participant. Owns the links, their generations and rebuilds, the connection
 * prepared on the pre-join screen, the send quality for the room size, and the published extra
 * tracks (screen shares), which it sends on each link once that link is connected.
 */
export class MeshTransport extends Emitter<TransportEvents> implements Transport {
  readonly topology = 'mesh' as const;
  readonly #ctx: TransportContext;
  readonly #certificate: RTCCertificate | null;
  readonly #makeLink: (opts: PeerLinkOptions) => MeshLink;
  readonly #takePrepared: (want: PreparedWant) => PreparedLink | null;
  readonly #dataOnly: boolean;
  readonly #pairs = new Map<string, Pair>();
  /**
   * Generation of the last connection to each participant the server said left. One that comes
   * back (its rejoin came after the server's grace) may still hold its end of that connection:
   * we offer it a higher generation so that it replaces it at once.
   */
  readonly #departed = new Map<string, number>();
  readonly #published = new Map<MediaStreamTrack, { role: TrackRole; stream: MediaStream }>();
  #closed = false;

  constructor(ctx: TransportContext, opts: MeshTransportOptions = {}) {
    super();
    this.#ctx = ctx;
    this.#certificate = opts.certificate ?? null;
    this.#makeLink = opts.makeLink ?? ((o) => new PeerLink(o));
    this.#dataOnly = opts.dataOnly ?? false;
    this.#takePrepared = opts.dataOnly ? () => null : (opts.takePrepared ?? takePrepared);
  }

  /** The live links by participant id (diagnostics and tests only; features use the interface). */
  links(): Map<string, MeshLink> {
    return new Map([...this.#pairs].map(([id, p]) => [id, p.link]));
  }

  enterRoom(participantIds: string[]): void {
    if (this.#closed) return;
    // As the newcomer, offer to everyone already here at once; the first one gets the offer
    // prepared on the pre-join screen, if it fits this call.
    const audio = this.#ctx.localTrack('audio');
    const video = this.#ctx.localTrack('video');
    let prepared = this.#takePrepared({
      stream: { getAudioTracks: () => (audio ? [audio] : []), getVideoTracks: () => (video ? [video] : []) },
      relayOnly: this.#ctx.relayOnly,
      iceServers: this.#ctx.iceServers,
    });
    if (prepared && this.#ctx.frameCrypto) {
      // Made on the pre-join screen without the frame transform: an E2EE call cannot use it.
      prepared.pc.close();
      prepared = null;
    }
    for (const id of participantIds) {
      if (id === this.#ctx.selfId || this.#pairs.has(id)) continue; // known: keep the working connection
      const fresh = !this.#departed.has(id);
      this.#open(id, true, fresh ? prepared : null);
      if (fresh) prepared = null;
    }
    prepared?.pc.close();
    // Links that gave up while the server was away are rebuilt now that signals flow again (for
    // remotes not back yet, when they are announced).
    const present = new Set(participantIds);
    for (const pair of [...this.#pairs.values()]) {
      if (pair.rebuildWhenJoined && present.has(pair.id)) this.#rebuild(pair, pair.gen + 1, true);
    }
  }

  participantJoined(participantId: string): void {
    if (this.#closed || participantId === this.#ctx.selfId || this.#pairs.has(participantId)) return;
    this.#open(participantId, false);
  }

  participantReturned(participantId: string): void {
    const pair = this.#pairs.get(participantId);
    if (!pair) return this.participantJoined(participantId);
    // Back after its own signaling outage: a link that is not up missed signals meanwhile.
    if (pair.rebuildWhenJoined || pair.link.state !== 'connected') this.#rebuild(pair, pair.gen + 1, true);
  }

  participantLeft(participantId: string, reason: 'left' | 'stale' = 'left'): void {
    const pair = this.#pairs.get(participantId);
    if (!pair) return;
    if (reason === 'left') this.#departed.set(participantId, pair.gen);
    this.#pairs.delete(participantId);
    this.#closeLink(pair);
    this.#adapt();
  }

  receive(from: string, data: SignalData): void {
    const pair = this.#pairs.get(from);
    if (!pair) return;
    const gen = data.gen ?? 0;
    if (gen < pair.gen) return; // from a connection already replaced
    if (gen > pair.gen) this.#rebuild(pair, gen, false);
    pair.link.receive(data);
  }

  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    await Promise.all([...this.#pairs.values()].map((p) => p.link.replaceTrack(kind, track)));
  }

  publish(track: MediaStreamTrack, role: 'screen' | 'screen-audio', stream: MediaStream): void {
    if (this.#closed || this.#published.has(track)) return;
    this.#published.set(track, { role, stream });
    for (const pair of this.#pairs.values()) this.#sendPublished(pair);
  }

  unpublish(track: MediaStreamTrack): void {
    if (!this.#published.delete(track)) return;
    for (const pair of this.#pairs.values()) {
      const tr = pair.sent.get(track);
      if (!tr) continue;
      pair.sent.delete(track);
      pair.link.removeExtraTrack(tr);
    }
  }

  controlChannel(participantId: string): RTCDataChannel | null {
    return this.#pairs.get(participantId)?.link.controlChannel ?? null;
  }

  openDataChannel(participantId: string, label: string, init?: RTCDataChannelInit): RTCDataChannel | null {
    return this.#pairs.get(participantId)?.link.createDataChannel(label, init) ?? null;
  }

  /** Every pair has its data path already. */
  connectData(): void {}

  /** Each sender encodes for the whole room (quality.ts); a receiver's tile size changes nothing. */
  setView(): void {}

  remote(participantId: string): RemoteMedia | null {
    const pair = this.#pairs.get(participantId);
    if (!pair) return null;
    return { participantId, stream: pair.link.remoteStream, state: pair.link.state, tracksVersion: pair.tracksVersion };
  }

  participantIds(): string[] {
    return [...this.#pairs.keys()];
  }

  async stats(): Promise<Record<string, RTCStats[]>> {
    const out: Record<string, RTCStats[]> = {};
    for (const [id, pair] of this.#pairs) out[id] = [...(await pair.link.getStats()).values()] as RTCStats[];
    return out;
  }

  simulateTransportLoss(participantId: string): void {
    this.#pairs.get(participantId)?.link.simulateTransportLoss();
  }

  fingerprints(participantId: string): { local: string; remote: string } | null {
    return this.#pairs.get(participantId)?.link.fingerprints() ?? null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#published.clear();
    const pairs = [...this.#pairs.values()];
    this.#pairs.clear();
    for (const pair of pairs) this.#closeLink(pair);
  }

  #open(id: string, initiator: boolean, prepared: PreparedLink | null = null): void {
    const before = this.#departed.get(id);
    this.#departed.delete(id);
    const gen = before === undefined ? 0 : before + 1;
    const pair: Pair = {
      id,
      link: this.#newLink(id, initiator || before !== undefined, gen, 1, prepared),
      gen,
      rebuildWhenJoined: false,
      rebuilds: 0,
      tracksVersion: 0,
      sent: new Map(),
    };
    this.#pairs.set(id, pair);
    this.#watch(pair);
    this.#adapt();
  }

  #newLink(id: string, initiator: boolean, gen: number, patience: number, prepared: PreparedLink | null): MeshLink {
    const ctx = this.#ctx;
    return this.#makeLink({
      certificate: this.#certificate,
      prepared,
      localId: ctx.selfId,
      remoteId: id,
      iceServers: ctx.iceServers,
      relayOnly: ctx.relayOnly,
      tracks: this.#dataOnly
        ? { audio: null, video: null }
        : { audio: ctx.localTrack('audio'), video: ctx.localTrack('video') },
      dataOnly: this.#dataOnly,
      frameCrypto: this.#dataOnly ? null : (ctx.frameCrypto ?? null),
      initiator,
      patience,
      send: (data) => ctx.signal(id, { ...data, gen }),
    });
  }

  #watch(pair: Pair): void {
    const { link, id } = pair;
    link.on('state', (state) => {
      if (state === 'connected') pair.rebuilds = 0;
      this.emit('remote-changed', id);
      // A newcomer gets an ongoing share once its connection is up (never during the first offer).
      if (state === 'connected') this.#sendPublished(pair);
    });
    link.on('tracks', () => {
      pair.tracksVersion++;
      this.emit('remote-changed', id);
    });
    link.on('extra-track', (track, stream, role) => this.emit('remote-track', id, track, role, stream));
    link.on('datachannel', (channel) => this.emit('datachannel', id, channel));
    link.on('warning', (message, err) => this.#ctx.warn(id, message, err));
    link.on('stuck', (why) => {
      this.#ctx.warn(id, `rebuilding the connection (${why})`);
      if (this.#ctx.canSignal()) this.#rebuild(pair, pair.gen + 1, true);
      else pair.rebuildWhenJoined = true;
    });
    this.emit('remote-added', id);
  }

  /**
   * Replace the peer connection to one participant with a new one of generation `gen`. The
   * side that gives up first offers; the other side follows when it sees the higher generation.
   */
  #rebuild(pair: Pair, gen: number, initiator: boolean): void {
    this.#closeLink(pair);
    pair.gen = gen;
    pair.rebuildWhenJoined = false;
    pair.rebuilds++;
    const patience = Math.min(REBUILD_BACKOFF ** (pair.rebuilds - 1), REBUILD_BACKOFF_MAX);
    pair.link = this.#newLink(pair.id, initiator, gen, patience, null);
    pair.tracksVersion++;
    this.#watch(pair);
    this.#adapt();
  }

  /** Close a pair's link and say so: the one place a `remote-removed` comes from. */
  #closeLink(pair: Pair): void {
    pair.link.close();
    pair.sent.clear();
    this.emit('remote-removed', pair.id);
  }

  #sendPublished(pair: Pair): void {
    if (pair.link.state !== 'connected') return;
    for (const [track, { role, stream }] of this.#published) {
      if (pair.sent.has(track)) continue;
      const tr = pair.link.addExtraTrack(track, stream, role);
      pair.sent.set(track, tr);
      if (role !== 'screen') continue;
      // Keep the resolution and drop frames when bandwidth is short (legibility first).
      const params = tr.sender.getParameters();
      params.degradationPreference = 'maintain-resolution';
      tr.sender.setParameters(params).catch(() => undefined);
    }
  }

  /** Set every camera sender's encoding for the current room size (or lift limits when off). */
  #adapt(): void {
    const q = this.#ctx.adaptQuality ? qualityFor(this.#pairs.size) : null;
    for (const pair of this.#pairs.values()) pair.link.setSendQuality(q);
  }
}
