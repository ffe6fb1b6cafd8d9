import type { RecordingState } from '@parley/protocol';
import './recording.css';
import { recordingText } from './recordingText';

/**
 * The "Recording" badge every participant sees while anyone records. The live region is always
 * in the page (empty when nobody records), so a screen reader announces the recording starting
 * and stopping.
 */
export function RecordingBadge({ state, selfId }: { state: RecordingState | null; selfId: string | undefined }) {
  const text = recordingText(state, selfId);
  const who = text.replace(/ (is|are) recording this call$/, '');
  return (
    <p className="recording-badge" role="status" data-testid="recording-badge">
      {text ? (
        <>
          <span className="recording-dot" aria-hidden="true" />
          <span aria-hidden="true">Recording · {who}</span>
          <span className="sr-only">{text}</span>
        </>
      ) : null}
    </p>
  );
}
