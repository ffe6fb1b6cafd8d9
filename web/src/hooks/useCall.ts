import { useEffect, useState, useSyncExternalStore } from 'react';
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
 * Create one Call for the lifetime of the component (per room/name), start it, and leave it on
 * unmount. Returns the call (for actions) and its latest snapshot (for rendering).
 */
export function useCall(opts: CallOptions): { call: Call | null; snapshot: CallSnapshot } {
  const [call, setCall] = useState<Call | null>(null);
  const { room, name, relayOnly, startMuted, startCameraOff, serverUrl, adaptQuality, localMedia, token } = opts;

  useEffect(() => {
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
  }, [room, name, relayOnly, startMuted, startCameraOff, serverUrl, adaptQuality, localMedia, token]);

  const snapshot = useSyncExternalStore(
    (onChange) => (call ? call.on('change', onChange) : () => undefined),
    () => (call ? call.snapshot : idle),
  );
  return { call, snapshot };
}
