import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JoinOk, JoinRequest, Participant, SignalData } from '@parley/protocol';
import { Emitter } from '../emitter';
import { SignalingError, type SignalingClient, type SignalingEvents } from '../signaling/SignalingClient';
import { Call, SWITCH_OVERLAP_MS, SWITCH_POLL_MS, type CallDeps, type Clock } from './Call';
import { REJOIN_RETRY_MS, REJOIN_WAIT_MS } from './liveness';
import type { LocalMedia } from './localMedia';
import type {
  RemoteMedia,
  RemoteMediaState,
  Topology,
  Transport,
  TransportContext,
  TransportEvents,
  TransportFactory,
} from './transport/Transport';

/* Fakes: a signaling client whose join replies the test hands out, a transport that records what
 * the call asks of it, a clock the test moves, and camera/microphone tracks that can be stopped. */

class FakeSignaling extends Emitter<SignalingEvents> {
  connected = true;
  readonly joins: JoinRequest[] = [];
  readonly #replies: Array<(reply: JoinOk) => void> = [];
  readonly #refusals: Array<(err: SignalingError) => void> = [];
  left = 0;
  closed = 0;
  connect(): Promise<void> {
    return Promise.resolve();
  }
  join(req: JoinRequest): Promise<JoinOk> {
    this.joins.push(req);
    return new Promise((resolve, reject) => {
      this.#replies.push(resolve);
      this.#refusals.push(reject);
    });
  }
  /** Refuse the oldest join request still waiting. */
  refuse(id: 'cluster-unavailable' | 'room-full' | 'timeout', message: string): void {
    this.#replies.shift();
    const refuse = this.#refusals.shift();
    assert.ok(refuse, 'a join request is waiting for its reply');
    refuse(new SignalingError(id, message));
  }
  /** Answer the oldest join request still waiting. */
  reply(self: string, others: string[], token = 'resume-token', topology?: Topology): void {
    const answer = this.#replies.shift();
    this.#refusals.shift();
    assert.ok(answer, 'a join request is waiting for its reply');
    answer({
      ok: true,
      room: 'room',
      self: person(self),
      participants: others.map(person),
      iceServers: [],
      resumeToken: token,
      roomState: { hostId: null, locked: false, passwordSet: false, lobby: false, waiting: [] },
      ...(topology ? { topology } : {}),
    } as JoinOk);
  }
  get waitingReplies(): number {
    return this.#replies.length;
  }
  leave(): Promise<void> {
    this.left++;
    return Promise.resolve();
  }
  close(): void {
    this.closed++;
  }
  signal(): void {}
  setMedia(): void {}
  fire<K extends keyof SignalingEvents>(event: K, ...args: Parameters<SignalingEvents[K]>): void {
    this.emit(event, ...args);
  }
}

class FakeTransport extends Emitter<TransportEvents> implements Transport {
  readonly calls: string[] = [];
  readonly states = new Map<string, RemoteMediaState>();
  /** Participants whose video track has not received anything yet (muted). */
  readonly videoMuted = new Set<string>();
  closed = false;
  constructor(
    readonly ctx: TransportContext,
    readonly topology: Topology = 'mesh',
  ) {
    super();
  }
  #open(id: string): void {
    this.states.set(id, 'connecting');
    this.emit('remote-added', id);
  }
  enterRoom(ids: string[]): void {
    this.calls.push(`enter ${ids.join(',')}`);
    for (const id of ids) if (!this.states.has(id)) this.#open(id);
  }
  participantJoined(id: string): void {
    this.calls.push(`joined ${id}`);
    this.#open(id);
  }
  participantReturned(id: string): void {
    this.calls.push(`returned ${id}`);
  }
  participantLeft(id: string, reason: 'left' | 'stale' = 'left'): void {
    this.calls.push(`left ${id} ${reason}`);
    if (this.states.delete(id)) this.emit('remote-removed', id);
  }
  receive(from: string, data: SignalData): void {
    this.calls.push(`signal ${from} ${data.gen ?? 0}`);
  }
  /** The tracks handed to replaceTrack, in order. */
  readonly replaced: Array<MediaStreamTrack | null> = [];
  replaceTrack(_kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    this.replaced.push(track);
    return Promise.resolve();
  }
  publish(): void {}
  unpublish(): void {}
  controlChannel(): RTCDataChannel | null {
    return null;
  }
  openDataChannel(): RTCDataChannel | null {
    return null;
  }
  connectData(id: string): void {
    this.calls.push(`data ${id}`);
  }
  setView(id: string, role: string, size: { width: number; height: number } | null): void {
    this.calls.push(`view ${id} ${role} ${size ? `${size.width}x${size.height}` : 'hidden'}`);
  }
  remote(id: string): RemoteMedia | null {
    const state = this.states.get(id);
    const video = this.videoMuted.has(id) ? [{ muted: true }] : [];
    return state
      ? {
          participantId: id,
          stream: { getVideoTracks: () => video } as unknown as MediaStream,
          state,
          tracksVersion: 0,
        }
      : null;
  }
  participantIds(): string[] {
    return [...this.states.keys()];
  }
  stats(): Promise<Record<string, RTCStats[]>> {
    return Promise.resolve({});
  }
  simulateTransportLoss(): void {}
  fingerprints(): null {
    return null;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.states.keys()]) this.participantLeft(id);
  }
  speak(id: string | null): void {
    this.emit('active-speaker', id);
  }
  setState(id: string, state: RemoteMediaState): void {
    this.states.set(id, state);
    this.emit('remote-changed', id);
  }
}

class ManualClock implements Clock {
  now = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.#timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
}

function person(id: string): Participant {
  return { id, name: id.toUpperCase(), media: { audio: true, video: true }, joinedAt: 0 };
}

function fakeMedia(): LocalMedia & { stopped: () => number } {
  let stopped = 0;
  const track = (kind: 'audio' | 'video'): MediaStreamTrack =>
    ({ kind, enabled: true, stop: () => void stopped++ }) as unknown as MediaStreamTrack;
  const tracks = [track('audio'), track('video')];
  const stream = {
    getTracks: () => tracks,
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
  } as unknown as MediaStream;
  return { stream, problems: {}, stopped: () => stopped };
}

/** Let promise callbacks run (the call's steps between awaits). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(opts: { media?: Promise<LocalMedia> } = {}) {
  const signaling = new FakeSignaling();
  const clock = new ManualClock();
  const media = fakeMedia();
  const transports: FakeTransport[] = [];
  let disposed = 0;
  const factory: TransportFactory = {
    topologies: ['mesh', 'sfu'],
    warmUp: () => Promise.resolve(),
    create(topology: Topology, ctx: TransportContext) {
      const t = new FakeTransport(ctx, topology);
      transports.push(t);
      return t;
    },
    dispose: () => void disposed++,
  };
  const deps: CallDeps = {
    signaling: signaling as unknown as SignalingClient,
    transports: factory,
    clock,
    openMedia: () => opts.media ?? Promise.resolve(media),
    page: null,
  };
  const call = new Call({ room: 'room', name: 'Me' }, deps);
  const events: string[] = [];
  call.on('remote-added', (id) => events.push(`added ${id}`));
  call.on('remote-removed', (id) => events.push(`removed ${id}`));
  return {
    call,
    signaling,
    clock,
    media,
    transports,
    events,
    disposed: () => disposed,
    remoteIds: () => call.snapshot.remotes.map((r) => r.participant.id),
  };
}

async function joined(others: string[]) {
  const t = setup();
  void t.call.start();
  await settle();
  t.signaling.reply('me', others);
  await settle();
  assert.equal(t.call.snapshot.phase, 'joined');
  const transport = t.transports[0];
  assert.ok(transport);
  return { ...t, transport };
}

/** Lose the signaling socket and get it back: the call rejoins. */
async function reconnect(t: Awaited<ReturnType<typeof joined>>): Promise<void> {
  t.signaling.fire('disconnected', 'transport close');
  assert.equal(t.call.snapshot.phase, 'reconnecting');
  t.signaling.fire('connected');
  await settle();
}

describe('Call with a fake transport and signaling client', () => {
  test('the join reply makes one transport and opens a path to everyone already there', async () => {
    const t = await joined(['a', 'b']);
    assert.deepEqual(t.transport.calls, ['enter a,b']);
    assert.deepEqual(t.remoteIds(), ['a', 'b']);
    assert.deepEqual(t.events, ['added a', 'added b']);
    // A newcomer after us: we answer its offers.
    t.signaling.fire('participant-joined', { participant: person('c') });
    assert.deepEqual(t.transport.calls.slice(1), ['joined c']);
    assert.deepEqual(t.remoteIds(), ['a', 'b', 'c']);
  });

  test('rejoin: same participant (resume token), same transport, known remotes kept', async () => {
    const t = await joined(['a']);
    await reconnect(t);
    const rejoin = t.signaling.joins[1];
    assert.deepEqual(rejoin?.resume, { participantId: 'me', token: 'resume-token' });
    assert.equal(rejoin?.topology, 'mesh', 'the rejoin says how the call travels now');
    assert.equal(t.signaling.joins[0]?.topology, undefined);
    t.signaling.reply('me', ['a', 'b'], 'token-2');
    await settle();
    assert.equal(t.call.snapshot.phase, 'joined');
    assert.equal(t.transports.length, 1, 'the transport (and its connections) survive a rejoin');
    assert.deepEqual(t.transport.calls, ['enter a', 'enter a,b']);
    assert.deepEqual(t.events, ['added a', 'added b'], 'the path to a was not replaced');
    // The next rejoin presents the newest token.
    await reconnect(t);
    assert.deepEqual(t.signaling.joins[2]?.resume, { participantId: 'me', token: 'token-2' });
  });

  test('the connection drops while the first join is on its way: the call joins once it is back, not fails', async () => {
    const t = setup();
    void t.call.start();
    await settle();
    assert.equal(t.signaling.joins.length, 1);
    // The transport closes and comes back; the join's answer went with the old connection.
    t.signaling.fire('disconnected', 'transport close');
    t.signaling.fire('connected');
    t.signaling.refuse('timeout', 'join: the server did not answer in time');
    await settle();
    assert.equal(t.call.snapshot.phase, 'reconnecting', 'not an error');
    assert.equal(t.signaling.joins.length, 2, 'joined again on the new connection');
    assert.equal(t.signaling.joins[1]?.resume, undefined, 'as someone new: the first join never answered');
    t.signaling.reply('me', ['a']);
    await settle();
    assert.equal(t.call.snapshot.phase, 'joined');
    assert.deepEqual(t.remoteIds(), ['a']);
  });

  test('a first join the server does not answer, with the connection up all along, is an error', async () => {
    const t = setup();
    void t.call.start();
    await settle();
    t.signaling.refuse('timeout', 'join: the server did not answer in time');
    await settle();
    assert.equal(t.call.snapshot.phase, 'failed');
    assert.equal(t.signaling.joins.length, 1);
  });

  test('a rejoin the servers cannot decide yet (cluster-unavailable) is tried again, the call goes on', async () => {
    const t = await joined(['a']);
    await reconnect(t);
    t.signaling.refuse('cluster-unavailable', 'try again in a moment');
    await settle();
    assert.equal(t.call.snapshot.phase, 'reconnecting');
    t.clock.advance(REJOIN_RETRY_MS);
    await settle();
    assert.equal(t.signaling.joins.length, 3, 'joined again');
    t.signaling.reply('me', ['a']);
    await settle();
    assert.equal(t.call.snapshot.phase, 'joined');
    assert.equal(t.transports.length, 1);
  });

  test('a retry that comes due while a rejoin is out does not join twice on one connection', async () => {
    const t = await joined(['a']);
    await reconnect(t);
    t.signaling.refuse('timeout', 'the server did not answer in time');
    await settle();
    assert.equal(t.call.snapshot.phase, 'reconnecting');
    // The connection drops and comes back before the retry is due: that rejoin is the retry.
    t.signaling.fire('disconnected', 'transport close');
    t.signaling.fire('connected');
    await settle();
    assert.equal(t.signaling.joins.length, 3);
    t.clock.advance(REJOIN_RETRY_MS);
    await settle();
    assert.equal(t.signaling.joins.length, 3, 'no second join while the first is unanswered');
    // Once answered, a later outage rejoins as before.
    t.signaling.reply('me', ['a']);
    await settle();
    assert.equal(t.call.snapshot.phase, 'joined');
    await reconnect(t);
    assert.equal(t.signaling.joins.length, 4);
  });

  test('stale remotes: one not back after a rejoin is dropped, unless its media still flows', async () => {
    const t = await joined(['a', 'b']);
    t.transport.setState('a', 'connected');
    t.transport.setState('b', 'connected');
    await reconnect(t);
    t.signaling.reply('me', []); // neither is back in the server's room yet
    await settle();
    t.transport.setState('b', 'reconnecting');
    t.clock.advance(REJOIN_WAIT_MS - 1);
    assert.deepEqual(t.remoteIds(), ['a', 'b'], 'kept while they may still be reconnecting');
    t.clock.advance(1);
    assert.deepEqual(t.remoteIds(), ['a'], 'b dropped; a kept: its media still flows');
    assert.ok(t.transport.calls.includes('left b stale'), 'dropped as stale, not as a leave');
    // a is announced again: confirmed, never dropped afterwards even when its path breaks.
    t.signaling.fire('participant-joined', { participant: person('a') });
    assert.ok(t.transport.calls.includes('returned a'));
    t.transport.setState('a', 'reconnecting');
    t.clock.advance(REJOIN_WAIT_MS * 3);
    assert.deepEqual(t.remoteIds(), ['a']);
  });

  test('a stale check does not outlive a leave', async () => {
    const t = await joined(['a']);
    await reconnect(t);
    t.signaling.reply('me', []);
    await settle();
    await t.call.leave();
    t.clock.advance(REJOIN_WAIT_MS);
    assert.ok(!t.transport.calls.some((c) => c.includes('stale')));
  });

  test('signals reach the transport only from participants in the room, with their generation', async () => {
    const t = await joined(['a']);
    t.signaling.fire('signal', { from: 'a', data: { kind: 'candidate', candidate: null, gen: 2 } });
    t.signaling.fire('signal', { from: 'stranger', data: { kind: 'candidate', candidate: null } });
    assert.deepEqual(t.transport.calls.slice(1), ['signal a 2']);
    // Left: its late signals are dropped, and its path is closed as a leave.
    t.signaling.fire('participant-left', { id: 'a', reason: 'left' });
    t.signaling.fire('signal', { from: 'a', data: { kind: 'candidate', candidate: null, gen: 3 } });
    assert.deepEqual(t.transport.calls.slice(2), ['left a left']);
  });

  test('leave during join: the late reply opens nothing and the camera is released', async () => {
    const t = setup();
    void t.call.start();
    await settle();
    assert.equal(t.signaling.waitingReplies, 1);
    await t.call.leave();
    assert.equal(t.call.snapshot.phase, 'left');
    assert.equal(t.signaling.left, 0, 'never joined: nothing to leave on the server');
    assert.ok(t.signaling.closed > 0);
    assert.equal(t.media.stopped(), 2, 'camera and microphone stopped');
    assert.equal(t.disposed(), 1, 'what was prepared for the call is dropped');
    t.signaling.reply('me', ['a']);
    await settle();
    assert.equal(t.call.snapshot.phase, 'left');
    assert.equal(t.transports.length, 0, 'no transport for a call that was left');
    assert.deepEqual(t.remoteIds(), []);
  });

  test('leave while the camera opens: the tracks that arrive late are stopped, nothing is joined', async () => {
    let open!: (m: LocalMedia) => void;
    const t = setup({ media: new Promise((resolve) => (open = resolve)) });
    void t.call.start();
    await settle();
    await t.call.leave();
    const late = fakeMedia();
    open(late);
    await settle();
    assert.equal(late.stopped(), 2);
    assert.equal(t.signaling.joins.length, 0);
  });

  test('teardown is symmetric: leaving removes every path exactly as if everyone had left', async () => {
    const t = await joined(['a', 'b']);
    const changes: string[] = [];
    t.call.on('change', (s) => changes.push(s.phase));
    await t.call.leave();
    assert.equal(t.signaling.left, 1);
    assert.ok(t.transport.closed);
    assert.deepEqual(t.events, ['added a', 'added b', 'removed a', 'removed b']);
    assert.deepEqual(changes, ['left'], 'one change at the end, not one per path');
    assert.deepEqual(t.remoteIds(), []);
  });

  test('a failure (replaced in another tab) tears down the same way', async () => {
    const t = await joined(['a']);
    t.signaling.fire('replaced');
    assert.equal(t.call.snapshot.phase, 'failed');
    assert.equal(t.call.snapshot.error?.id, 'replaced');
    assert.deepEqual(t.events, ['added a', 'removed a']);
  });

  test('the transport may signal only while joined and connected', async () => {
    const t = await joined(['a']);
    assert.equal(t.transport.ctx.canSignal(), true);
    assert.equal(t.transport.ctx.selfId, 'me');
    t.signaling.connected = false;
    t.signaling.fire('disconnected', 'transport close');
    assert.equal(t.transport.ctx.canSignal(), false);
  });

  test('the join names the topologies this browser can take part in', async () => {
    const t = await joined([]);
    assert.deepEqual(t.signaling.joins[0]?.topologies, ['mesh', 'sfu']);
  });

  test('the room moves to the forwarding unit: features move to the new paths, the old media shows until they carry it', async () => {
    const t = await joined(['a', 'b']);
    t.transport.setState('a', 'connected');
    t.transport.setState('b', 'connected');
    t.events.length = 0;
    t.signaling.fire('topology', { topology: 'sfu' });
    const next = t.transports[1];
    assert.ok(next, 'a second transport was made');
    assert.equal(next.topology, 'sfu');
    assert.deepEqual(next.calls, ['enter a,b']);
    // Features let go of the mesh paths and attach to the new ones.
    assert.deepEqual(t.events, ['removed a', 'removed b', 'added a', 'added b']);
    assert.equal(t.call.snapshot.topology, 'sfu');
    // Until the new path is up, each tile keeps the mesh's media (state connected).
    assert.deepEqual(
      t.call.snapshot.remotes.map((r) => r.state),
      ['connected', 'connected'],
    );
    assert.equal(t.transport.closed, false);
    next.setState('a', 'connected');
    assert.equal(t.transport.closed, false, 'b is still carried by the mesh');
    // Connected, but no video arrived yet: the mesh still shows b.
    next.videoMuted.add('b');
    next.setState('b', 'connected');
    assert.equal(t.transport.closed, false, 'the mesh shows b until its new video arrives');
    next.videoMuted.delete('b');
    t.clock.advance(SWITCH_POLL_MS);
    assert.equal(t.transport.closed, true, 'the mesh is closed once the new transport carries everyone');
    // Closing the old transport is not a leave: nobody was removed again.
    assert.deepEqual(t.events, ['removed a', 'removed b', 'added a', 'added b']);
    assert.deepEqual(t.remoteIds(), ['a', 'b']);
  });

  test('the replaced transport is closed after SWITCH_OVERLAP_MS even if the new one never connects', async () => {
    const t = await joined(['a']);
    t.signaling.fire('topology', { topology: 'sfu' });
    assert.equal(t.transport.closed, false);
    t.clock.advance(SWITCH_OVERLAP_MS);
    assert.equal(t.transport.closed, true);
    assert.equal(t.call.snapshot.remotes[0]?.state, 'connecting');
  });

  test('a rejoin reply naming another topology replaces the transport', async () => {
    const t = await joined(['a']);
    await reconnect(t);
    t.signaling.reply('me', ['a'], 'token-2', 'sfu');
    await settle();
    assert.equal(t.transports.length, 2);
    assert.equal(t.transports[1]?.topology, 'sfu');
    assert.deepEqual(t.transports[1]?.calls, ['enter a']);
  });

  test('tile sizes and the active speaker pass between the UI and the transport', async () => {
    const t = await joined(['a']);
    t.call.setView('a', 'camera', { width: 320, height: 180 });
    t.call.setView('a', 'screen', null);
    assert.deepEqual(t.transport.calls.slice(1), ['view a camera 320x180', 'view a screen hidden']);
    assert.equal(t.call.snapshot.activeSpeaker, null);
    t.transport.speak('a');
    assert.equal(t.call.snapshot.activeSpeaker, 'a');
  });
});

describe('an audio filter (noise suppression)', () => {
  const processed = { kind: 'audio', id: 'processed', enabled: true } as unknown as MediaStreamTrack;

  test('the filtered track goes out through replaceTrack; the microphone stays the muted one', async () => {
    const t = await joined(['a']);
    const microphone = t.media.stream.getAudioTracks()[0];
    assert.equal(t.transport.ctx.localTrack('audio'), microphone);
    const seen: MediaStreamTrack[] = [];
    await t.call.setAudioFilter({
      apply: (m) => {
        seen.push(m);
        return processed;
      },
    });
    assert.deepEqual(seen, [microphone]);
    assert.deepEqual(t.transport.replaced, [processed]);
    assert.equal(t.transport.ctx.localTrack('audio'), processed, 'new links send the filtered track too');
    assert.equal(t.call.sentAudioTrack, processed);
    t.call.setAudioEnabled(false);
    assert.equal(microphone?.enabled, false, 'mute acts on the microphone track');
    assert.equal(processed.enabled, true, 'the filtered track carries the silence');
    assert.deepEqual(t.call.localTracks, t.media.stream.getTracks(), 'pickers still see the microphone');

    await t.call.setAudioFilter(null);
    assert.deepEqual(t.transport.replaced, [processed, microphone]);
    assert.equal(t.transport.ctx.localTrack('audio'), microphone);
  });

  test('a filter set before the media opens applies once it does', async () => {
    const t = setup();
    await t.call.setAudioFilter({ apply: () => processed });
    void t.call.start();
    await settle();
    t.signaling.reply('me', ['a']);
    await settle();
    assert.equal(t.transports[0]?.ctx.localTrack('audio'), processed);
  });

  test('a new microphone goes through the filter again', async () => {
    const g = globalThis as { MediaStream?: unknown };
    const had = g.MediaStream;
    g.MediaStream = class {
      constructor(readonly tracks: MediaStreamTrack[]) {}
      getTracks = () => this.tracks;
      getAudioTracks = () => this.tracks.filter((x) => x.kind === 'audio');
      getVideoTracks = () => this.tracks.filter((x) => x.kind === 'video');
    };
    try {
      const t = await joined(['a']);
      const seen: MediaStreamTrack[] = [];
      await t.call.setAudioFilter({
        apply: (m) => {
          seen.push(m);
          return processed;
        },
      });
      const next = { kind: 'audio', id: 'next-mic', enabled: true, stop() {} } as unknown as MediaStreamTrack;
      await t.call.replaceLocalTrack(next);
      assert.equal(seen.at(-1), next);
      assert.deepEqual(t.transport.replaced, [processed, processed], 'the filtered track stays on the senders');
      assert.equal(
        t.call.localTracks.find((x) => x.kind === 'audio'),
        next,
      );
    } finally {
      g.MediaStream = had;
    }
  });

  test('a filter that hands the microphone back sends it as is', async () => {
    const t = await joined(['a']);
    const microphone = t.media.stream.getAudioTracks()[0];
    await t.call.setAudioFilter({ apply: (m) => m });
    assert.equal(t.call.sentAudioTrack, microphone);
    assert.deepEqual(t.transport.replaced, [microphone]);
  });
});
