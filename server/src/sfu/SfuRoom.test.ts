import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SfuTrack } from '@parley/protocol';
import { createLogger } from '../logger';
import type {
  ConnectionState,
  EngineConnection,
  EngineSink,
  EngineSource,
  EngineSpeakerDetector,
  LayerInfo,
  SfuEngine,
} from './engine/Engine';
import { CLIMB_HOLD_MS, ESTIMATE_RAMP_MS, SfuRoom } from './SfuRoom';

/* A fake engine: sources and sinks that record what the room asks of them. */

const cameraLayers: LayerInfo[] = [
  { rid: 'q', width: 320, height: 180, bitrate: 150_000 },
  { rid: 'h', width: 640, height: 360, bitrate: 500_000 },
  { rid: 'f', width: 1280, height: 720, bitrate: 1_500_000 },
];

class FakeSource implements EngineSource {
  stopped = false;
  constructor(
    readonly kind: 'audio' | 'video',
    readonly mid: string,
    readonly rids: string[],
  ) {}
  layers(): LayerInfo[] {
    return this.kind === 'video' && this.rids.length > 0 ? cameraLayers : [];
  }
  requestKeyframe(): void {}
  keyframes(): Promise<Uint8Array[]> {
    return Promise.resolve([]);
  }
  stop(): void {
    this.stopped = true;
  }
}

class FakeSink implements EngineSink {
  selected: string | null = null;
  stopped = false;
  constructor(
    readonly mid: string,
    readonly source: EngineSource,
  ) {}
  select(rid: string | null): void {
    this.selected = rid;
  }
  stop(): void {
    this.stopped = true;
  }
}

/** Offers are written `kind:mid[:rids]` per line: enough for the fake to know what is sent. */
function offer(fingerprint: string, ...lines: string[]): string {
  return [`a=fingerprint:sha-256 ${fingerprint}`, ...lines].join('\n');
}

class FakeConnection implements EngineConnection {
  state: ConnectionState = 'new';
  sendBitrate = 0;
  closed = false;
  readonly #listeners: Array<(s: ConnectionState) => void> = [];
  readonly sources = new Map<string, FakeSource>();
  readonly sinks = new Map<string, FakeSink>();
  publish(sdp: string, mids: readonly string[]): { answer: string; sources: Map<string, EngineSource> } {
    const offered = new Map<string, { kind: 'audio' | 'video'; rids: string[] }>();
    for (const line of sdp.split('\n')) {
      const [kind, mid, rids] = line.split(':');
      if ((kind === 'audio' || kind === 'video') && mid) offered.set(mid, { kind, rids: rids ? rids.split(',') : [] });
    }
    for (const [mid, s] of this.sources) {
      if (mids.includes(mid) && offered.has(mid)) continue;
      s.stop();
      this.sources.delete(mid);
    }
    for (const mid of mids) {
      const o = offered.get(mid);
      if (o && !this.sources.has(mid)) this.sources.set(mid, new FakeSource(o.kind, mid, o.rids));
    }
    return { answer: 'answer', sources: new Map(this.sources) };
  }
  subscribe(
    _sdp: string,
    wanted: ReadonlyMap<string, EngineSource>,
  ): { answer: string; sinks: Map<string, EngineSink> } {
    for (const [mid, s] of this.sinks) {
      if (wanted.get(mid) === s.source) continue;
      s.stop();
      this.sinks.delete(mid);
    }
    for (const [mid, source] of wanted) if (!this.sinks.has(mid)) this.sinks.set(mid, new FakeSink(mid, source));
    return { answer: 'answer', sinks: new Map(this.sinks) };
  }
  on(_e: 'state', l: (s: ConnectionState) => void): void {
    this.#listeners.push(l);
  }
  set(state: ConnectionState): void {
    this.state = state;
    for (const l of this.#listeners) l(state);
  }
  close(): void {
    this.closed = true;
    this.state = 'closed';
  }
}

class FakeSpeakers implements EngineSpeakerDetector {
  readonly who = new Map<EngineSource, string>();
  #l: Array<(id: string) => void> = [];
  add(s: EngineSource, id: string): void {
    this.who.set(s, id);
  }
  remove(s: EngineSource): void {
    this.who.delete(s);
  }
  on(_e: 'speaker', l: (id: string) => void): void {
    this.#l.push(l);
  }
  speak(id: string): void {
    for (const l of this.#l) l(id);
  }
  stop(): void {}
}

class FakeEngine implements SfuEngine {
  name = 'fake';
  port = 40000;
  addresses = ['127.0.0.1'];
  readonly connections: FakeConnection[] = [];
  readonly speakers = new FakeSpeakers();
  connection(): EngineConnection {
    const c = new FakeConnection();
    this.connections.push(c);
    return c;
  }
  speakerDetector(): EngineSpeakerDetector {
    return this.speakers;
  }
  stats() {
    return { connections: this.connections.length, forwardedPackets: 0 };
  }
  close(): void {}
}

function setup() {
  const engine = new FakeEngine();
  const clock = { now: 0 };
  const room = new SfuRoom('r', engine, createLogger('silent'), undefined, () => clock.now);
  const inbox = new Map<string, Array<{ event: string; payload: unknown }>>();
  const enter = (id: string): void => {
    inbox.set(id, []);
    room.join(id, (event, payload) => inbox.get(id)!.push({ event, payload }));
  };
  const lastTracks = (id: string): SfuTrack[] => {
    const m = inbox
      .get(id)!
      .filter((x) => x.event === 'sfu-tracks')
      .at(-1);
    return (m?.payload as { tracks: SfuTrack[] }).tracks;
  };
  return { engine, room, enter, inbox, lastTracks, clock };
}

const publishCamMic = (fp = 'AA') => ({
  description: { type: 'offer' as const, sdp: offer(fp, 'audio:0', 'video:1:q,h,f') },
  tracks: [
    { mid: '0', role: 'microphone' as const },
    { mid: '1', role: 'camera' as const },
  ],
});

describe('SfuRoom', () => {
  test('published tracks are announced to the others, never to their publisher', () => {
    const t = setup();
    t.enter('a');
    t.enter('b');
    assert.deepEqual(t.lastTracks('b'), []);
    const r = t.room.publish('a', publishCamMic());
    assert.equal(r.ok, true);
    assert.deepEqual(
      t.lastTracks('b').map((x) => `${x.id} ${x.role} ${x.kind}`),
      ['a:0 microphone audio', 'a:1 camera video'],
    );
    assert.deepEqual(t.lastTracks('a'), []);
    // A latecomer hears of them at once.
    t.enter('c');
    assert.equal(t.lastTracks('c').length, 2);
  });

  test('an offer naming two cameras or a mid twice is refused, and nothing is published', () => {
    const t = setup();
    t.enter('a');
    const two = t.room.publish('a', {
      description: { type: 'offer', sdp: offer('AA', 'video:0', 'video:1') },
      tracks: [
        { mid: '0', role: 'camera' },
        { mid: '1', role: 'camera' },
      ],
    });
    assert.equal(two.ok, false);
    const twice = t.room.publish('a', {
      description: { type: 'offer', sdp: offer('AA', 'video:0') },
      tracks: [
        { mid: '0', role: 'camera' },
        { mid: '0', role: 'screen' },
      ],
    });
    assert.equal(twice.ok, false);
    assert.equal(t.engine.connections.length, 0);
  });

  test('a role that does not match the kind is not published', () => {
    const t = setup();
    t.enter('a');
    t.enter('b');
    t.room.publish('a', {
      description: { type: 'offer', sdp: offer('AA', 'audio:0') },
      tracks: [{ mid: '0', role: 'camera' }],
    });
    assert.deepEqual(t.lastTracks('b'), []);
  });

  test('subscribing: known tracks get sinks, unknown track ids are ignored, the layer follows the tile', () => {
    const t = setup();
    t.enter('a');
    t.enter('b');
    t.room.publish('a', publishCamMic());
    const r = t.room.subscribe('b', {
      description: { type: 'offer', sdp: offer('BB') },
      tracks: [
        { mid: '0', track: 'a:0' },
        { mid: '1', track: 'a:1' },
        { mid: '2', track: 'nobody:9' },
      ],
    });
    assert.equal(r.ok, true);
    const sub = t.engine.connections[1]!;
    assert.deepEqual([...sub.sinks.keys()], ['0', '1']);
    const video = sub.sinks.get('1')!;
    // Never reported: the middle layer.
    assert.equal(video.selected, 'h');
    t.room.view('b', { views: [{ track: 'a:1', width: 320, height: 180 }] });
    assert.equal(video.selected, 'q');
    t.room.view('b', { views: [{ track: 'a:1', width: 1280, height: 720 }] });
    assert.equal(video.selected, 'f');
    // Hidden: no video at all.
    t.room.view('b', { views: [{ track: 'a:1', width: 0, height: 0 }] });
    assert.equal(video.selected, null);
  });

  test("the subscriber's bandwidth estimate caps the layers", () => {
    const t = setup();
    t.enter('a');
    t.enter('b');
    t.room.publish('a', publishCamMic());
    t.room.subscribe('b', { description: { type: 'offer', sdp: offer('BB') }, tracks: [{ mid: '0', track: 'a:1' }] });
    const sub = t.engine.connections[1]!;
    sub.sendBitrate = 600_000;
    t.room.view('b', { views: [{ track: 'a:1', width: 1280, height: 720 }] });
    assert.equal(sub.sinks.get('0')!.selected, 'f', 'a young estimate (still probing) does not cap');
    t.clock.now += ESTIMATE_RAMP_MS;
    // 600 kbit/s against the 1.5 Mbit/s sent: congested, down at once to what fits.
    t.room.view('b', { views: [{ track: 'a:1', width: 1280, height: 720 }] });
    assert.equal(sub.sinks.get('0')!.selected, 'h');
    t.room.view('b', { views: [{ track: 'a:1', width: 320, height: 180 }] });
    assert.equal(sub.sinks.get('0')!.selected, 'q', 'going down is immediate');
    t.room.view('b', { views: [{ track: 'a:1', width: 1280, height: 720 }] });
    assert.equal(sub.sinks.get('0')!.selected, 'q', 'no climb just after congestion');
    // Not congested any more, after the hold: one layer up per round.
    t.clock.now += CLIMB_HOLD_MS;
    t.room.view('b', { views: [{ track: 'a:1', width: 1280, height: 720 }] });
    assert.equal(sub.sinks.get('0')!.selected, 'h', 'one step up');
    t.room.view('b', { views: [{ track: 'a:1', width: 1280, height: 720 }] });
    assert.equal(sub.sinks.get('0')!.selected, 'f', 'and the next');
    // 600 kbit/s against the 1.5 Mbit/s now sent: congested again, straight back down.
    t.room.view('b', { views: [{ track: 'a:1', width: 1280, height: 720 }] });
    assert.equal(sub.sinks.get('0')!.selected, 'h');
  });

  test('a publisher that leaves: its tracks are withdrawn from everyone and its connections closed', () => {
    const t = setup();
    t.enter('a');
    t.enter('b');
    t.room.publish('a', publishCamMic());
    t.room.leave('a');
    assert.deepEqual(t.lastTracks('b'), []);
    assert.equal(t.engine.connections[0]!.closed, true);
  });

  test('a new browser connection (another DTLS fingerprint) replaces the old one and its tracks', () => {
    const t = setup();
    t.enter('a');
    t.enter('b');
    t.room.publish('a', publishCamMic('AA'));
    // A renegotiation on the same connection keeps it.
    t.room.publish('a', publishCamMic('AA'));
    assert.equal(t.engine.connections.length, 1);
    t.room.publish('a', publishCamMic('CC'));
    assert.equal(t.engine.connections.length, 2);
    assert.equal(t.engine.connections[0]!.closed, true);
    assert.equal(t.lastTracks('b').length, 2);
  });

  test('a failed publish connection withdraws its tracks', () => {
    const t = setup();
    t.enter('a');
    t.enter('b');
    t.room.publish('a', publishCamMic());
    t.engine.connections[0]!.set('failed');
    assert.deepEqual(t.lastTracks('b'), []);
  });

  test('the active speaker is announced to everyone, once per change, and cleared when they leave', () => {
    const t = setup();
    t.enter('a');
    t.enter('b');
    t.room.publish('a', publishCamMic());
    assert.deepEqual([...t.engine.speakers.who.values()], ['a'], 'the microphone is watched');
    t.engine.speakers.speak('a');
    t.engine.speakers.speak('a');
    const spoken = (id: string) =>
      t.inbox
        .get(id)!
        .filter((x) => x.event === 'active-speaker')
        .map((x) => x.payload);
    assert.deepEqual(spoken('b'), [{ participant: 'a' }]);
    t.room.leave('a');
    assert.deepEqual(spoken('b'), [{ participant: 'a' }, { participant: null }]);
    assert.equal(t.engine.speakers.who.size, 0);
  });
});
