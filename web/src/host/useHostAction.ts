import type { AccessClientEventName, AccessClientEvents } from '@parley/protocol';
import { useCallback, useState } from 'react';
import type { Call } from '../media/Call';

/** Run host actions on a call, remembering the last refusal as a sentence to show. */
export function useHostAction(call: Call | null): {
  run: <K extends AccessClientEventName>(event: K, payload: Parameters<AccessClientEvents[K]>[0]) => Promise<boolean>;
  error: string | null;
  busy: boolean;
} {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async <K extends AccessClientEventName>(event: K, payload: Parameters<AccessClientEvents[K]>[0]) => {
      if (!call) return false;
      setBusy(true);
      setError(null);
      try {
        await call.hostAction(event, payload);
        return true;
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [call],
  );
  return { run, error, busy };
}
