import { useEffect, useRef } from 'react';
import type { Call } from '../media/Call';
import { bridgeCall, embedParent } from './embedBridge';

/** While the call screen shows: bridge `call` to the embedding page, if there is an allowed one. */
export function useEmbedBridge(call: Call | null, room: string, leave: () => void): void {
  const leaveRef = useRef(leave);
  useEffect(() => {
    leaveRef.current = leave;
  });
  useEffect(() => {
    if (!call) return;
    let stop: (() => void) | null = null;
    let cancelled = false;
    void embedParent().then((parent) => {
      if (parent && !cancelled) stop = bridgeCall(parent, call, room, () => leaveRef.current());
    });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [call, room]);
}
