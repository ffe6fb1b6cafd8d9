import { startTransition, useEffect, useState } from 'react';
import { featuresOf } from '../callFeatures';
import { Call, type CallOptions, type CallSnapshot } from '../media/Call';

const idle: CallSnapshot = {
  phase: 'idle',
  self: null,
  localStream: null,
  media: { audio: true, video: true },
  mediaProblems: {},
  remotes: [],
  error: null,
  roomState: null,
  notice: null,
};

/**
 * Create and start a call outside React (at the Join click, before the call screen renders),
 * with chat, files and screen sharing attached first so nothing sent right after the join is
 * missed. Hand it to `useCall`, which then owns it.
 */
export function startCall(opts: CallOptions): Call {
  const c = new Call(opts);
  featuresOf(c);
  void c.start();
  return c;
}

/** How many mounted components use each started call (StrictMode mounts twice). */
const users = new WeakMap<Call, number>();

/**
 * Create one Call for the lifetime of the component (per room/name), start it, and leave it on
 * unmount; or adopt `started` (from `startCall`) and leave that on unmount. Returns the call
 * (for actions) and its latest snapshot (for rendering).
 */
export function useCall(opts: CallOptions, started?: Call): { call: Call | null; snapshot: CallSnapshot } {
  const [call, setCall] = useState<Call | null>(null);
  const { room, name, relayOnly, startMuted, startCameraOff, serverUrl, adaptQuality, localMedia, token } = opts;

  useEffect(() => {
    if (!started) return;
    users.set(started, (users.get(started) ?? 0) + 1);
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setCall(started);
    (window as unknown as { __parleyCall?: Call }).__parleyCall = started;
    return () => {
      users.set(started, (users.get(started) ?? 1) - 1);
      // Leave unless the component was mounted again right away (StrictMode's double mount).
      setTimeout(() => {
        if (!users.get(started)) void started.leave();
      }, 0);
      setCall((cur) => (cur === started ? null : cur));
    };
  }, [started]);

  useEffect(() => {
    if (started) return;
    const c = new Call({
      room,
      name,
      relayOnly,
      startMuted,
      startCameraOff,
      serverUrl,
      adaptQuality,
      localMedia,
      token,
    });
    // The Call is an external system created per mount (StrictMode mounts twice): publish it.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setCall(c);
    // Chat, files and screen sharing attach before the join so nothing sent right after it is missed.
    featuresOf(c);
    // Started a microtask later: StrictMode's mount-unmount-mount must not hand the pre-opened
    // camera to a call that is torn down at once.
    let cancelled = false;
    queueMicrotask(() => {
      if (!cancelled) void c.start();
    });
    (window as unknown as { __parleyCall?: Call }).__parleyCall = c;
    return () => {
      cancelled = true;
      void c.leave();
      setCall((cur) => (cur === c ? null : cur));
    };
  }, [started, room, name, relayOnly, startMuted, startCameraOff, serverUrl, adaptQuality, localMedia, token]);

  // Changes render as a transition: React renders them in slices that yield to the page's
  // other work, so a participant's tile being drawn never holds up the negotiation (an offer
  // or answer waiting behind it) that will put video in it.
  const [shown, setShown] = useState<{ call: Call | null; snapshot: CallSnapshot }>({ call: null, snapshot: idle });
  useEffect(() => {
    if (!call) return;
    const show = (): void => startTransition(() => setShown({ call, snapshot: call.snapshot }));
    show();
    return call.on('change', show);
  }, [call]);
  const snapshot = shown.call === call && call ? shown.snapshot : (call?.snapshot ?? idle);
  return { call, snapshot };
}
