import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SfuPublish, SfuSubscribe, SfuTrack, SfuView, SignalData } from '@parley/protocol';
import { Emitter } from '../../../emitter';
import {
  SFU_DISCONNECTED_RESTART_MS,
  SFU_REBUILD_AFTER_MS,
  SFU_RESTART_RETRY_MS,
  SFU_TRACKLESS_GRACE_MS,
  SFU_VIEW_REPORT_MS,
} from '../../liveness';
import { MeshTransport, type MeshLink } from '../mesh/MeshTransport';
import type { LinkState, PeerLinkEvents, PeerLinkOptions } from '../mesh/PeerLink';
import type { TransportContext } from '../Transport';
import { fingerprintOf, type SfuClock } from './SfuConnection';
import { CAMERA_LAYERS, isDataOnly, SfuTransport } from './SfuTransport';

/* -------------------------------------------------------------------------------------------- */
/* Stand-ins: tracks, streams, transceivers and a peer connection that assigns mids and fires     */
/* track events the way a browser does; a server answering every offer; a clock the test moves.  */

let trackSeq = 0;
class FakeTrack extends EventTarget {
  readonly id = `t${++trackSeq}`;
  constructor(readonly kind: 'audio' | 'video') {
    super();
  }
}

class FakeStream {
  readonly tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    this.tracks = [...tracks];
  }
  addTrack(t: FakeTrack): void {
    if (!this.tracks.includes(t)) this.tracks.push(t);
  }
  removeTrack(t: FakeTrack): void {
    const i = this.tracks.indexOf(t);
    if (i >= 0) this.tracks.splice(i, 1);
  }
  getTracks(): FakeTrack[] {
    return [...this.tracks];
  }
}

class FakeTransceiver {
  mid: string | null = null;
  currentDirection: RTCRtpTransceiverDirection | null = null;
  readonly sender: {
    track: FakeTrack | null;
    replaceTrack(t: FakeTrack | null): Promise<void>;
    getParameters(): Record<string, unknown>;
    setParameters(p: Record<string, unknown>): Promise<void>;
    params: Record<string, unknown>;
  };
  readonly receiver: { track: FakeTrack };
  fired = false;
  constructor(
    readonly kind: 'audio' | 'video',
    public direction: RTCRtpTransceiverDirection,
    track: FakeTrack | null,
    readonly init: RTCRtpTransceiverInit,
  ) {
    const sender = {
      track,
      params: {} as Record<string, unknown>,
      replaceTrack(t: FakeTrack | null) {
        sender.track = t;
        return Promise.resolve();
      },
      getParameters() {
        return { ...sender.params };
      },
      setParameters(p: Record<string, unknown>) {
        sender.params = p;
        return Promise.resolve();
      },
    };
    this.sender = sender;
    this.receiver = { track: new FakeTrack(kind) };
  }
  stop(): void {
    this.direction = 'stopped';
  }
}

let pcs: FakePC[] = [];
class FakePC {
  readonly transceivers: FakeTransceiver[] = [];
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: { type: string; sdp: string } | null = null;
  onconnectionstatechange: (() => void) | null = null;
  ontrack: ((ev: { track: FakeTrack; transceiver: FakeTransceiver }) => void) | null = null;
  readonly offers: Array<RTCOfferOptions | undefined> = [];
  rollbacks = 0;
  closed = false;
  stats: RTCStats[] = [];
  #mid = 0;
  constructor(readonly config: RTCConfiguration) {
    pcs.push(this);
  }
  addTransceiver(what: FakeTrack | 'audio' | 'video', init: RTCRtpTransceiverInit): FakeTransceiver {
    if (this.closed) throw new Error('InvalidStateError');
    const t =
      typeof what === 'string'
        ? new FakeTransceiver(what, init.direction ?? 'sendrecv', null, init)
        : new FakeTransceiver(what.kind, init.direction ?? 'sendrecv', what, init);
    this.transceivers.push(t);
    return t;
  }
  getTransceivers(): FakeTransceiver[] {
    return [...this.transceivers];
  }
  createOffer(opts?: RTCOfferOptions): Promise<{ type: 'offer'; sdp: string }> {
    this.offers.push(opts);
    // Chromium: with max-bundle, an offer of stopped lines only has no BUNDLE group and fails.
    if (this.transceivers.length > 0 && this.transceivers.every((t) => t.direction === 'stopped')) {
      return Promise.reject(new Error('OperationError: max-bundle is used but no bundle group found'));
    }
    return Promise.resolve({ type: 'offer', sdp: this.#sdp() });
  }
  setLocalDescription(d: { type: string; sdp?: string }): Promise<void> {
    if (d.type === 'rollback') {
      this.rollbacks++;
      this.signalingState = 'stable';
      return Promise.resolve();
    }
    for (const t of this.transceivers) if (t.mid === null && t.direction !== 'stopped') t.mid = String(this.#mid++);
    this.localDescription = { type: 'offer', sdp: this.#sdp() };
    this.signalingState = 'have-local-offer';
    return Promise.resolve();
  }
  setRemoteDescription(d: { type: string; sdp: string }): Promise<void> {
    const rejected = new Set([...d.sdp.matchAll(/^a=reject:(\S+)$/gm)].map((m) => m[1]));
    for (const t of [...this.transceivers]) {
      if (t.direction === 'stopped') {
        // Negotiated away: the browser forgets the transceiver.
        this.transceivers.splice(this.transceivers.indexOf(t), 1);
        t.currentDirection = 'stopped';
        continue;
      }
      if (t.mid !== null && rejected.has(t.mid)) {
        t.direction = t.currentDirection = 'stopped';
        continue;
      }
      t.currentDirection = t.direction;
      if (t.direction === 'recvonly' && !t.fired) {
        t.fired = true;
        this.ontrack?.({ track: t.receiver.track, transceiver: t });
      }
    }
    this.signalingState = 'stable';
    return Promise.resolve();
  }
  getStats(): Promise<Map<string, RTCStats>> {
    return Promise.resolve(new Map(this.stats.map((s) => [s.id, s])));
  }
  close(): void {
    this.closed = true;
    this.signalingState = 'closed';
    this.connectionState = 'closed';
  }
  to(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }
  #sdp(): string {
    const lines = this.transceivers.map(
      (t) => `m=${t.kind} ${t.direction === 'stopped' ? 0 : 9}\na=mid:${t.mid ?? ''}`,
    );
    return ['v=0', ...lines].join('\n');
  }
}

class FakeClock implements SfuClock {
  #now = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #seq = 0;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  now(): number {
    return this.#now;
  }
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      const next = [...this.#timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
      await settle();
    }
    this.#now = end;
    await settle();
  }
}

/** A data link that records what it is asked; initiators hold a control channel from the start. */
class FakeDataLink extends Emitter<PeerLinkEvents> {
  state: LinkState = 'connecting';
  readonly remoteStream = {} as MediaStream;
  readonly controlChannel: RTCDataChannel | null;
  readonly received: SignalData[] = [];
  constructor(readonly opts: PeerLinkOptions) {
    super();
    this.controlChannel = opts.initiator
      ? ({ label: 'parley-control', of: opts.remoteId } as unknown as RTCDataChannel)
      : null;
  }
  receive(data: SignalData): void {
    this.received.push(data);
  }
  replaceTrack(): Promise<void> {
    return Promise.resolve();
  }
  setSendQuality(): void {}
  createDataChannel(label: string): RTCDataChannel {
    return { label } as RTCDataChannel;
  }
  addExtraTrack(): RTCRtpTransceiver {
    throw new Error('a data link sends no media');
  }
  removeExtraTrack(): void {}
  getStats(): Promise<RTCStatsReport> {
    return Promise.resolve(new Map() as unknown as RTCStatsReport);
  }
  simulateTransportLoss(): void {}
  close(): void {
    this.state = 'closed';
    this.removeAllListeners();
  }
  opened(channel: RTCDataChannel): void {
    this.emit('datachannel', channel);
  }
}

/** The server's SFU events, sent by the test. */
class FakeServer extends Emitter<{
  'sfu-tracks': (m: { tracks: SfuTrack[] }) => void;
  'active-speaker': (m: { participant: string | null }) => void;
}> {
  send(tracks: SfuTrack[]): void {
    this.emit('sfu-tracks', { tracks });
  }
  speaker(participant: string | null): void {
    this.emit('active-speaker', { participant });
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

const ANSWER = (fp = 'AA:BB', rejected: string[] = []): string =>
  ['v=0', `a=fingerprint:sha-256 ${fp}`, ...rejected.map((m) => `a=reject:${m}`)].join('\n');

type Negotiation =
  | { connection: 'publish'; req: SfuPublish; answer: (sdp: string) => void; fail: (err: Error) => void }
  | { connection: 'subscribe'; req: SfuSubscribe; answer: (sdp: string) => void; fail: (err: Error) => void };

function setup(opts: { audio?: boolean; video?: boolean; manual?: boolean } = {}) {
  pcs = [];
  const clock = new FakeClock();
  const mic = new FakeTrack('audio');
  const cam = new FakeTrack('video');
  const local = { audio: opts.audio === false ? null : mic, video: opts.video === false ? null : cam };
  const negotiations: Negotiation[] = [];
  const views: SfuView[] = [];
  const server = new FakeServer();
  let signaling = true;
  let answer = (): string => ANSWER();
  const signals: Array<{ to: string; data: SignalData }> = [];
  const warnings: string[] = [];
  const dataLinks: FakeDataLink[] = [];
  const ctx: TransportContext = {
    selfId: 'me',
    iceServers: [{ urls: ['stun:127.0.0.1:3478'] }],
    relayOnly: false,
    adaptQuality: true,
    localTrack: (kind) => (local[kind] as unknown as MediaStreamTrack) ?? null,
    signal: (to, data) => signals.push({ to, data }),
    sfu: {
      negotiate: ((connection: 'publish' | 'subscribe', req: SfuPublish & SfuSubscribe) =>
        new Promise<string>((resolve, reject) => {
          if (!signaling) return reject(new Error('unreachable'));
          negotiations.push({ connection, req, answer: resolve, fail: reject } as Negotiation);
          if (!opts.manual) resolve(answer());
        })) as TransportContext['sfu']['negotiate'],
      view: (req) => views.push(req),
    },
    onServer: (event, listener) => server.on(event, listener),
    canSignal: () => signaling,
    warn: (_id, message) => warnings.push(message),
  };
  const t = new SfuTransport(ctx, {
    makePeerConnection: (config) => new FakePC(config) as unknown as RTCPeerConnection,
    makeStream: (tracks) => new FakeStream(tracks as unknown as FakeTrack[]) as unknown as MediaStream,
    makeDataMesh: (c) =>
      new MeshTransport(c, {
        dataOnly: true,
        makeLink: (o) => {
          const link = new FakeDataLink(o);
          dataLinks.push(link);
          return link as unknown as MeshLink;
        },
      }),
    clock,
  });
  const events: string[] = [];
  t.on('remote-added', (id) => events.push(`added ${id}`));
  t.on('remote-removed', (id) => events.push(`removed ${id}`));
  const screens: Array<{ id: string; track: FakeTrack; role: string; ended: boolean }> = [];
  t.on('remote-track', (id, track, role) => {
    const s = { id, track: track as unknown as FakeTrack, role, ended: false };
    track.addEventListener('ended', () => (s.ended = true));
    screens.push(s);
  });
  const tracks = (list: SfuTrack[]): void => server.send(list);
  const pub = (): FakePC => {
    const pc =
      [...pcs].reverse().find((p) => !p.closed && p.transceivers.some((x) => x.direction === 'sendonly')) ?? pcs[0];
    assert.ok(pc);
    return pc;
  };
  const last = <C extends Negotiation['connection']>(c: C) => {
    const n = negotiations.filter((x) => x.connection === c).at(-1);
    assert.ok(n, `a ${c} negotiation`);
    return n as Extract<Negotiation, { connection: C }>;
  };
  return {
    t,
    clock,
    mic,
    cam,
    negotiations,
    views,
    server,
    signals,
    warnings,
    events,
    screens,
    dataLinks,
    tracks,
    pub,
    last,
    count: (c: 'publish' | 'subscribe') => negotiations.filter((x) => x.connection === c).length,
    setSignaling: (up: boolean) => void (signaling = up),
    setAnswer: (f: () => string) => void (answer = f),
  };
}

const track = (participant: string, mid: string, role: SfuTrack['role']): SfuTrack => ({
  id: `${participant}:${mid}`,
  participant,
  role,
  kind: role === 'microphone' || role === 'screen-audio' ? 'audio' : 'video',
});

/** The connection that receives (it has receive-only transceivers). */
function subPc(): FakePC {
  const pc = [...pcs].reverse().find((p) => !p.closed && p.transceivers.some((x) => x.direction === 'recvonly'));
  assert.ok(pc, 'a subscribe connection');
  return pc;
}

/* -------------------------------------------------------------------------------------------- */

describe('SfuTransport publishing', () => {
  test('entering the room publishes microphone and camera once, the camera in three layers, with roles by mid', async () => {
    const s = setup();
    s.t.enterRoom(['a', 'me']);
    await settle();
    assert.equal(s.count('publish'), 1);
    const req = s.last('publish').req;
    assert.deepEqual(req.tracks, [
      { mid: '0', role: 'microphone' },
      { mid: '1', role: 'camera' },
    ]);
    assert.equal(req.description.type, 'offer');
    const pc = s.pub();
    assert.equal(pc.config.bundlePolicy, 'max-bundle');
    assert.equal(pc.config.rtcpMuxPolicy, 'require');
    assert.equal(pc.config.iceTransportPolicy, 'all');
    assert.deepEqual(pc.config.iceServers, [{ urls: ['stun:127.0.0.1:3478'] }]);
    const [micTr, camTr] = pc.transceivers;
    assert.equal(micTr?.direction, 'sendonly');
    assert.equal(micTr?.sender.track, s.mic);
    assert.ok(micTr?.init.streams?.length === 1, 'sent with a stream, so the SDP has an msid');
    assert.equal(camTr?.sender.track, s.cam);
    assert.deepEqual(
      camTr?.init.sendEncodings?.map((e) => e.rid),
      ['q', 'h', 'f'],
    );
    assert.deepEqual(camTr?.init.sendEncodings, CAMERA_LAYERS);
    assert.equal(pc.signalingState, 'stable', 'the answer was applied');
    // A second enterRoom before any rejoin does not publish again.
    s.t.participantJoined('b');
    await settle();
    assert.equal(s.count('publish'), 1);
  });

  test('a screen is published as one layer with its role, and unpublished by stopping its transceiver', async () => {
    const s = setup();
    s.t.enterRoom([]);
    await settle();
    const screen = new FakeTrack('video');
    s.t.publish(screen as unknown as MediaStreamTrack, 'screen', new FakeStream() as unknown as MediaStream);
    await settle();
    assert.equal(s.count('publish'), 2);
    assert.deepEqual(s.last('publish').req.tracks, [
      { mid: '0', role: 'microphone' },
      { mid: '1', role: 'camera' },
      { mid: '2', role: 'screen' },
    ]);
    const tr = s.pub().transceivers[2];
    assert.equal(tr?.init.sendEncodings, undefined, 'one layer');
    assert.equal(tr?.sender.params.degradationPreference, 'maintain-resolution');
    s.t.unpublish(screen as unknown as MediaStreamTrack);
    assert.equal(tr?.direction, 'stopped');
    await settle();
    assert.equal(s.count('publish'), 3);
    assert.deepEqual(
      s.last('publish').req.tracks.map((x) => x.role),
      ['microphone', 'camera'],
    );
    s.t.unpublish(screen as unknown as MediaStreamTrack);
    await settle();
    assert.equal(s.count('publish'), 3, 'unpublishing twice changes nothing');
  });

  test('a screen-only publisher that stops sharing closes its publish connection instead of offering nothing', async () => {
    const s = setup({ audio: false, video: false });
    s.t.enterRoom([]);
    const screen = new FakeTrack('video') as unknown as MediaStreamTrack;
    s.t.publish(screen, 'screen', new FakeStream() as unknown as MediaStream);
    await settle();
    const pc = s.pub();
    s.t.unpublish(screen);
    await settle();
    assert.equal(pc.closed, true);
    assert.equal(s.count('publish'), 1);
    assert.deepEqual(s.warnings, []);
  });

  test('requests made while an offer waits for its answer are folded into one next offer', async () => {
    const s = setup({ manual: true });
    s.t.enterRoom([]);
    await settle();
    assert.equal(s.count('publish'), 1);
    const screens = [new FakeTrack('video'), new FakeTrack('video'), new FakeTrack('audio')];
    s.t.publish(screens[0] as unknown as MediaStreamTrack, 'screen', new FakeStream() as unknown as MediaStream);
    s.t.publish(screens[2] as unknown as MediaStreamTrack, 'screen-audio', new FakeStream() as unknown as MediaStream);
    s.t.unpublish(screens[0] as unknown as MediaStreamTrack);
    s.t.publish(screens[1] as unknown as MediaStreamTrack, 'screen', new FakeStream() as unknown as MediaStream);
    await settle();
    assert.equal(s.count('publish'), 1, 'nothing is offered while an offer waits');
    s.last('publish').answer(ANSWER());
    await settle();
    assert.equal(s.count('publish'), 2, 'one offer for all four requests');
    assert.deepEqual(
      s.last('publish').req.tracks.map((x) => x.role),
      ['microphone', 'camera', 'screen-audio', 'screen'],
    );
    s.last('publish').answer(ANSWER());
    await settle();
    assert.equal(s.count('publish'), 2);
  });

  test('replaceTrack swaps the sender in place; a kind never sent is added with one offer', async () => {
    const s = setup({ video: false });
    s.t.enterRoom([]);
    await settle();
    assert.deepEqual(
      s.last('publish').req.tracks.map((x) => x.role),
      ['microphone'],
    );
    const mic2 = new FakeTrack('audio');
    await s.t.replaceTrack('audio', mic2 as unknown as MediaStreamTrack);
    await settle();
    assert.equal(s.pub().transceivers[0]?.sender.track, mic2);
    assert.equal(s.count('publish'), 1, 'no offer for a swapped track');
    await s.t.replaceTrack('audio', null);
    assert.equal(s.pub().transceivers[0]?.sender.track, null);
    const cam = new FakeTrack('video');
    await s.t.replaceTrack('video', cam as unknown as MediaStreamTrack);
    await settle();
    assert.equal(s.count('publish'), 2);
    assert.deepEqual(s.last('publish').req.tracks, [
      { mid: '0', role: 'microphone' },
      { mid: '1', role: 'camera' },
    ]);
    assert.equal(s.pub().transceivers[1]?.sender.track, cam);
  });

  test('someone without camera and microphone publishes nothing until they share a screen', async () => {
    const s = setup({ audio: false, video: false });
    s.t.enterRoom(['a']);
    await settle();
    assert.equal(s.count('publish'), 0);
    assert.equal(pcs.length, 0);
    s.t.publish(
      new FakeTrack('video') as unknown as MediaStreamTrack,
      'screen',
      new FakeStream() as unknown as MediaStream,
    );
    await settle();
    assert.deepEqual(s.last('publish').req.tracks, [{ mid: '0', role: 'screen' }]);
  });
});

describe('SfuTransport subscribing', () => {
  test('each listed track gets a receive-only transceiver; mids map to track ids; camera and microphone join the participant stream, a screen is its own', async () => {
    const s = setup();
    const changed: string[] = [];
    s.t.on('remote-changed', (id) => changed.push(id));
    s.t.enterRoom(['a', 'b']);
    assert.deepEqual(s.events, ['added a', 'added b']);
    s.tracks([
      track('a', '0', 'microphone'),
      track('a', '1', 'camera'),
      track('a', '2', 'screen'),
      track('b', '1', 'camera'),
      track('me', '0', 'microphone'),
    ]);
    await settle();
    const req = s.last('subscribe').req;
    assert.deepEqual(req.tracks, [
      { mid: '0', track: 'a:0' },
      { mid: '1', track: 'a:1' },
      { mid: '2', track: 'b:1' },
      { mid: '3', track: 'a:2' },
    ]);
    const pc = subPc();
    assert.deepEqual(
      pc.transceivers.map((x) => `${x.kind} ${x.direction}`),
      ['audio recvonly', 'video recvonly', 'video recvonly', 'video recvonly'],
    );
    const a = s.t.remote('a');
    assert.ok(a);
    assert.deepEqual(
      (a.stream as unknown as FakeStream).getTracks().map((x) => x.kind),
      ['audio', 'video'],
    );
    assert.ok(a.tracksVersion >= 2);
    assert.equal((s.t.remote('b')?.stream as unknown as FakeStream).getTracks().length, 1);
    assert.equal(s.screens.length, 1);
    assert.equal(s.screens[0]?.id, 'a');
    assert.equal(s.screens[0]?.role, 'screen');
    assert.equal(s.screens[0]?.track, pc.transceivers[3]?.receiver.track);
    assert.equal(a.state, 'connecting', 'not connected before the subscribe connection is');
    pc.to('connected');
    assert.equal(s.t.remote('a')?.state, 'connected');
    assert.equal(s.t.remote('b')?.state, 'connected');
    assert.ok(changed.includes('a') && changed.includes('b'));
  });

  test('a track no longer listed is stopped and its screen ends; a new one gets a new mid in one offer', async () => {
    const s = setup();
    s.t.enterRoom(['a', 'b']);
    s.tracks([track('a', '1', 'camera'), track('a', '2', 'screen')]);
    await settle();
    const pc = subPc();
    const screenTr = pc.transceivers[1];
    const versionBefore = s.t.remote('a')?.tracksVersion ?? 0;
    s.tracks([track('a', '1', 'camera'), track('b', '0', 'microphone')]);
    s.tracks([track('a', '1', 'camera'), track('b', '0', 'microphone'), track('b', '1', 'camera')]);
    await settle();
    assert.equal(screenTr?.direction === 'stopped' || screenTr?.currentDirection === 'stopped', true);
    assert.equal(s.screens[0]?.ended, true, 'the screen viewer is told the share ended');
    assert.equal(s.count('subscribe'), 2, 'two lists, one offer');
    assert.deepEqual(s.last('subscribe').req.tracks, [
      { mid: '0', track: 'a:1' },
      { mid: '2', track: 'b:0' },
      { mid: '3', track: 'b:1' },
    ]);
    assert.equal(s.t.remote('a')?.tracksVersion, versionBefore, "a's camera stays as it was");
    // The camera goes: it leaves the stream, and the version moves so views re-attach.
    s.tracks([track('b', '0', 'microphone'), track('b', '1', 'camera')]);
    await settle();
    assert.equal((s.t.remote('a')?.stream as unknown as FakeStream).getTracks().length, 0);
    assert.ok((s.t.remote('a')?.tracksVersion ?? 0) > versionBefore);
  });

  test('a track the server answers as rejected is dropped and not waited for, and asked for again when listed again', async () => {
    const s = setup();
    s.setAnswer(() => ANSWER('AA:BB', ['1']));
    s.t.enterRoom(['a']);
    const list = [track('a', '0', 'microphone'), track('a', '1', 'camera')];
    s.tracks(list);
    await settle();
    assert.equal(s.count('subscribe'), 1);
    subPc().to('connected');
    assert.equal(s.t.remote('a')?.state, 'connected', 'a rejected track is not waited for');
    assert.deepEqual(
      (s.t.remote('a')?.stream as unknown as FakeStream).getTracks().map((x) => x.kind),
      ['audio'],
    );
    s.t.participantJoined('b');
    await settle();
    assert.deepEqual(
      s.last('subscribe').req.tracks.map((x) => x.track),
      ['a:0'],
      'not asked for again until the server lists it again',
    );
    // Listed again (published anew after a server restart, under the same id): asked for again.
    s.setAnswer(() => ANSWER());
    s.tracks(list);
    await settle();
    assert.deepEqual(
      s.last('subscribe').req.tracks.map((x) => x.track),
      ['a:0', 'a:1'],
    );
    assert.deepEqual(
      (s.t.remote('a')?.stream as unknown as FakeStream).getTracks().map((x) => x.kind),
      ['audio', 'video'],
    );
    // The same list again (a publisher rebuilt its connection and publishes under the same ids):
    // offered again on the same transceivers, so the server attaches the new tracks.
    const n = s.count('subscribe');
    const lines = subPc().transceivers.length;
    s.tracks(list);
    await settle();
    assert.equal(s.count('subscribe'), n + 1);
    assert.deepEqual(
      s.last('subscribe').req.tracks.map((x) => x.track),
      ['a:0', 'a:1'],
    );
    assert.equal(subPc().transceivers.length, lines, 'no new transceiver');
  });

  test('tracks of someone not yet announced wait for them; a leaver is dropped with one remote-removed', async () => {
    const s = setup();
    s.t.enterRoom(['a']);
    s.tracks([track('a', '0', 'microphone'), track('c', '0', 'microphone')]);
    await settle();
    assert.deepEqual(
      s.last('subscribe').req.tracks.map((x) => x.track),
      ['a:0'],
    );
    s.t.participantJoined('c');
    s.t.participantJoined('c');
    await settle();
    assert.deepEqual(
      s.last('subscribe').req.tracks.map((x) => x.track),
      ['a:0', 'c:0'],
    );
    s.t.participantLeft('a');
    s.t.participantLeft('a');
    await settle();
    assert.deepEqual(
      s.last('subscribe').req.tracks.map((x) => x.track),
      ['c:0'],
    );
    assert.equal(s.t.remote('a'), null);
    assert.deepEqual(s.t.participantIds(), ['c']);
    assert.deepEqual(s.events, ['added a', 'added c', 'removed a']);
    s.t.close();
    s.t.close();
    assert.deepEqual(s.events, ['added a', 'added c', 'removed a', 'removed c']);
    assert.ok(pcs.every((p) => p.closed));
    assert.deepEqual(s.t.participantIds(), []);
  });

  test('when nothing is left to receive the subscribe connection is closed, not offered empty; new tracks open a new one', async () => {
    const s = setup();
    s.t.enterRoom(['a']);
    s.tracks([track('a', '0', 'microphone')]);
    await settle();
    const first = subPc();
    s.tracks([]);
    await settle();
    assert.equal(first.closed, true);
    assert.equal(s.count('subscribe'), 1, 'no offer of stopped lines only');
    assert.deepEqual(s.warnings, []);
    assert.equal((s.t.remote('a')?.stream as unknown as FakeStream).getTracks().length, 0);
    s.tracks([track('a', '2', 'microphone')]);
    await settle();
    const second = subPc();
    assert.notEqual(second, first);
    assert.deepEqual(s.last('subscribe').req.tracks, [{ mid: '0', track: 'a:2' }]);
  });

  test('someone who publishes nothing counts as connected after a grace period', async () => {
    const s = setup();
    s.t.enterRoom(['a']);
    s.tracks([]);
    await settle();
    assert.equal(s.t.remote('a')?.state, 'connecting');
    assert.equal(s.count('subscribe'), 0, 'nothing to receive: no subscribe connection');
    await s.clock.advance(SFU_TRACKLESS_GRACE_MS);
    assert.equal(s.t.remote('a')?.state, 'connected');
  });

  test('the active speaker is passed on', () => {
    const s = setup();
    const heard: Array<string | null> = [];
    s.t.on('active-speaker', (id) => heard.push(id));
    s.server.speaker('a');
    s.server.speaker(null);
    s.t.close();
    s.server.speaker('b');
    assert.deepEqual(heard, ['a', null]);
  });
});

describe('SfuTransport tile sizes', () => {
  test('sizes go out by track id once subscribed, gathered, rounded, 0x0 when hidden, never twice the same', async () => {
    const s = setup();
    s.t.enterRoom(['a', 'b']);
    s.t.setView('a', 'camera', { width: 320.4, height: 180 });
    s.t.setView('b', 'screen', { width: 1280, height: 720 });
    await s.clock.advance(SFU_VIEW_REPORT_MS);
    assert.deepEqual(s.views, [], 'nothing subscribed yet');
    s.tracks([track('a', '1', 'camera'), track('b', '0', 'microphone')]);
    await settle();
    await s.clock.advance(SFU_VIEW_REPORT_MS);
    assert.deepEqual(s.views, [{ views: [{ track: 'a:1', width: 320, height: 180 }] }]);
    s.t.setView('a', 'camera', { width: 640, height: 360 });
    s.t.setView('a', 'camera', null);
    await s.clock.advance(SFU_VIEW_REPORT_MS);
    assert.deepEqual(s.views.at(-1), { views: [{ track: 'a:1', width: 0, height: 0 }] });
    assert.equal(s.views.length, 2, 'one report per gathering');
    s.t.setView('a', 'camera', null);
    await s.clock.advance(SFU_VIEW_REPORT_MS);
    assert.equal(s.views.length, 2, 'unchanged sizes are not sent again');
    // b's screen arrives: its size, set long before, goes out now.
    s.tracks([track('a', '1', 'camera'), track('b', '2', 'screen')]);
    await settle();
    await s.clock.advance(SFU_VIEW_REPORT_MS);
    assert.deepEqual(s.views.at(-1), { views: [{ track: 'b:2', width: 1280, height: 720 }] });
  });
});

describe('SfuTransport recovery', () => {
  test('disconnected for a while, or failed: an ICE restart offer through the same request', async () => {
    const s = setup();
    s.t.enterRoom(['a']);
    await settle();
    const pc = s.pub();
    pc.to('connected');
    pc.to('disconnected');
    assert.equal(s.t.remote('a')?.state, 'reconnecting');
    await s.clock.advance(SFU_DISCONNECTED_RESTART_MS - 1);
    assert.equal(s.count('publish'), 1);
    await s.clock.advance(1);
    assert.equal(s.count('publish'), 2);
    assert.deepEqual(pc.offers.at(-1), { iceRestart: true });
    assert.deepEqual(
      s.last('publish').req.tracks.map((x) => x.role),
      ['microphone', 'camera'],
    );
    pc.to('connected');
    pc.to('failed');
    await settle();
    assert.equal(s.count('publish'), 3);
    assert.deepEqual(pc.offers.at(-1), { iceRestart: true });
    assert.equal(pcs.filter((p) => !p.closed).length, 1, 'repaired in place');
  });

  test('an offer refused as signaling drops is rolled back and made again after the rejoin, on the same connection', async () => {
    const s = setup({ manual: true });
    s.t.enterRoom(['a']);
    await settle();
    s.last('publish').answer(ANSWER());
    await settle();
    const pc = s.pub();
    pc.to('connected');
    s.t.publish(
      new FakeTrack('video') as unknown as MediaStreamTrack,
      'screen',
      new FakeStream() as unknown as MediaStream,
    );
    await settle();
    assert.equal(s.count('publish'), 2);
    s.setSignaling(false);
    s.last('publish').fail(new Error('unreachable'));
    await settle();
    assert.equal(pc.rollbacks, 1);
    assert.equal(pc.signalingState, 'stable');
    await s.clock.advance(10_000);
    assert.equal(s.count('publish'), 2, 'nothing is retried while signaling is away');
    s.setSignaling(true);
    s.t.enterRoom(['a']);
    await settle();
    assert.equal(s.count('publish'), 3);
    assert.equal(pc.closed, false, 'a connection that is up is kept');
    assert.deepEqual(pc.offers.at(-1), { iceRestart: true });
    assert.deepEqual(
      s.last('publish').req.tracks.map((x) => x.role),
      ['microphone', 'camera', 'screen'],
    );
  });

  test('a connection that failed while signaling was away is ICE-restarted in place after the rejoin', async () => {
    const s = setup();
    s.t.enterRoom(['a']);
    await settle();
    const pc = s.pub();
    pc.to('connected');
    s.setSignaling(false);
    pc.to('failed');
    await settle();
    assert.equal(s.count('publish'), 1, 'no offer while signaling is away');
    await s.clock.advance(20_000);
    assert.equal(s.count('publish'), 1, 'nor while it stays away');
    s.setSignaling(true);
    s.t.enterRoom(['a']);
    await settle();
    assert.equal(pc.closed, false, 'kept: the server still holds its tracks under its DTLS session');
    assert.equal(s.pub(), pc);
    assert.equal(s.count('publish'), 2, 'one offer for the restart and the offer missed meanwhile');
    assert.deepEqual(pc.offers.at(-1), { iceRestart: true });
    assert.equal(pc.signalingState, 'stable');
    pc.to('connected');
    await s.clock.advance(60_000);
    assert.equal(pc.closed, false, 'back up: no rebuild later');
  });

  test('an ICE restart that does not bring the path back is offered again; only a long outage rebuilds', async () => {
    const s = setup();
    s.t.enterRoom(['a']);
    await settle();
    const pc = s.pub();
    pc.to('connected');
    pc.to('disconnected');
    await s.clock.advance(SFU_DISCONNECTED_RESTART_MS);
    assert.equal(s.count('publish'), 2);
    await s.clock.advance(SFU_RESTART_RETRY_MS);
    assert.equal(s.count('publish'), 3, 'the restart is offered again');
    assert.deepEqual(pc.offers.at(-1), { iceRestart: true });
    await s.clock.advance(20_000 - SFU_RESTART_RETRY_MS);
    assert.equal(pc.closed, false, 'a 20 s outage keeps the connection');
    pc.to('connected');
    const offers = s.count('publish');
    await s.clock.advance(SFU_REBUILD_AFTER_MS);
    assert.equal(s.count('publish'), offers, 'no more restarts once the path is back');
    assert.equal(pc.closed, false);
    // A path that never comes back: rebuilt from scratch after SFU_REBUILD_AFTER_MS.
    pc.to('failed');
    await s.clock.advance(SFU_REBUILD_AFTER_MS - 1);
    assert.equal(pc.closed, false);
    await s.clock.advance(1);
    assert.equal(pc.closed, true);
    assert.notEqual(s.pub(), pc);
  });

  test('an offer the server fails while signaling is up is tried again after a delay', async () => {
    const s = setup({ manual: true });
    s.t.enterRoom([]);
    await settle();
    s.last('publish').fail(new Error('timeout'));
    await settle();
    assert.equal(s.pub().rollbacks, 1);
    assert.equal(s.count('publish'), 1);
    await s.clock.advance(1_000);
    assert.equal(s.count('publish'), 2);
    s.last('publish').answer(ANSWER());
    await settle();
    assert.equal(s.pub().signalingState, 'stable');
  });

  test('after a rejoin a connection that is down is ICE-restarted in place; one that is up is asked again', async () => {
    const s = setup();
    s.t.enterRoom(['a']);
    s.tracks([track('a', '0', 'microphone'), track('a', '1', 'camera')]);
    await settle();
    const pub = s.pub();
    const sub = subPc();
    pub.to('connected');
    sub.to('connected');
    const stream = s.t.remote('a')?.stream as unknown as FakeStream;
    const received = stream.getTracks();
    assert.equal(received.length, 2);
    sub.to('failed');
    s.t.enterRoom(['a']);
    await settle();
    assert.equal(sub.closed, false);
    assert.equal(subPc(), sub);
    assert.deepEqual(sub.offers.at(-1), { iceRestart: true });
    assert.deepEqual(
      s.last('subscribe').req.tracks.map((x) => x.track),
      ['a:0', 'a:1'],
    );
    assert.equal(pub.closed, false);
    assert.deepEqual(pub.offers.at(-1), { iceRestart: true });
    assert.deepEqual(stream.getTracks(), received, 'the same tracks keep playing');
  });

  test('a server that answers with another fingerprint forgot the connection: it is rebuilt', async () => {
    const s = setup();
    s.t.enterRoom(['a']);
    await settle();
    const pub = s.pub();
    pub.to('connected');
    s.setAnswer(() => ANSWER('CC:DD'));
    s.t.enterRoom(['a']);
    await settle();
    assert.equal(pub.closed, true);
    const pub2 = pcs.at(-1);
    assert.ok(pub2 && pub2 !== pub && !pub2.closed);
    assert.equal(pub2.signalingState, 'stable');
    assert.deepEqual(
      s.last('publish').req.tracks.map((x) => x.role),
      ['microphone', 'camera'],
    );
  });

  test('losing the subscribe connection rebuilds it with every track; tile sizes are told again', async () => {
    const s = setup();
    s.t.enterRoom(['a']);
    s.tracks([track('a', '1', 'camera'), track('a', '2', 'screen')]);
    s.t.setView('a', 'camera', { width: 100, height: 100 });
    await settle();
    await s.clock.advance(SFU_VIEW_REPORT_MS);
    const sub = subPc();
    sub.to('connected');
    assert.equal(s.views.length, 1);
    s.t.simulateTransportLoss('a');
    assert.equal(sub.closed, true);
    assert.equal(s.screens[0]?.ended, true, 'the old screen track ended');
    await settle();
    const sub2 = subPc();
    assert.notEqual(sub2, sub);
    assert.deepEqual(
      s.last('subscribe').req.tracks.map((x) => x.track),
      ['a:1', 'a:2'],
    );
    assert.equal(s.screens.length, 2, 'the screen comes back on the new connection');
    assert.equal(s.t.remote('a')?.state, 'connecting');
    sub2.to('connected');
    assert.equal(s.t.remote('a')?.state, 'connected');
    await s.clock.advance(SFU_VIEW_REPORT_MS);
    assert.deepEqual(s.views.at(-1), { views: [{ track: 'a:1', width: 100, height: 100 }] });
  });
});

describe('SfuTransport direct data paths (files)', () => {
  test('connectData opens one data-only link as initiator and hands its control channel over', () => {
    const s = setup();
    const channels: Array<[string, RTCDataChannel]> = [];
    s.t.on('datachannel', (id, ch) => channels.push([id, ch]));
    s.t.enterRoom(['a', 'b']);
    assert.equal(s.dataLinks.length, 0, 'no data path before one is needed');
    assert.equal(s.t.controlChannel('a'), null);
    s.t.connectData('a');
    s.t.connectData('a');
    s.t.connectData('nobody');
    assert.equal(s.dataLinks.length, 1);
    const link = s.dataLinks[0];
    assert.ok(link);
    assert.equal(link.opts.initiator, true);
    assert.equal(link.opts.dataOnly, true);
    assert.deepEqual(link.opts.tracks, { audio: null, video: null }, 'no media on a data path');
    assert.deepEqual(channels, [['a', link.controlChannel]]);
    assert.equal(s.t.controlChannel('a'), link.controlChannel);
    assert.equal(s.t.openDataChannel('a', 'parley-file:x')?.label, 'parley-file:x');
    assert.deepEqual(s.events, ['added a', 'added b'], "the inner links' own events stay inside");
  });

  test('an offer for data from another browser opens the answering side; media offers and stray candidates are dropped', () => {
    const s = setup();
    const channels: string[] = [];
    s.t.on('datachannel', (id, ch) => channels.push(`${id} ${ch.label}`));
    s.t.enterRoom(['a', 'b']);
    s.t.receive('a', { kind: 'candidate', candidate: null });
    s.t.receive('a', {
      kind: 'description',
      description: {
        type: 'offer',
        sdp: 'v=0\nm=audio 9 UDP/TLS/RTP/SAVPF 111\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      },
    });
    assert.equal(s.dataLinks.length, 0);
    const offer: SignalData = {
      kind: 'description',
      description: { type: 'offer', sdp: 'v=0\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel' },
      tracks: [],
    };
    s.t.receive('b', offer);
    const link = s.dataLinks[0];
    assert.ok(link);
    assert.equal(link.opts.initiator, false);
    assert.deepEqual(link.received, [offer]);
    s.t.receive('b', { kind: 'candidate', candidate: null });
    assert.equal(link.received.length, 2, 'later signals go to the known link');
    link.opened({ label: 'parley-control' } as RTCDataChannel);
    assert.deepEqual(channels, ['b parley-control']);
    s.t.participantLeft('b');
    assert.equal(link.state, 'closed');
  });

  test('isDataOnly tells a data-only offer from one with media', () => {
    assert.equal(isDataOnly('v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n'), true);
    assert.equal(isDataOnly('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=application 9 x\r\n'), false);
    assert.equal(isDataOnly('v=0\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\n'), false);
  });
});

describe('SfuTransport statistics', () => {
  test("each participant gets its own inbound streams, camera first, and the connection's shared entries", async () => {
    const s = setup();
    s.t.enterRoom(['a', 'b']);
    s.tracks([track('a', '2', 'screen'), track('a', '1', 'camera'), track('b', '0', 'microphone')]);
    await settle();
    const pc = subPc();
    // mids: b:0 -> 0, a:1 -> 1, a:2 -> 2 (sound and cameras first)
    const bTrack = pc.transceivers[0]?.receiver.track;
    pc.stats = [
      { id: 'T', type: 'transport', timestamp: 0, selectedCandidatePairId: 'CP' },
      { id: 'CP', type: 'candidate-pair', timestamp: 0 },
      { id: 'screen', type: 'inbound-rtp', timestamp: 0, kind: 'video', mid: '2' },
      { id: 'cam', type: 'inbound-rtp', timestamp: 0, kind: 'video', mid: '1' },
      { id: 'mic-b', type: 'inbound-rtp', timestamp: 0, kind: 'audio', trackIdentifier: bTrack?.id },
      { id: 'stranger', type: 'inbound-rtp', timestamp: 0, kind: 'audio', mid: '9' },
    ] as RTCStats[];
    const stats = await s.t.stats();
    assert.deepEqual(
      stats.a?.map((x) => x.id),
      ['cam', 'screen', 'T', 'CP'],
    );
    assert.deepEqual(
      stats.b?.map((x) => x.id),
      ['mic-b', 'T', 'CP'],
    );
  });
});

test('fingerprintOf reads the first DTLS fingerprint of a description', () => {
  assert.equal(fingerprintOf('v=0\r\na=fingerprint:sha-256 AB:CD\r\nm=audio'), 'sha-256 ab:cd');
  assert.equal(fingerprintOf('v=0\r\nm=audio'), null);
});
