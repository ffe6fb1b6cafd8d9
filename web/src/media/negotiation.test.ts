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
