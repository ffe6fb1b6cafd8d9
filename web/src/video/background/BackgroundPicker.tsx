import { useId } from 'react';
import type { Call } from '../../media/Call';
import type { EffectState } from './effectState';
import { BACKGROUND_MODES, backgroundModeLabel, type BackgroundMode } from './mode';
import { useCallBackground } from './useBackground';
import './background.css';

export interface BackgroundPickerProps {
  mode: BackgroundMode;
  state: EffectState;
  onChoose: (mode: BackgroundMode) => void;
}

/** "Background: None / Blur / Colour" as three toggle buttons, with the effect's progress or note. */
export function BackgroundPicker({ mode, state, onChoose }: BackgroundPickerProps) {
  const labelId = useId();
  return (
    <div className="background-picker">
      <span id={labelId} className="background-picker-label">
        Background
      </span>
      <div role="group" aria-labelledby={labelId} className="background-picker-options">
        {BACKGROUND_MODES.map((m) => (
          <button
            key={m}
            type="button"
            aria-pressed={mode === m}
            aria-label={`Background: ${backgroundModeLabel[m]}`}
            onClick={() => onChoose(m)}
          >
            {backgroundModeLabel[m]}
          </button>
        ))}
      </div>
      <p className="background-picker-status" role="status" aria-live="polite">
        {state.phase === 'starting' ? 'Starting the background effect…' : state.phase === 'failed' ? state.note : ''}
      </p>
    </div>
  );
}

/** The picker in a running call (in the Devices panel). */
export function CallBackgroundPicker({ call }: { call: Call | null }) {
  const bg = useCallBackground(call);
  return <BackgroundPicker mode={bg.mode} state={bg.state} onChoose={bg.choose} />;
}
