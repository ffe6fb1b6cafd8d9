import { useSyncExternalStore } from 'react';

interface ChangeSource {
  on(event: 'change', listener: () => void): () => void;
}

/** Subscribe to an object's `change` event and read `get()` from it (null object: `fallback`). */
export function useEmitterValue<S extends ChangeSource, T>(source: S | null, get: (s: S) => T, fallback: T): T {
  return useSyncExternalStore(
    (onChange) => (source ? source.on('change', onChange) : () => undefined),
    () => (source ? get(source) : fallback),
  );
}
