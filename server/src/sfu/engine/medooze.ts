/**
 * The SFU engine on `medooze-media-server` (a C++ media server for Node: media on its own native
 * threads, one UDP port for every connection, ICE-lite, DTLS-SRTP, simulcast, RTX/NACK,
 * transport-wide congestion control, speaker detection). It is an optional dependency: where it
 * did not build, `loadMedooze` says why and rooms stay meshes.
 *
 * Only this file knows medooze's objects; the types below are the part of its API it uses.
 */
import { createRequire } from 'node:module';
import { rejectMids, rejectedMids } from '../sdp';
import type {
  ConnectionState,
  EngineConnection,
  EngineOptions,
  EngineSink,
  EngineSource,
  EngineSpeakerDetector,
  LayerInfo,
  MediaKind,
  SfuEngine,
} from './Engine';

/* ------------------------------------------------------------------------------------------ *
 * The part of medooze-media-server and semantic-sdp used here.
 * ------------------------------------------------------------------------------------------ */

interface Emitter {
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
}
interface MzTrackInfo {
  getId(): string;
  getMediaId(): string | undefined;
  getMedia(): string;
  getEncodings(): Array<Array<{ getId(): string }>>;
}
interface MzStreamInfo {
  getId(): string;
  getTracks(): Map<string, MzTrackInfo>;
  addTrack(track: MzTrackInfo): void;
}
interface MzMediaInfo {
  getId(): string;
  getType(): string;
  getDirection(): number;
  setDirection(d: number): void;
}
interface MzSdp {
  getMedias(): MzMediaInfo[];
  getMediaById(mid: string): MzMediaInfo | null;
  getStreams(): Map<string, MzStreamInfo>;
  getICE(): { getUfrag(): string; getPwd(): string };
  answer(params: unknown): MzSdp;
  addStream(stream: MzStreamInfo): void;
  toString(): string;
}
interface MzIncomingTrack extends Emitter {
  /** One per simulcast layer (rid), each with its own frame reassembly. */
  readonly encodings?: Map<string, { depacketizer: unknown }>;
  getMediaId(): string;
  getActiveLayers(): {
    active: Array<{ id: string; bitrate: number; width?: number; height?: number }>;
  };
  refresh(): void;
  stop(): void;
}
interface MzTransponder {
  selectEncoding(id: string, smooth?: boolean): void;
  mute(muting: boolean): void;
}
interface MzOutgoingTrack {
  getTrackInfo(): MzTrackInfo;
  /** Counters of what was sent (media + RTX + FEC); refreshed at most every 100 ms. */
  getStats(): { numPackets: number };
  attachTo(track: MzIncomingTrack): MzTransponder;
  stop(): void;
}
interface MzTransport extends Emitter {
  setRemoteProperties(sdp: MzSdp): void;
  setLocalProperties(sdp: MzSdp): void;
  getLocalDTLSInfo(): unknown;
  getLocalICEInfo(): { getUfrag(): string };
  getRemoteICEInfo(): { getUfrag(): string };
  restartICE(remote: unknown): unknown;
  getDTLSState(): string;
  createIncomingStreamTrack(media: string, params: MzTrackInfo): MzIncomingTrack;
  createOutgoingStreamTrack(media: string, params: { id: string; mediaId: string }): MzOutgoingTrack;
  setBandwidthProbing(on: boolean): void;
  setMaxProbingBitrate(bps: number): void;
  stop(): void;
}
interface MzEndpoint {
  createTransport(remote: MzSdp): MzTransport;
  getLocalCandidates(): unknown[];
  getLocalPort(): number;
  stop(): void;
}
interface MzSpeakerDetector extends Emitter {
  setMinChangePeriod(ms: number): void;
  addSpeaker(track: MzIncomingTrack): void;
  removeSpeaker(track: MzIncomingTrack): void;
  stop(): void;
}
/** Hands over received frames, reassembled from RTP (intra frames only when asked so). */
interface MzTrackReader extends Emitter {
  /** Called by the native side for every frame (it emits `frame`, which throws once stopped). */
  onframe: (...args: unknown[]) => void;
  /** Reads `track.depacketizer` (and `once`/`off` for the track's end). */
  attachTo(track: MzIncomingTrack | MzFrameSource): void;
  stop(): void;
}
/** What a reader needs of a track: the frame reassembly of one layer, and its end events. */
interface MzFrameSource {
  depacketizer: unknown;
  once(event: string, fn: () => void): void;
  off(event: string, fn: () => void): void;
}
interface MediaServerModule {
  createIncomingStreamTrackReader(intraOnly: boolean, minPeriod: number): MzTrackReader;
  enableLog(on: boolean): void;
  enableDebug(on: boolean): void;
  enableWarning(on: boolean): void;
  setPortRange(min: number, max: number): boolean;
  createEndpoint(ips: string | string[]): MzEndpoint;
  createActiveSpeakerDetector(): MzSpeakerDetector;
  terminate(): void;
}
interface SemanticSdpModule {
  SDPInfo: { parse(sdp: string): MzSdp };
  StreamInfo: new (id: string) => MzStreamInfo;
  Direction: { INACTIVE: number; RECVONLY: number; SENDONLY: number; SENDRECV: number };
}

/** Codecs, feedback and header extensions offered to browsers (VP8: both Chromium and Firefox here). */
export const CAPABILITIES = {
  audio: {
    codecs: ['opus'],
    extensions: [
      'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
      'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
      'urn:ietf:params:rtp-hdrext:sdes:mid',
    ],
  },
  video: {
    codecs: ['vp8'],
    rtx: true,
    rtcpfbs: [{ id: 'transport-cc' }, { id: 'ccm', params: ['fir'] }, { id: 'nack' }, { id: 'nack', params: ['pli'] }],
    extensions: [
      'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
      'urn:ietf:params:rtp-hdrext:sdes:mid',
      'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
      'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
      'urn:3gpp:video-orientation',
    ],
    simulcast: true,
  },
};

/** After a layer switch, when a keyframe is asked for again (the engine throttles requests). */
const KEYFRAME_RETRY_MS = [1_100, 2_300];

/** Most a subscriber connection probes for above what it sends (bits per second). */
const PROBE_MAX_BPS = 5_000_000;

class MzSource implements EngineSource {
  constructor(
    readonly kind: MediaKind,
    readonly mid: string,
    readonly rids: readonly string[],
    readonly track: MzIncomingTrack,
    readonly mz: MediaServerModule,
  ) {}

  layers(): LayerInfo[] {
    try {
      const { active } = this.track.getActiveLayers();
      return active
        .map((l) => ({ rid: l.id, width: l.width ?? 0, height: l.height ?? 0, bitrate: l.bitrate }))
        .sort((a, b) => a.bitrate - b.bitrate);
    } catch {
      return [];
    }
  }

  requestKeyframe(): void {
    try {
      this.track.refresh();
    } catch {
      // Stopped: nothing to ask for.
    }
  }

  keyframes(count: number, timeoutMs: number): Promise<Uint8Array[]> {
    const frames: Uint8Array[] = [];
    if (this.kind !== 'video' || count <= 0) return Promise.resolve(frames);
    // A reader per simulcast layer, not one on the track: the track's own reader goes through
    // the engine's layer selector, which passes nothing on while it waits for a layer a browser
    // has stopped sending (Firefox under load).
    const layers: Array<MzIncomingTrack | MzFrameSource> =
      this.track.encodings && this.track.encodings.size > 1
        ? [...this.track.encodings.values()].map((e) => ({
            depacketizer: e.depacketizer,
            once: () => undefined,
            off: () => undefined,
          }))
        : [this.track];
    return new Promise((resolve) => {
      const readers: MzTrackReader[] = [];
      let stopped = false;
      const done = (): void => {
        if (stopped) return;
        stopped = true;
        clearTimeout(timer);
        clearInterval(asking);
        for (const reader of readers) {
          // Frames already queued on the native side still arrive: they must find a no-op, since
          // a stopped reader's emitter throws, and a throw there would end the process.
          reader.onframe = () => undefined;
          reader.stop();
        }
        resolve(frames);
      };
      const timer = setTimeout(done, timeoutMs);
      // A keyframe request can go unanswered (lost, or throttled by the browser or the engine):
      // ask again every second until the frames are in.
      const asking = setInterval(() => this.requestKeyframe(), 1_000);
      try {
        for (const layer of layers) {
          const reader = this.mz.createIncomingStreamTrackReader(true, 0);
          readers.push(reader);
          reader.on('frame', (frame: { type: string; buffer: Uint8Array }) => {
            if (frame.type !== 'Video' || frames.length >= count) return;
            frames.push(Uint8Array.from(frame.buffer));
            if (frames.length >= count) done();
            else this.requestKeyframe();
          });
          reader.attachTo(layer);
        }
      } catch {
        done();
        return;
      }
      this.requestKeyframe();
    });
  }

  stop(): void {
    this.track.stop();
  }
}

class MzSink implements EngineSink {
  #transponder: MzTransponder | null = null;
  #selected: string | null = null;
  #wanted: string | null;
  #stopped = false;
  #keyframeTimers: Array<ReturnType<typeof setTimeout>> = [];

  constructor(
    readonly mid: string,
    readonly source: MzSource,
    readonly track: MzOutgoingTrack,
    /** Told the packets this sink sent when it stops, so the engine's total never goes back. */
    readonly onStop: (packets: number) => void,
  ) {
    // Until told otherwise: the middle layer of a simulcast source, else its only encoding.
    this.#wanted = source.rids.length > 0 ? (source.rids[Math.floor(source.rids.length / 2)] ?? '') : '';
  }

  get selected(): string | null {
    return this.#selected;
  }

  /** Start forwarding; called once DTLS is up (attaching earlier loses the first keyframe). */
  attach(): void {
    if (this.#stopped || this.#transponder) return;
    try {
      this.#transponder = this.track.attachTo(this.source.track);
      this.#apply();
      this.source.requestKeyframe();
    } catch {
      // The source ended meanwhile (its publisher left): the subscriber is told by `sfu-tracks`.
      this.#transponder = null;
    }
  }

  select(rid: string | null): void {
    this.#wanted = rid;
    this.#apply();
  }

  #apply(): void {
    const t = this.#transponder;
    if (!t || this.#stopped) return;
    const rid = this.#wanted;
    if (rid === null) {
      t.mute(true);
      this.#selected = null;
      return;
    }
    try {
      // Smooth: keep forwarding the current layer until the new one reaches a keyframe, so a
      // switch never freezes the picture.
      if (rid !== '') t.selectEncoding(rid, true);
      t.mute(false);
      // The new layer starts at its next keyframe: ask for one rather than wait for it, and ask
      // again shortly, as the engine lets only so many requests through per second.
      if (this.#selected !== rid) this.#askKeyframes();
      this.#selected = rid;
    } catch {
      // The layer is not (yet) known to the engine: keep what is forwarded now.
    }
  }

  #askKeyframes(): void {
    for (const t of this.#keyframeTimers) clearTimeout(t);
    this.source.requestKeyframe();
    this.#keyframeTimers = KEYFRAME_RETRY_MS.map((ms) => {
      const timer = setTimeout(() => {
        if (!this.#stopped) this.source.requestKeyframe();
      }, ms);
      timer.unref();
      return timer;
    });
  }

  /** RTP packets sent to the subscriber so far (read from the engine's per-track counters). */
  packets(): number {
    if (this.#stopped) return 0;
    try {
      return this.track.getStats().numPackets || 0;
    } catch {
      return 0;
    }
  }

  stop(): void {
    if (this.#stopped) return;
    const sent = this.packets();
    this.#stopped = true;
    for (const t of this.#keyframeTimers) clearTimeout(t);
    this.track.stop();
    this.onStop(sent);
  }
}

class MzConnection implements EngineConnection {
  #transport: MzTransport | null = null;
  #state: ConnectionState = 'new';
  #sendBitrate = 0;
  readonly #listeners: Array<(s: ConnectionState) => void> = [];
  readonly #sources = new Map<string, MzSource>();
  readonly #sinks = new Map<string, MzSink>();
  #nextSink = 0;
  #probing = false;

  constructor(
    readonly engine: MedoozeEngine,
    readonly mz: MediaServerModule,
    readonly sdp: SemanticSdpModule,
  ) {}

  get state(): ConnectionState {
    return this.#state;
  }

  get sendBitrate(): number {
    return this.#sendBitrate;
  }

  on(_event: 'state', listener: (s: ConnectionState) => void): void {
    this.#listeners.push(listener);
  }

  #setState(s: ConnectionState): void {
    if (this.#state === s || this.#state === 'closed') return;
    this.#state = s;
    if (s === 'connected') for (const sink of this.#sinks.values()) sink.attach();
    for (const l of this.#listeners) l(s);
  }

  /** The transport for this offer: made by the first, ICE-restarted when the credentials change. */
  #apply(offerSdp: string): { offer: MzSdp; answer: MzSdp } {
    const offer = this.sdp.SDPInfo.parse(offerSdp);
    let t = this.#transport;
    if (!t) {
      t = this.engine.endpoint.createTransport(offer);
      this.#transport = t;
      t.on('dtlsstate', (state: string) => {
        if (state === 'connected') this.#setState('connected');
        else if (state === 'failed') this.#setState('failed');
        else if (state === 'closed') this.#setState('closed');
      });
      // No ICE from the peer for 30 s: it is gone.
      t.on('icetimeout', () => this.#setState('failed'));
      t.on('targetbitrate', (bitrate: number) => {
        this.#sendBitrate = bitrate;
      });
      this.engine.connections.add(this);
    } else if (t.getRemoteICEInfo().getUfrag() !== offer.getICE().getUfrag()) {
      t.restartICE(offer.getICE());
    }
    t.setRemoteProperties(offer);
    const answer = offer.answer({
      dtls: t.getLocalDTLSInfo(),
      ice: t.getLocalICEInfo(),
      candidates: this.engine.endpoint.getLocalCandidates(),
      capabilities: CAPABILITIES,
    });
    return { offer, answer };
  }

  publish(offerSdp: string, mids: readonly string[]): { answer: string; sources: Map<string, EngineSource> } {
    const { offer, answer } = this.#apply(offerSdp);
    const wanted = new Set(mids);
    const tracks = new Map<string, MzTrackInfo>();
    for (const stream of offer.getStreams().values()) {
      for (const track of stream.getTracks().values()) {
        const mid = track.getMediaId();
        if (mid !== undefined && wanted.has(mid)) tracks.set(mid, track);
      }
    }
    for (const [mid, source] of this.#sources) {
      if (!tracks.has(mid)) {
        source.stop();
        this.#sources.delete(mid);
      }
    }
    for (const [mid, info] of tracks) {
      if (this.#sources.has(mid)) continue;
      const kind: MediaKind = info.getMedia() === 'audio' ? 'audio' : 'video';
      const rids = info
        .getEncodings()
        .flat()
        .map((e) => e.getId())
        .filter((id) => id !== '');
      const track = this.#transport!.createIncomingStreamTrack(kind, info);
      this.#sources.set(mid, new MzSource(kind, mid, rids, track, this.mz));
    }
    this.#transport!.setLocalProperties(answer);
    return { answer: rejectMids(answer.toString(), rejectedMids(offerSdp)), sources: new Map(this.#sources) };
  }

  subscribe(
    offerSdp: string,
    wanted: ReadonlyMap<string, EngineSource>,
  ): { answer: string; sinks: Map<string, EngineSink> } {
    const { offer, answer } = this.#apply(offerSdp);
    const t = this.#transport!;
    if (!this.#probing) {
      // Probe for bandwidth above what is sent, so the estimate can grow to larger layers.
      t.setBandwidthProbing(true);
      t.setMaxProbingBitrate(PROBE_MAX_BPS);
      this.#probing = true;
    }
    for (const [mid, sink] of this.#sinks) {
      if (wanted.get(mid) !== sink.source) {
        sink.stop();
        this.#sinks.delete(mid);
      }
    }
    for (const media of offer.getMedias()) {
      const mid = media.getId();
      const source = wanted.get(mid);
      const answered = answer.getMediaById(mid);
      if (!source || !(source instanceof MzSource) || media.getType() !== source.kind) {
        answered?.setDirection(this.sdp.Direction.INACTIVE);
        continue;
      }
      let sink = this.#sinks.get(mid);
      if (!sink) {
        const out = t.createOutgoingStreamTrack(source.kind, { id: `t${this.#nextSink++}`, mediaId: mid });
        sink = new MzSink(mid, source, out, (sent) => (this.engine.retiredPackets += sent));
        this.#sinks.set(mid, sink);
      }
      const stream = new this.sdp.StreamInfo(`s-${mid}`);
      stream.addTrack(sink.track.getTrackInfo());
      answer.addStream(stream);
    }
    t.setLocalProperties(answer);
    if (this.#state === 'connected') for (const sink of this.#sinks.values()) sink.attach();
    return { answer: rejectMids(answer.toString(), rejectedMids(offerSdp)), sinks: new Map(this.#sinks) };
  }

  /** RTP packets this connection's sinks sent so far. */
  forwardedPackets(): number {
    let n = 0;
    for (const sink of this.#sinks.values()) n += sink.packets();
    return n;
  }

  close(): void {
    if (this.#state === 'closed' && !this.#transport) return;
    for (const sink of this.#sinks.values()) sink.stop();
    for (const source of this.#sources.values()) source.stop();
    this.#sinks.clear();
    this.#sources.clear();
    const t = this.#transport;
    this.#transport = null;
    this.engine.connections.delete(this);
    this.#setState('closed');
    t?.stop();
  }
}

class MzSpeakers implements EngineSpeakerDetector {
  readonly #detector: MzSpeakerDetector;
  readonly #who = new Map<MzIncomingTrack, string>();
  readonly #listeners: Array<(id: string) => void> = [];

  constructor(mz: MediaServerModule) {
    this.#detector = mz.createActiveSpeakerDetector();
    // Hold the floor at least a second, so brief sounds do not flip the layout.
    this.#detector.setMinChangePeriod(1000);
    this.#detector.on('activespeakerchanged', (track: MzIncomingTrack) => {
      const id = this.#who.get(track);
      if (id !== undefined) for (const l of this.#listeners) l(id);
    });
  }

  add(source: EngineSource, participantId: string): void {
    if (!(source instanceof MzSource) || source.kind !== 'audio') return;
    this.#who.set(source.track, participantId);
    this.#detector.addSpeaker(source.track);
  }

  /**
   * Forget whose the track was. The detector itself lets go of a track when the track stops
   * (every removed source is stopped by its connection): removing a live track from it
   * deadlocks medooze 1.156 when one of its packets is being dispatched at that moment (the
   * detector's lock is held while waiting for the very thread that waits for it).
   */
  remove(source: EngineSource): void {
    if (source instanceof MzSource) this.#who.delete(source.track);
  }

  on(_event: 'speaker', listener: (id: string) => void): void {
    this.#listeners.push(listener);
  }

  stop(): void {
    this.#detector.stop();
  }
}

export class MedoozeEngine implements SfuEngine {
  readonly connections = new Set<MzConnection>();
  /** Packets sent by sinks that have stopped. */
  retiredPackets = 0;
  readonly endpoint: MzEndpoint;
  readonly port: number;

  constructor(
    readonly name: string,
    readonly mz: MediaServerModule,
    readonly sdp: SemanticSdpModule,
    readonly addresses: readonly string[],
    /** Exactly this UDP port (the engine's port range must span at least 50 ports). */
    exactPort?: { port: number; bundle: { prototype: { Init(port?: number): number } } },
  ) {
    if (exactPort) {
      // The engine's endpoint binds a random port of its range; its native transport can also
      // bind a given one, which the endpoint does not expose: bind that one for this endpoint.
      const proto = exactPort.bundle.prototype;
      const init = proto.Init;
      proto.Init = function (this: unknown) {
        return init.call(this, exactPort.port);
      };
      try {
        this.endpoint = mz.createEndpoint([...addresses]);
      } finally {
        proto.Init = init;
      }
    } else this.endpoint = mz.createEndpoint([...addresses]);
    this.port = this.endpoint.getLocalPort();
  }

  connection(): EngineConnection {
    return new MzConnection(this, this.mz, this.sdp);
  }

  speakerDetector(): EngineSpeakerDetector {
    return new MzSpeakers(this.mz);
  }

  stats(): { connections: number; forwardedPackets: number } {
    let forwardedPackets = this.retiredPackets;
    for (const c of this.connections) forwardedPackets += c.forwardedPackets();
    return { connections: this.connections.size, forwardedPackets };
  }

  close(): void {
    for (const c of [...this.connections]) c.close();
    this.endpoint.stop();
  }
}

/** Load the engine, or say why it cannot run here (not built, no port free). */
export function loadMedooze(opts: EngineOptions): { ok: true; engine: SfuEngine } | { ok: false; reason: string } {
  const require = createRequire(import.meta.url);
  let mz: MediaServerModule;
  let sdp: SemanticSdpModule;
  let version = '';
  try {
    mz = require('medooze-media-server') as MediaServerModule;
    sdp = require('semantic-sdp') as SemanticSdpModule;
    version = (require('medooze-media-server/package.json') as { version: string }).version;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { ok: false, reason: `medooze-media-server is not installed or did not build (${message})` };
  }
  try {
    mz.enableLog(false);
    mz.enableDebug(false);
    mz.enableWarning(false);
    const name = `medooze-media-server ${version}`;
    if (opts.portMin === opts.portMax) {
      const native = require('medooze-media-server/lib/Native.js') as {
        RTPBundleTransport: { prototype: { Init(port?: number): number } };
      };
      const engine = new MedoozeEngine(name, mz, sdp, opts.addresses, {
        port: opts.portMin,
        bundle: native.RTPBundleTransport,
      });
      if (engine.port !== opts.portMin) {
        engine.close();
        return { ok: false, reason: `cannot use UDP port ${opts.portMin}` };
      }
      return { ok: true, engine };
    }
    if (!mz.setPortRange(opts.portMin, opts.portMax)) {
      return { ok: false, reason: `cannot use UDP ports ${opts.portMin}-${opts.portMax}` };
    }
    return { ok: true, engine: new MedoozeEngine(name, mz, sdp, opts.addresses) };
  } catch (err) {
    return {
      ok: false,
      reason: `medooze-media-server failed to start: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
