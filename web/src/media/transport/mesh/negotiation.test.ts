import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideOnDescription, isPolite, type NegotiationState } from './negotiation';

const stable: NegotiationState = {
  polite: false,
  makingOffer: false,
  signalingState: 'stable',
  settingRemoteAnswer: false,
};

test('an offer in the stable state is applied by either side', () => {
  assert.equal(decideOnDescription('offer', { ...stable, polite: false }), 'apply');
  assert.equal(decideOnDescription('offer', { ...stable, polite: true }), 'apply');
});

test('glare while making an offer: the impolite side ignores, the polite side yields', () => {
  assert.equal(decideOnDescription('offer', { ...stable, makingOffer: true, polite: false }), 'ignore');
  assert.equal(decideOnDescription('offer', { ...stable, makingOffer: true, polite: true }), 'apply');
});

test('glare after our offer is out (have-local-offer): same rule', () => {
  const s = { ...stable, signalingState: 'have-local-offer' as const };
  assert.equal(decideOnDescription('offer', { ...s, polite: false }), 'ignore');
  assert.equal(decideOnDescription('offer', { ...s, polite: true }), 'apply');
});

test('an offer arriving while our remote answer is being applied is not a collision', () => {
  const s = { ...stable, signalingState: 'have-local-offer' as const, settingRemoteAnswer: true };
  assert.equal(decideOnDescription('offer', { ...s, polite: false }), 'apply');
});

test('answers are always applied', () => {
  for (const polite of [true, false]) {
    assert.equal(decideOnDescription('answer', { ...stable, polite, signalingState: 'have-local-offer' }), 'apply');
    assert.equal(decideOnDescription('answer', { ...stable, polite, makingOffer: true }), 'apply');
  }
});

test('exactly one side of a pair is polite', () => {
  for (const [a, b] of [
    ['abc', 'abd'],
    ['Zz', 'aa'],
    ['x1', 'x10'],
  ] as const) {
    assert.notEqual(isPolite(a, b), isPolite(b, a));
  }
});

/**
 * A model of one side's signaling state machine (JSEP offer/answer states, implicit rollback),
 * driven by `decideOnDescription` exactly as PeerLink drives the real RTCPeerConnection.
 */
class Side {
  signalingState: RTCSignalingState = 'stable';
  makingOffer = false;
  /** Offers this side made, by serial, and which remote offer it answered. */
  readonly offered: string[] = [];
  readonly answered: string[] = [];
  readonly outbox: Array<{ type: 'offer' | 'answer'; id: string }> = [];
  constructor(
    readonly id: string,
    readonly peerId: string,
  ) {}
  get polite(): boolean {
    return isPolite(this.id, this.peerId);
  }
  /** Begin an offer (negotiationneeded): makingOffer is true until `finishOffer`. */
  startOffer(): void {
    this.makingOffer = true;
  }
  finishOffer(): void {
    const id = `${this.id}#${this.offered.length + 1}`;
    this.offered.push(id);
    this.signalingState = 'have-local-offer';
    this.makingOffer = false;
    this.outbox.push({ type: 'offer', id });
  }
  receive(msg: { type: 'offer' | 'answer'; id: string }): 'applied' | 'ignored' {
    const d = decideOnDescription(msg.type, {
      polite: this.polite,
      makingOffer: this.makingOffer,
      signalingState: this.signalingState,
      settingRemoteAnswer: false,
    });
    if (d === 'ignore') return 'ignored';
    if (msg.type === 'answer') {
      assert.equal(this.signalingState, 'have-local-offer', `${this.id} got an answer without an offer`);
      this.signalingState = 'stable';
      return 'applied';
    }
    // setRemoteDescription(offer) rolls back a local offer implicitly, then we answer.
    this.makingOffer = false;
    this.signalingState = 'stable';
    this.answered.push(msg.id);
    this.outbox.push({ type: 'answer', id: msg.id });
    return 'applied';
  }
}

/** Deliver everything in both outboxes, in order, until both are empty. */
function drain(a: Side, b: Side): void {
  for (let i = 0; i < 10 && (a.outbox.length > 0 || b.outbox.length > 0); i++) {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const msgs = from.outbox.splice(0);
      for (const m of msgs) to.receive(m);
    }
  }
}

for (const [first, second] of [
  ['aaa', 'zzz'],
  ['zzz', 'aaa'],
] as const) {
  test(`glare with both offers in flight (${first} offered first): the impolite offer wins, both stable`, () => {
    const a = new Side(first, second);
    const b = new Side(second, first);
    a.startOffer();
    a.finishOffer();
    b.startOffer();
    b.finishOffer();
    drain(a, b);
    const [polite, impolite] = a.polite ? [a, b] : [b, a];
    assert.deepEqual(polite.answered, [impolite.offered[0]], 'the polite side answered the impolite offer');
    assert.deepEqual(impolite.answered, [], 'the impolite side ignored the colliding offer');
    assert.equal(a.signalingState, 'stable');
    assert.equal(b.signalingState, 'stable');
  });

  test(`glare while still making the offer (${first} is mid-offer): same outcome`, () => {
    const a = new Side(first, second);
    const b = new Side(second, first);
    b.startOffer();
    b.finishOffer();
    a.startOffer(); // a's setLocalDescription is pending when b's offer lands
    const landed = a.receive(b.outbox.shift()!);
    assert.equal(landed, a.polite ? 'applied' : 'ignored');
    if (a.polite) {
      // a yielded; its own negotiation runs again from stable afterwards.
      drain(a, b);
      assert.equal(b.signalingState, 'stable');
      a.startOffer();
      a.finishOffer();
      drain(a, b);
      assert.deepEqual(b.answered, [a.offered[a.offered.length - 1]]);
    } else {
      a.finishOffer();
      drain(a, b);
      assert.deepEqual(b.answered, [a.offered[0]], 'the polite side answered the impolite offer');
    }
    assert.equal(a.signalingState, 'stable');
    assert.equal(b.signalingState, 'stable');
  });
}

test('renegotiation after set-up (camera back on) goes through the same path without glare', () => {
  const a = new Side('aaa', 'zzz');
  const b = new Side('zzz', 'aaa');
  a.startOffer();
  a.finishOffer();
  drain(a, b);
  b.startOffer();
  b.finishOffer();
  drain(a, b);
  assert.deepEqual(a.answered, ['zzz#1']);
  assert.deepEqual(b.answered, ['aaa#1']);
  assert.equal(a.signalingState, 'stable');
  assert.equal(b.signalingState, 'stable');
});
