import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SignalData } from '@parley/protocol';
import { Emitter } from '../../../emitter';
import { qualityFor, type SendQuality } from '../../quality';
import type { TransportContext } from '../Transport';
import { MeshTransport, type MeshLink } from './MeshTransport';
import type { LinkState, PeerLinkEvents, PeerLinkOptions } from './PeerLink';

/** A link that records what the transport asks of it; the test moves its state. */
class FakeLink extends Emitter<PeerLinkEvents> {
  state: LinkState = 'connecting';
  readonly remoteStream = {} as MediaStream;
  readonly controlChannel = null;
  readonly received: SignalData[] = [];
  readonly extra: MediaStreamTrack[] = [];
  readonly removed: RTCRtpTransceiver[] = [];
  quality: SendQuality | null | undefined;
  closed = false;
  constructor(readonly opts: PeerLinkOptions) {
    super();
  }
  /** The generation this link stamps on what it sends. */
  get gen(): number | undefined {
    this.opts.send({ kind: 'candidate', candidate: null });
    return lastSent?.gen;
  }
  receive(data: SignalData): void {
    this.received.push(data);
  }
  replaceTrack(): Promise<void> {
    return Promise.resolve();
  }
  setSendQuality(q: SendQuality | null): void {
    this.quality = q;
  }
  createDataChannel(): RTCDataChannel {
    return {} as RTCDataChannel;
  }
  addExtraTrack(track: MediaStreamTrack): RTCRtpTransceiver {
    this.extra.push(track);
    return {
      sender: { getParameters: () => ({}), setParameters: () => Promise.resolve() },
    } as unknown as RTCRtpTransceiver;
  }
  removeExtraTrack(tr: RTCRtpTransceiver): void {
    this.removed.push(tr);
  }
  getStats(): Promise<RTCStatsReport> {
    return Promise.resolve(new Map() as unknown as RTCStatsReport);
  }
  fingerprints(): null {
    return null;
  }
  simulateTransportLoss(): void {
    this.emit('stuck', 'transport lost');
  }
  close(): void {
    this.closed = true;
    this.state = 'closed';
    this.removeAllListeners();
  }
  to(state: LinkState): void {
    this.state = state;
    this.emit('state', state);
  }
  giveUp(): void {
    this.emit('stuck', 'not connected in time');
  }
}

let lastSent: SignalData | undefined;

function mesh() {
  const links: FakeLink[] = [];
  const events: string[] = [];
  let signalingUp = true;
  const ctx: TransportContext = {
    selfId: 'me',
    iceServers: [],
    relayOnly: false,
    adaptQuality: true,
    localTrack: () => null,
    signal: (_to, data) => {
      lastSent = data;
    },
    canSignal: () => signalingUp,
    warn: () => undefined,
    sfu: {
      negotiate: () => Promise.reject(new Error('a mesh never asks the forwarding unit')),
      view: () => undefined,
    },
    onServer: () => () => undefined,
  };
  const t = new MeshTransport(ctx, {
    makeLink: (opts) => {
      const link = new FakeLink(opts);
      links.push(link);
      return link as unknown as MeshLink;
    },
    takePrepared: () => null,
  });
  t.on('remote-added', (id) => events.push(`added ${id}`));
  t.on('remote-removed', (id) => events.push(`removed ${id}`));
  const last = (): FakeLink => {
    const l = links.at(-1);
    assert.ok(l);
    return l;
  };
  return { t, links, events, last, setSignaling: (up: boolean) => void (signalingUp = up) };
}

const candidate = (gen?: number): SignalData => ({
  kind: 'candidate',
  candidate: null,
  ...(gen === undefined ? {} : { gen }),
});

describe('MeshTransport generations and rebuilds (fake links)', () => {
  test('the newcomer offers to everyone already there; a later joiner is answered', () => {
    const m = mesh();
    m.t.enterRoom(['a', 'me', 'b']);
    assert.deepEqual(
      m.links.map((l) => [l.opts.remoteId, l.opts.initiator, l.gen]),
      [
        ['a', true, 0],
        ['b', true, 0],
      ],
    );
    m.t.participantJoined('c');
    assert.equal(m.last().opts.initiator, false);
    assert.deepEqual(m.events, ['added a', 'added b', 'added c']);
  });

  test('a signal of an older generation is dropped; a newer one replaces the link, which follows', () => {
    const m = mesh();
    m.t.participantJoined('a');
    const first = m.last();
    m.t.receive('a', candidate());
    assert.equal(first.received.length, 1);
    // The other side rebuilt (generation 2): we replace our end and answer it.
    m.t.receive('a', candidate(2));
    assert.ok(first.closed);
    const second = m.last();
    assert.notEqual(second, first);
    assert.deepEqual([second.opts.initiator, second.gen], [false, 2]);
    assert.deepEqual(second.received, [candidate(2)]);
    assert.deepEqual(m.events, ['added a', 'removed a', 'added a']);
    // A late signal of the replaced connection goes nowhere.
    m.t.receive('a', candidate(1));
    m.t.receive('a', candidate(0));
    assert.equal(second.received.length, 1);
    assert.equal(first.received.length, 1);
    assert.equal(m.links.length, 2);
  });

  test('a participant that left and comes back is offered a higher generation at once', () => {
    const m = mesh();
    m.t.participantJoined('a');
    m.t.receive('a', candidate(3)); // now at generation 3
    m.t.participantLeft('a');
    m.t.participantJoined('a');
    assert.deepEqual([m.last().opts.initiator, m.last().gen], [true, 4]);
    // Dropped as stale instead: nothing is remembered, it starts over as a newcomer would.
    m.t.participantLeft('a', 'stale');
    m.t.participantJoined('a');
    assert.deepEqual([m.last().opts.initiator, m.last().gen], [false, 0]);
  });

  test('a link stuck while signaling is away is rebuilt when we are back in the room, with backoff', () => {
    const m = mesh();
    m.t.participantJoined('a');
    m.setSignaling(false);
    m.last().giveUp();
    assert.equal(m.links.length, 1, 'no rebuild while its offer could not be sent');
    m.setSignaling(true);
    m.t.enterRoom(['b']); // a is not back yet
    assert.equal(m.links.filter((l) => l.opts.remoteId === 'a').length, 1);
    m.t.enterRoom(['a', 'b']);
    const rebuilt = m.links.filter((l) => l.opts.remoteId === 'a').at(-1);
    assert.deepEqual([rebuilt?.opts.initiator, rebuilt?.gen, rebuilt?.opts.patience], [true, 1, 1]);
    // Stuck again without ever connecting: more patience.
    rebuilt?.giveUp();
    assert.deepEqual([m.last().gen, m.last().opts.patience], [2, 2]);
    // Connected resets the backoff.
    m.last().to('connected');
    m.last().giveUp();
    assert.deepEqual([m.last().gen, m.last().opts.patience], [3, 1]);
  });

  test('a participant back from its own outage gets a new link unless its link still works', () => {
    const m = mesh();
    m.t.participantJoined('a');
    m.t.participantJoined('b');
    m.links[0]?.to('connected');
    m.t.participantReturned('a');
    m.t.participantReturned('b');
    assert.deepEqual(
      m.links.map((l) => [l.opts.remoteId, l.gen]),
      [
        ['a', 0],
        ['b', 0],
        ['b', 1],
      ],
    );
  });

  test('close removes every path as a leave would, once; afterwards nothing opens', () => {
    const m = mesh();
    m.t.enterRoom(['a', 'b']);
    m.t.close();
    m.t.close();
    assert.deepEqual(m.events, ['added a', 'added b', 'removed a', 'removed b']);
    assert.ok(m.links.every((l) => l.closed));
    m.t.participantJoined('c');
    assert.equal(m.links.length, 2);
    assert.deepEqual(m.t.participantIds(), []);
  });

  test('a published screen goes to each link once connected, also after a rebuild, until unpublished', () => {
    const m = mesh();
    m.t.participantJoined('a');
    m.t.participantJoined('b');
    const screen = { kind: 'video' } as MediaStreamTrack;
    m.links[0]?.to('connected');
    m.t.publish(screen, 'screen', {} as MediaStream);
    assert.deepEqual(
      m.links.map((l) => l.extra.length),
      [1, 0],
      'sent on the connected link only',
    );
    m.links[1]?.to('connected');
    assert.equal(m.links[1]?.extra.length, 1, 'and on the other once it connects');
    m.t.receive('b', candidate(1)); // b's link is replaced
    m.last().to('connected');
    assert.equal(m.last().extra.length, 1, 'the new link sends it too');
    m.t.unpublish(screen);
    assert.deepEqual(
      m.links.map((l) => l.removed.length),
      [1, 0, 1],
    );
  });

  test('the camera quality follows the number of links', () => {
    const m = mesh();
    m.t.enterRoom(['a', 'b', 'c']);
    assert.deepEqual(m.links[0]?.quality, qualityFor(3));
    m.t.participantLeft('c');
    assert.deepEqual(m.links[0]?.quality, qualityFor(2));
  });
});

describe('MeshTransport in an end-to-end encrypted call', () => {
  test('the prepared connection (made without the frame transform) is closed, not used; links get the transform', () => {
    let closed = 0;
    const prepared = { pc: { close: () => void closed++ } } as unknown as NonNullable<PeerLinkOptions['prepared']>;
    const frameCrypto = { peerConfig: () => ({}), sender: () => undefined, receiver: () => undefined };
    const links: FakeLink[] = [];
    const ctx = {
      selfId: 'me',
      iceServers: [],
      relayOnly: false,
      adaptQuality: false,
      localTrack: () => null,
      signal: () => undefined,
      canSignal: () => true,
      warn: () => undefined,
      sfu: { negotiate: () => Promise.reject(new Error('no')), view: () => undefined },
      onServer: () => () => undefined,
      frameCrypto,
    } as TransportContext;
    const t = new MeshTransport(ctx, {
      makeLink: (opts) => {
        const link = new FakeLink(opts);
        links.push(link);
        return link as unknown as MeshLink;
      },
      takePrepared: () => prepared,
    });
    t.enterRoom(['a', 'b']);
    assert.equal(closed, 1);
    assert.deepEqual(
      links.map((l) => [l.opts.prepared, l.opts.frameCrypto]),
      [
        [null, frameCrypto],
        [null, frameCrypto],
      ],
    );
  });
});
