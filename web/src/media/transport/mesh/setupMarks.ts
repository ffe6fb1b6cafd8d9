/**
 * Call set-up milestones as User Timing marks (`performance.mark`), named
 * `parley:<milestone>:<remote id>`. They cost nothing to a person and let tools (the set-up
 * benchmark, the browser's performance panel) break the time from Join to first frame down.
 * Each milestone is marked once per link: the first time it happens.
 */

export type LinkMilestone = 'offer-received' | 'answer-sent' | 'answer-received' | 'ice-connected' | 'dtls-connected';

export function markOnce(name: string): void {
  if (typeof performance === 'undefined' || performance.getEntriesByName(name, 'mark').length > 0) return;
  performance.mark(name);
}

/** Mark the link's negotiation and transport milestones as the peer connection reaches them. */
export function watchSetupMilestones(pc: RTCPeerConnection, remoteId: string): void {
  const mark = (m: LinkMilestone): void => markOnce(`parley:${m}:${remoteId}`);
  let previous = pc.signalingState;
  pc.addEventListener('signalingstatechange', () => {
    const now = pc.signalingState;
    if (now === 'have-remote-offer') mark('offer-received');
    // The answer is sent as soon as it is set locally.
    if (previous === 'have-remote-offer' && now === 'stable') mark('answer-sent');
    // On the offering side: the other side's answer is applied (ICE and DTLS can finish now).
    if (previous === 'have-local-offer' && now === 'stable') mark('answer-received');
    previous = now;
  });
  pc.addEventListener('iceconnectionstatechange', () => {
    if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') mark('ice-connected');
  });
  // `connectionState` turns `connected` once both ICE and DTLS are connected.
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'connected') mark('dtls-connected');
  });
}
