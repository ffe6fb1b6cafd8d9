import type { BackgroundMode } from './mode';

/**
 * Where the background effect stands, as the person sees it:
 * - `off`: the camera goes out as it is (mode `none`);
 * - `starting`: the model is loading; the camera still goes out as it is until it is ready;
 * - `on`: the processed camera goes out;
 * - `failed`: the effect could not start or stopped working; the raw camera goes out and a note
 *   says so. Choosing a mode again tries again.
 */
export type EffectState =
  | { phase: 'off' }
  | { phase: 'starting'; mode: Exclude<BackgroundMode, 'none'> }
  | { phase: 'on'; mode: Exclude<BackgroundMode, 'none'> }
  | { phase: 'failed'; mode: Exclude<BackgroundMode, 'none'>; note: string };

export type EffectEvent =
  | { type: 'choose'; mode: BackgroundMode }
  | { type: 'ready'; mode: BackgroundMode }
  | { type: 'failed'; mode: BackgroundMode; reason: string };

export const initialEffectState: EffectState = { phase: 'off' };

/** The sentence shown when the effect cannot run. */
export function failureNote(reason: string): string {
  return `Background effects are not working here (${reason}): your camera is sent as it is.`;
}

/**
 * The next state. A `ready` or `failed` for a mode that is no longer chosen (the person changed
 * their mind while it loaded) changes nothing.
 */
export function nextEffectState(state: EffectState, event: EffectEvent): EffectState {
  switch (event.type) {
    case 'choose':
      return event.mode === 'none' ? { phase: 'off' } : { phase: 'starting', mode: event.mode };
    case 'ready':
      if (event.mode === 'none' || state.phase === 'off' || state.mode !== event.mode) return state;
      if (state.phase === 'failed') return state;
      return { phase: 'on', mode: event.mode };
    case 'failed':
      if (event.mode === 'none' || state.phase === 'off' || state.mode !== event.mode) return state;
      return { phase: 'failed', mode: event.mode, note: failureNote(event.reason) };
  }
}

/** A short phrase for an error, for the note (no stack, bounded length). */
export function reasonOf(err: unknown): string {
  const raw = err instanceof Error ? err.message || err.name : typeof err === 'string' ? err : 'unknown error';
  const one = raw.split('\n')[0]?.trim() || 'unknown error';
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}
