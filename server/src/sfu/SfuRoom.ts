import type { ErrorId, ParticipantId, SfuPublish, SfuSubscribe, SfuTrack, SfuView, TrackRole } from '@parley/protocol';
import type { Logger } from '../logger';
import type {
  EngineConnection,
  EngineSink,
  EngineSource,
  EngineSpeakerDetector,
  LayerInfo,
  SfuEngine,
} from './engine/Engine';
import { allocate, type View } from './layers';

/** How often each subscriber's layers are chosen again (layers come and go, bandwidth changes). */
export const LAYER_INTERVAL_MS = 1000;
/**
 * A new subscribe connection's bandwidth estimate starts low and climbs as it probes: for this
 * long its layers follow the tile sizes alone, so the picture does not step down and up again.
 */
export const ESTIMATE_RAMP_MS = 5000;
/** A subscriber connection whose estimate is below this share of what is sent counts as congested. */
export const CONGESTED_BELOW = 0.9;
/** After congestion, how long a subscriber's videos stay down before climbing again. */
export const CLIMB_HOLD_MS = 10_000;

export type SfuResult<T> = { ok: true; value: T } | { ok: false; error: ErrorId; message: string };

interface Published {
  id: string;
  role: TrackRole;
  source: EngineSource;
}

interface Subscription {
  sink: EngineSink;
  trackId: string;
}

interface Peer {
  id: ParticipantId;
  send(event: string, payload: unknown): void;
  publish: EngineConnection | null;
  /** The DTLS fingerprint of the browser connection behind `publish` / `subscribe`. */
  publishFingerprint: string | null;
  subscribe: EngineConnection | null;
  subscribeFingerprint: string | null;
  /** When the current subscribe connection was made (its estimate is young before ESTIMATE_RAMP_MS). */
  subscribeSince: number;
  /** No layer climbs before this time (set when the connection was congested). */
  climbAfter: number;
  /** Published tracks by mid. */
  tracks: Map<string, Published>;
  /** Received tracks by the subscribe connection's mid. */
  subscriptions: Map<string, Subscription>;
  views: Map<string, { width: number; height: number }>;
}

/** The DTLS fingerprint of an offer: a new one means a new browser connection, not a renegotiation. */
function fingerprintOf(sdp: string): string {
  return /a=fingerprint:(\S+ \S+)/.exec(sdp)?.[1] ?? '';
}

/**
 * One room's media through the forwarding unit: who publishes which tracks, who receives which,
 * at which layer, and who speaks. Knows the engine only through its interface.
 */
export class SfuRoom {
  readonly #peers = new Map<ParticipantId, Peer>();
  readonly #speakers: EngineSpeakerDetector;
  #speaker: ParticipantId | null = null;
  readonly #timer: ReturnType<typeof setInterval>;
  #closed = false;

  constructor(
    readonly name: string,
    readonly engine: SfuEngine,
    readonly log: Logger,
    readonly onClose: () => void = () => undefined,
    readonly now: () => number = Date.now,
  ) {
    this.#speakers = engine.speakerDetector();
    this.#speakers.on('speaker', (id) => {
      if (id === this.#speaker || !this.#peers.has(id)) return;
      this.#speaker = id;
      this.#broadcast('active-speaker', { participant: id });
    });
    this.#timer = setInterval(() => {
      for (const p of this.#peers.values()) {
        try {
          this.#chooseLayers(p);
        } catch (err) {
          // One participant's bad state must not stop the timer (or the process) for the room.
          this.log.error({ err, room: this.name, participant: p.id }, 'choosing layers failed');
        }
      }
    }, LAYER_INTERVAL_MS);
    this.#timer.unref();
  }

  get size(): number {
    return this.#peers.size;
  }

  /** A participant entered (or took back its seat on a new signaling connection). */
  join(id: ParticipantId, send: (event: string, payload: unknown) => void): void {
    const known = this.#peers.get(id);
    if (known) known.send = send;
    else
      this.#peers.set(id, {
        id,
        send,
        publish: null,
        publishFingerprint: null,
        subscribe: null,
        subscribeFingerprint: null,
        subscribeSince: 0,
        climbAfter: 0,
        tracks: new Map(),
        subscriptions: new Map(),
        views: new Map(),
      });
    send('sfu-tracks', { tracks: this.tracksFor(id) });
    if (this.#speaker !== null) send('active-speaker', { participant: this.#speaker });
  }

  /** The participant left: its connections close and its tracks end for everyone. */
  leave(id: ParticipantId): void {
    const p = this.#peers.get(id);
    if (!p) return;
    this.#peers.delete(id);
    this.#dropTracks(p);
    p.publish?.close();
    p.subscribe?.close();
    if (this.#speaker === id) {
      this.#speaker = null;
      this.#broadcast('active-speaker', { participant: null });
    }
    this.#tracksChanged();
  }

  /** Every track published in the room except `id`'s own. */
  tracksFor(id: ParticipantId): SfuTrack[] {
    const out: SfuTrack[] = [];
    for (const p of this.#peers.values()) {
      if (p.id === id) continue;
      for (const t of p.tracks.values()) out.push({ id: t.id, participant: p.id, role: t.role, kind: t.source.kind });
    }
    return out;
  }

  /**
   * The next keyframes of every published camera, as the forwarding unit receives and forwards
   * them (for the test tap: end-to-end encrypted frames must not be decodable here).
   */
  async cameraKeyframes(
    count: number,
    timeoutMs: number,
  ): Promise<Array<{ participant: ParticipantId; frames: Uint8Array[] }>> {
    const cameras: Array<{ participant: ParticipantId; source: EngineSource }> = [];
    for (const p of this.#peers.values()) {
      for (const t of p.tracks.values()) if (t.role === 'camera') cameras.push({ participant: p.id, source: t.source });
    }
    return Promise.all(
      cameras.map(async ({ participant, source }) => ({
        participant,
        frames: await source.keyframes(count, timeoutMs),
      })),
    );
  }

  publish(id: ParticipantId, req: SfuPublish): SfuResult<string> {
    const p = this.#peers.get(id);
    if (!p) return { ok: false, error: 'not-joined', message: 'Join the room first.' };
    const roles = new Map<string, TrackRole>();
    for (const t of req.tracks) {
      if (roles.has(t.mid)) return refused(`mid ${t.mid} is listed twice`);
      if ((t.role === 'camera' || t.role === 'microphone') && [...roles.values()].includes(t.role)) {
        return refused(`more than one ${t.role}`);
      }
      roles.set(t.mid, t.role);
    }
    const fingerprint = fingerprintOf(req.description.sdp);
    if (
      p.publish &&
      (p.publishFingerprint !== fingerprint || p.publish.state === 'failed' || p.publish.state === 'closed')
    ) {
      // A new browser connection (the page rebuilt it): the old one and its tracks are gone.
      this.#dropTracks(p);
      p.publish.close();
      p.publish = null;
    }
    const conn = p.publish ?? this.#connection(p, 'publish');
    p.publishFingerprint = fingerprint;
    let result: ReturnType<EngineConnection['publish']>;
    try {
      result = conn.publish(req.description.sdp, [...roles.keys()]);
    } catch (err) {
      this.log.debug({ err, room: this.name, participant: id }, 'publish offer refused');
      return refused(err instanceof Error ? err.message : String(err));
    }
    let changed = false;
    for (const [mid, t] of p.tracks) {
      if (result.sources.get(mid) !== t.source) {
        this.#speakers.remove(t.source);
        p.tracks.delete(mid);
        changed = true;
      }
    }
    for (const [mid, source] of result.sources) {
      const role = roles.get(mid);
      if (!role || p.tracks.has(mid)) continue;
      const expected = role === 'camera' || role === 'screen' ? 'video' : 'audio';
      if (source.kind !== expected) continue;
      p.tracks.set(mid, { id: `${id}:${mid}`, role, source });
      if (role === 'microphone') this.#speakers.add(source, id);
      changed = true;
    }
    if (changed) this.#tracksChanged();
    return { ok: true, value: result.answer };
  }

  subscribe(id: ParticipantId, req: SfuSubscribe): SfuResult<string> {
    const p = this.#peers.get(id);
    if (!p) return { ok: false, error: 'not-joined', message: 'Join the room first.' };
    const byId = new Map<string, Published>();
    for (const other of this.#peers.values()) {
      if (other.id === id) continue;
      for (const t of other.tracks.values()) byId.set(t.id, t);
    }
    const wanted = new Map<string, EngineSource>();
    const trackOfMid = new Map<string, string>();
    for (const { mid, track } of req.tracks) {
      const t = byId.get(track);
      if (!t || trackOfMid.has(mid)) continue;
      wanted.set(mid, t.source);
      trackOfMid.set(mid, track);
    }
    const fingerprint = fingerprintOf(req.description.sdp);
    if (
      p.subscribe &&
      (p.subscribeFingerprint !== fingerprint || p.subscribe.state === 'failed' || p.subscribe.state === 'closed')
    ) {
      p.subscribe.close();
      p.subscribe = null;
      p.subscriptions.clear();
    }
    if (!p.subscribe) p.subscribeSince = this.now();
    const conn = p.subscribe ?? this.#connection(p, 'subscribe');
    p.subscribeFingerprint = fingerprint;
    let result: ReturnType<EngineConnection['subscribe']>;
    try {
      result = conn.subscribe(req.description.sdp, wanted);
    } catch (err) {
      this.log.debug({ err, room: this.name, participant: id }, 'subscribe offer refused');
      return refused(err instanceof Error ? err.message : String(err));
    }
    p.subscriptions.clear();
    for (const [mid, sink] of result.sinks) p.subscriptions.set(mid, { sink, trackId: trackOfMid.get(mid) ?? '' });
    this.#chooseLayers(p);
    return { ok: true, value: result.answer };
  }

  view(id: ParticipantId, req: SfuView): void {
    const p = this.#peers.get(id);
    if (!p) return;
    for (const v of req.views) {
      if (p.views.size >= 400 && !p.views.has(v.track)) break;
      p.views.set(v.track, { width: v.width, height: v.height });
    }
    this.#chooseLayers(p);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const id of [...this.#peers.keys()]) this.leave(id);
    this.#speakers.stop();
    this.onClose();
  }

  #connection(p: Peer, which: 'publish' | 'subscribe'): EngineConnection {
    const conn = this.engine.connection();
    p[which] = conn;
    conn.on('state', (state) => {
      if (state !== 'failed' || p[which] !== conn) return;
      // No ICE from the browser for 30 s, or DTLS failed: it is gone (a page that lost its path
      // restarts ICE before this; one that comes back later offers a new connection).
      this.log.info({ room: this.name, participant: p.id, connection: which }, 'media connection failed');
      // Closed after the engine's own event has run its course, never from inside it.
      setImmediate(() => conn.close());
      p[which] = null;
      if (which === 'publish') {
        this.#dropTracks(p);
        this.#tracksChanged();
      } else p.subscriptions.clear();
    });
    return conn;
  }

  /** Layers for every video `p` receives, within what its connection can take. */
  #chooseLayers(p: Peer): void {
    const owners = new Map<string, Published>();
    for (const other of this.#peers.values()) for (const t of other.tracks.values()) owners.set(t.id, t);
    const videos = [];
    for (const [mid, s] of p.subscriptions) {
      const t = owners.get(s.trackId);
      if (!t || t.source.kind !== 'video') continue;
      const view: View = p.views.get(s.trackId);
      videos.push({ key: mid, rids: t.source.rids, layers: t.source.layers(), view });
    }
    // What is forwarded now, against what the connection's estimate says it can carry: below
    // it, the connection is congested, the budget caps every layer at once and nothing climbs
    // for CLIMB_HOLD_MS; otherwise each video climbs one layer per round towards its tile (the
    // estimate follows what is sent, so it shows room for more only once more is sent).
    let sending = 0;
    for (const v of videos) {
      const rid = p.subscriptions.get(v.key)?.sink.selected;
      sending += v.layers.find((l) => l.rid === rid)?.bitrate ?? 0;
    }
    const estimate = p.subscribe?.sendBitrate ?? 0;
    const young = this.now() - p.subscribeSince < ESTIMATE_RAMP_MS;
    const congested = !young && estimate > 0 && estimate < sending * CONGESTED_BELOW;
    const now = this.now();
    if (congested) p.climbAfter = now + CLIMB_HOLD_MS;
    const mayClimb = now >= p.climbAfter;
    const choice = allocate(videos, congested ? estimate : 0);
    for (const [mid, wanted] of choice) {
      const sink = p.subscriptions.get(mid)?.sink;
      if (!sink) continue;
      const layers = videos.find((v) => v.key === mid)?.layers ?? [];
      const rid = young || congested ? wanted : towards(layers, sink.selected, wanted, mayClimb);
      if (sink.selected === rid) continue;
      this.log.debug({ room: this.name, participant: p.id, mid, rid, estimate, sending, congested }, 'layer');
      sink.select(rid);
    }
  }

  #dropTracks(p: Peer): void {
    for (const t of p.tracks.values()) this.#speakers.remove(t.source);
    p.tracks.clear();
  }

  #tracksChanged(): void {
    for (const p of this.#peers.values()) p.send('sfu-tracks', { tracks: this.tracksFor(p.id) });
  }

  #broadcast(event: string, payload: unknown): void {
    for (const p of this.#peers.values()) p.send(event, payload);
  }
}

/**
 * The layer to forward next on the way from `current` to `wanted` (layers smallest first):
 * down, or from nothing, at once; up one layer per round, and not at all while `mayClimb` is
 * false (just after congestion).
 */
export function towards(
  layers: readonly LayerInfo[],
  current: string | null,
  wanted: string | null,
  mayClimb: boolean,
): string | null {
  if (wanted === null || current === null || current === '' || wanted === '') return wanted;
  const order = layers.filter((l) => l.bitrate > 0).map((l) => l.rid);
  const from = order.indexOf(current);
  const to = order.indexOf(wanted);
  if (from < 0 || to < 0 || to <= from) return wanted;
  if (!mayClimb) return current;
  return order[from + 1] ?? wanted;
}

function refused(message: string): { ok: false; error: ErrorId; message: string } {
  return { ok: false, error: 'negotiation-failed', message: `The server could not apply the offer: ${message}.` };
}
