/**
 * Noise suppression's state as the person sees it. `enabled` is what they chose; `status` is
 * what goes out: `loading` while RNNoise loads (the raw microphone is sent meanwhile), `on` once
 * the suppressed track is on the senders, `failed` when it could not start or stopped working
 * (the raw microphone is sent again, and `problem` says why).
 */
export type NoiseStatus = 'off' | 'loading' | 'on' | 'failed';

export interface NoiseState {
  enabled: boolean;
  status: NoiseStatus;
  problem: string | null;
}

export type NoiseEvent =
  { type: 'enable' } | { type: 'disable' } | { type: 'ready' } | { type: 'failed'; problem: string };

export const NOISE_OFF: NoiseState = { enabled: false, status: 'off', problem: null };

/** The state after `event`. A late `ready` or `failed` (the person changed their mind meanwhile) changes nothing. */
export function nextNoiseState(state: NoiseState, event: NoiseEvent): NoiseState {
  switch (event.type) {
    case 'enable':
      return state.enabled && state.status !== 'failed' ? state : { enabled: true, status: 'loading', problem: null };
    case 'disable':
      return NOISE_OFF;
    case 'ready':
      return state.enabled && state.status === 'loading' ? { ...state, status: 'on' } : state;
    case 'failed':
      return state.enabled && state.status !== 'failed'
        ? { enabled: true, status: 'failed', problem: event.problem }
        : state;
  }
}

/** A sentence for the state, or null when there is nothing to say (off, or on and working). */
export function noiseStatusText(state: NoiseState): string | null {
  switch (state.status) {
    case 'loading':
      return 'Starting noise suppression…';
    case 'failed':
      return `Noise suppression could not run (${state.problem ?? 'unknown error'}); your microphone is sent as it is.`;
    default:
      return null;
  }
}

/** A short reason from whatever a failed load or start threw. */
export function noiseProblem(err: unknown): string {
  if (err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err)) {
    const { name, message } = err as { name?: unknown; message?: unknown };
    const text = typeof message === 'string' && message ? message : typeof name === 'string' ? name : '';
    if (text) return text.length > 160 ? `${text.slice(0, 157)}…` : text;
  }
  return typeof err === 'string' && err ? err.slice(0, 160) : 'unknown error';
}
