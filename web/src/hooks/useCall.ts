import { startTransition, useEffect, useState } from 'react';
import { noiseOf } from '../audio/noise/noiseOf';
import { featuresOf } from '../callFeatures';
import { Call, type CallOptions, type CallSnapshot } from '../media/Call';

/**
 * Create and start a call outside React (at the Join click, before the call screen renders),
 * with chat, files, screen sharing and noise suppression attached first so nothing sent right after the join is
 * missed. Hand it to `useCall`, which then owns it.
 */
export function startCall(opts: CallOptions): Call {
  const c = new Call(opts);
  featuresOf(c);
  // Before start: with suppression remembered on, RNNoise loads while the call joins.
  noiseOf(c);
  void c.start();
  return c;
}

/** How many mounted components use each started call (StrictMode mounts twice). */
const users = new WeakMap<Call, number>();

/**
 * Own a call started with `startCall` for the lifetime of the component: leave it on unmount.
 * Returns its latest snapshot (for rendering).
 */
export function useCall(call: Call): CallSnapshot {
  useEffect(() => {
    users.set(call, (users.get(call) ?? 0) + 1);
    (window as unknown as { __parleyCall?: Call }).__parleyCall = call;
    return () => {
      users.set(call, (users.get(call) ?? 1) - 1);
      // Leave unless the component was mounted again right away (StrictMode's double mount).
      setTimeout(() => {
        if (!users.get(call)) void call.leave();
      }, 0);
    };
  }, [call]);

  // Changes render as a transition: React renders them in slices that yield to the page's
  // other work, so a participant's tile being drawn never holds up the negotiation (an offer
  // or answer waiting behind it) that will put video in it.
  const [shown, setShown] = useState<{ call: Call; snapshot: CallSnapshot } | null>(null);
  useEffect(() => {
    const show = (): void => startTransition(() => setShown({ call, snapshot: call.snapshot }));
    show();
    return call.on('change', show);
  }, [call]);
  return shown?.call === call ? shown.snapshot : call.snapshot;
}
