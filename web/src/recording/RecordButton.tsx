import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { CallFeatures } from '../callFeatures';
import { useEmitterValue } from '../hooks/useEmitterValue';
import type { Call, CallSnapshot } from '../media/Call';
import './recording.css';
import { recordingOf } from './recordingOf';
import type { RecordingView } from './RecordingSession';
import { Disc, Square } from 'lucide-react';
import { MenuItem } from '../callscreen/MoreMenu';
import { ToolButton } from '../callscreen/ToolButton';

const idle: RecordingView = { phase: 'idle', startedAt: null, saved: null, message: null, written: 0 };

/** The Record control's name in each phase. */
function recordLabel(phase: RecordingView['phase']): string {
  return phase === 'starting'
    ? 'Starting recording…'
    : phase === 'recording'
      ? 'Stop recording'
      : phase === 'stopping'
        ? 'Saving recording…'
        : 'Record';
}

function savedText(view: RecordingView): string | null {
  const s = view.saved;
  if (view.phase !== 'saved' || !s) return null;
  const where =
    s.kind === 'disk'
      ? `Recording saved as ${s.name}.`
      : s.kind === 'download'
        ? `Recording saved to your downloads as ${s.name}.`
        : 'Recording ready.';
  return view.message ? `${view.message} ${where}` : where;
}

/**
 * The Record / Stop recording button, its confirmation (which says everyone will be told) and
 * the note when the file is saved or the server refused. The host also sets here whether only
 * the host may record.
 */
export function RecordButton({
  call,
  features,
  snapshot,
}: {
  call: Call;
  features: CallFeatures;
  snapshot: CallSnapshot;
}) {
  const session = useMemo(() => recordingOf(call, features), [call, features]);
  const view = useEmitterValue(session, (s) => s.view, idle);
  const dialog = useRef<HTMLDialogElement>(null);
  const ids = { title: useId(), text: useId() };
  const [dismissed, setDismissed] = useState<RecordingView | null>(null);
  const [policyError, setPolicyError] = useState<string | null>(null);
  // A recording kept in memory (no picker, no download worker) is offered as a link.
  const saved = view.saved;
  const downloadUrl = useMemo(() => (saved?.kind === 'memory' ? URL.createObjectURL(saved.blob) : null), [saved]);
  useEffect(
    () => () => {
      if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    },
    [downloadUrl],
  );

  const selfId = snapshot.self?.id;
  const isHost = selfId !== undefined && snapshot.roomState?.hostId === selfId;
  const rec = snapshot.recording;
  const hostOnlyBlocks = rec?.hostOnly === true && !isHost;
  const phase = view.phase;
  const active = phase === 'starting' || phase === 'recording' || phase === 'stopping';
  if (snapshot.phase !== 'joined' && !active) return null;

  const label = recordLabel(phase);

  const onClick = (): void => {
    if (phase === 'recording') return void session.stop();
    setPolicyError(null);
    dialog.current?.showModal();
  };
  const confirm = (): void => {
    dialog.current?.close();
    setDismissed(null);
    // From the click: the save picker (where there is one) may open.
    void session.start();
  };
  const setHostOnly = async (hostOnly: boolean): Promise<void> => {
    setPolicyError(null);
    try {
      await call.recordingAction('recording-policy', { hostOnly });
    } catch (err) {
      setPolicyError(err instanceof Error ? err.message : String(err));
    }
  };

  const note =
    dismissed === view
      ? null
      : phase === 'refused' || phase === 'failed'
        ? view.message
        : (savedText(view) ?? (phase === 'recording' || phase === 'stopping' ? view.message : null));

  return (
    <>
      <ToolButton
        icon={phase === 'recording' ? Square : Disc}
        label={label}
        className={phase === 'recording' ? 'wide-only danger' : 'wide-only'}
        disabled={phase === 'starting' || phase === 'stopping'}
        onClick={onClick}
        data-testid="record-button"
      />
      <dialog ref={dialog} className="recording-dialog" aria-labelledby={ids.title} aria-describedby={ids.text}>
        <h2 id={ids.title}>Record this call?</h2>
        <p id={ids.text}>
          Everyone in the call will be told that you are recording, and sees it while you record. The recording
          (everyone&apos;s video and voices) is saved as a WebM file on this device as it goes.
        </p>
        {isHost && (
          <label className="recording-policy">
            <input
              type="checkbox"
              checked={rec?.hostOnly === true}
              onChange={(e) => void setHostOnly(e.currentTarget.checked)}
            />{' '}
            Only the host may record in this room
          </label>
        )}
        {hostOnlyBlocks && <p role="alert">Only the host may record this call.</p>}
        {policyError && <p role="alert">{policyError}</p>}
        <div className="recording-actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={hostOnlyBlocks} onClick={confirm}>
            Start recording
          </button>
        </div>
      </dialog>
      {note && (
        <div className="recording-note" role={phase === 'refused' || phase === 'failed' ? 'alert' : 'status'}>
          <p>{note}</p>
          {phase === 'saved' && downloadUrl && view.saved?.kind === 'memory' && (
            <a href={downloadUrl} download={`parley-${call.room}.webm`}>
              Download the recording
            </a>
          )}
          <button type="button" onClick={() => setDismissed(view)}>
            Dismiss
          </button>
        </div>
      )}
    </>
  );
}

/**
 * Record / Stop recording in the More menu, where the toolbar has no room for the button (on a
 * phone): it presses the button, so the same confirmation opens.
 */
export function RecordMenuItem({ call, features }: { call: Call; features: CallFeatures }) {
  const session = useMemo(() => recordingOf(call, features), [call, features]);
  const phase = useEmitterValue(session, (s) => s.view.phase, idle.phase);
  return (
    <MenuItem
      icon={phase === 'recording' ? Square : Disc}
      label={recordLabel(phase)}
      narrowOnly
      disabled={phase === 'starting' || phase === 'stopping'}
      onSelect={() => document.querySelector<HTMLButtonElement>('[data-testid="record-button"]')?.click()}
    />
  );
}
