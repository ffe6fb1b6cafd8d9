import { useEmitterValue } from '../../hooks/useEmitterValue';
import type { NoiseControl } from './NoiseControl';
import { NOISE_OFF, noiseStatusText, type NoiseState } from './noiseState';
import './noise.css';

export interface NoiseToggleProps {
  /** The person's choice. */
  on: boolean;
  onChange: (on: boolean) => void;
  /** What the call makes of it (loading, failed); none on the pre-join screen. */
  state?: NoiseState;
}

/**
 * "Noise suppression": a toggle button (aria-pressed) with a line below it that says when it is
 * starting or could not run. The line is a live region, present before it has anything to say.
 */
export function NoiseToggle({ on, onChange, state }: NoiseToggleProps) {
  const text = state ? noiseStatusText(state) : null;
  return (
    <div className="noise-toggle">
      {/* Pressed or not is its state (aria-pressed, and the pressed style); its name stays the same. */}
      <button type="button" aria-pressed={on} onClick={() => onChange(!on)}>
        Noise suppression
      </button>
      <p className={`noise-note${state?.status === 'failed' ? ' noise-failed' : ''}`} role="status">
        {text}
      </p>
    </div>
  );
}

/** The toggle for a running call. */
export function CallNoiseToggle({ control }: { control: NoiseControl }) {
  const state = useEmitterValue(control, (c) => c.state, NOISE_OFF);
  return <NoiseToggle on={state.enabled} state={state} onChange={(on) => void control.setEnabled(on)} />;
}

/**
 * The note shown on the call screen, panels closed or not, when suppression could not run (the
 * raw microphone is sent meanwhile).
 */
export function NoiseFailureNote({ control }: { control: NoiseControl }) {
  const state = useEmitterValue(control, (c) => c.state, NOISE_OFF);
  if (state.status !== 'failed') return null;
  return (
    <div className="noise-failure" role="alert">
      <p>{noiseStatusText(state)}</p>
      <button type="button" onClick={() => void control.setEnabled(false)}>
        Turn noise suppression off
      </button>
    </div>
  );
}
