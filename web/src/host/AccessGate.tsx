import { PASSWORD_MAX } from '@parley/protocol';
import { useId, useState, type FormEvent } from 'react';
import type { Call, CallSnapshot } from '../media/Call';
import { PASSWORD_REFUSALS } from './accessText';

/** Asks for the room password; shows why the last try was refused. */
export function PasswordPrompt({
  call,
  snapshot,
  onLeave,
}: {
  call: Call | null;
  snapshot: CallSnapshot;
  onLeave: () => void;
}) {
  const [password, setPassword] = useState('');
  const ids = { pw: useId(), err: useId() };
  const wrong = PASSWORD_REFUSALS.has(snapshot.error?.id ?? '');
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (password.length > 0) void call?.submitPassword(password);
  };
  return (
    <form className="access-gate" onSubmit={submit} aria-label="Room password">
      <p>This room has a password. Ask the host for it.</p>
      <label htmlFor={ids.pw}>Password</label>
      <input
        id={ids.pw}
        type="password"
        autoComplete="off"
        autoFocus
        maxLength={PASSWORD_MAX}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        aria-invalid={wrong ? true : undefined}
        aria-describedby={wrong ? ids.err : undefined}
      />
      {wrong && (
        <p id={ids.err} className="field-error" role="alert">
          {snapshot.error?.message}
        </p>
      )}
      <div className="host-row">
        <button type="submit" className="primary" disabled={password.length === 0}>
          Enter
        </button>
        <button type="button" className="secondary" onClick={onLeave}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Shown while the host decides whether to let us in. */
export function LobbyWait({ onLeave }: { onLeave: () => void }) {
  return (
    <div className="access-gate" role="status">
      <p>Waiting for the host to let you in…</p>
      <button type="button" className="secondary" onClick={onLeave}>
        Leave
      </button>
    </div>
  );
}

/** Room badges and one-off notices for everyone in the call (host, lock, "the host muted you"). */
export function AccessNotices({ call, snapshot }: { call: Call | null; snapshot: CallSnapshot }) {
  const { roomState, self, remotes, notice } = snapshot;
  if (!roomState) return null;
  const host =
    roomState.hostId === null
      ? null
      : roomState.hostId === self?.id
        ? 'you'
        : remotes.find((r) => r.participant.id === roomState.hostId)?.participant.name;
  return (
    <div className="access-notices">
      <p className="room-badges">
        {host && <span className="badge">Host: {host}</span>}
        {roomState.locked && <span className="badge">Locked</span>}
        {roomState.passwordSet && <span className="badge">Password</span>}
        {roomState.lobby && <span className="badge">Lobby</span>}
      </p>
      {notice && (
        <p className="notice" role="status">
          {notice}{' '}
          <button type="button" className="link" onClick={() => call?.dismissNotice()}>
            Dismiss
          </button>
        </p>
      )}
    </div>
  );
}
