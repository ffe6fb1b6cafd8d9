/**
 * The decision at the heart of "perfect negotiation" (W3C WebRTC 1.0, section 10.7): what to do
 * with an incoming description given our side's state. Pure, so it can be tested without a
 * browser. The polite side yields on a collision (its offer is rolled back implicitly by
 * setRemoteDescription); the impolite side ignores the colliding offer.
 */
export interface NegotiationState {
  polite: boolean;
  makingOffer: boolean;
  signalingState: RTCSignalingState;
  /** An answer of ours to the remote side is being applied (setRemoteDescription(answer) pending). */
  settingRemoteAnswer: boolean;
}

export type DescriptionDecision = 'apply' | 'ignore';

export function decideOnDescription(type: 'offer' | 'answer', s: NegotiationState): DescriptionDecision {
  const readyForOffer = !s.makingOffer && (s.signalingState === 'stable' || s.settingRemoteAnswer);
  const collision = type === 'offer' && !readyForOffer;
  return collision && !s.polite ? 'ignore' : 'apply';
}

/** The polite side of a pair is the one with the smaller participant id (both sides agree). */
export function isPolite(localId: string, remoteId: string): boolean {
  return localId < remoteId;
}
