import './host.css';
import { PASSWORD_MAX, type LobbyEntry, type Participant } from '@parley/protocol';
import { useId, useState, type FormEvent } from 'react';
import type { Call, CallSnapshot } from '../media/Call';
import { useHostAction } from './useHostAction';

type HostRun = ReturnType<typeof useHostAction>['run'];

/**
 * What the host must see whatever is open: the people waiting in the lobby, with Admit and Deny
 * (in the People panel while it is open). The room-wide controls and the per-person actions are in the People panel
 * (`HostRoomControls`, `HostPersonActions`). The server enforces every action.
 */
export function HostControls({
  call,
  snapshot,
  inPanel = false,
}: {
  call: Call | null;
  snapshot: CallSnapshot;
  /** The People panel is open and shows the waiting list itself. */
  inPanel?: boolean;
}) {
  const { roomState, self } = snapshot;
  const { run, error, busy } = useHostAction(call);
  if (inPanel || snapshot.phase !== 'joined' || !roomState || !self || roomState.hostId !== self.id) return null;
  if (roomState.waiting.length === 0 && !error) return null;

  return (
    <section className="host-controls" aria-label="Host controls">
      {roomState.waiting.length > 0 && <LobbyList waiting={roomState.waiting} run={run} busy={busy} />}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** The people waiting in the lobby, with Admit, Deny and Refuse everyone waiting. */
export function LobbyList({ waiting, run, busy }: { waiting: LobbyEntry[]; run: HostRun; busy: boolean }) {
  return (
    <div className="lobby-list" role="region" aria-label="Waiting to join">
      <h2>Waiting to join</h2>
      <button type="button" className="secondary" disabled={busy} onClick={() => void run('lobby-clear', {})}>
        Refuse everyone waiting
      </button>
      <ul>
        {waiting.map((w) => (
          <li key={w.id} data-testid="lobby-entry">
            <span className="lobby-name">{w.name}</span>
            <button type="button" onClick={() => void run('lobby-admit', { id: w.id })}>
              Admit {w.name}
            </button>
            <button type="button" className="secondary" onClick={() => void run('lobby-deny', { id: w.id })}>
              Deny {w.name}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The host's room-wide controls (lock, lobby, mute everyone, end the call, password, and whether
 * a removal also blocks the person's network), behind a "Host controls" disclosure.
 */
export function HostRoomControls({
  snapshot,
  run,
  busy,
  banAddress,
  setBanAddress,
}: {
  snapshot: CallSnapshot;
  run: HostRun;
  busy: boolean;
  banAddress: boolean;
  setBanAddress: (on: boolean) => void;
}) {
  const { roomState, remotes } = snapshot;
  const [password, setPassword] = useState('');
  const [open, setOpen] = useState(false);
  const ids = { pw: useId(), panel: useId(), banAddress: useId() };
  if (!roomState) return null;

  const setRoomPassword = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (password.length === 0) return;
    if (await run('room-password', { password })) setPassword('');
  };

  return (
    <div className="host-room">
      <button type="button" aria-expanded={open} aria-controls={ids.panel} onClick={() => setOpen(!open)}>
        Host controls
      </button>
      {open && (
        <div id={ids.panel} className="host-panel">
          <p className="host-status">
            You are the host. Room {roomState.locked ? 'locked' : 'open'}
            {roomState.passwordSet ? ', password set' : ''}
            {roomState.lobby ? ', lobby on' : ''}.
          </p>
          <div className="host-row">
            <button
              type="button"
              aria-pressed={roomState.locked}
              disabled={busy}
              onClick={() => void run('room-lock', { locked: !roomState.locked })}
            >
              {roomState.locked ? 'Unlock room' : 'Lock room'}
            </button>
            <button
              type="button"
              aria-pressed={roomState.lobby}
              disabled={busy}
              onClick={() => void run('room-lobby', { enabled: !roomState.lobby })}
            >
              {roomState.lobby ? 'Turn lobby off' : 'Turn lobby on'}
            </button>
            <button
              type="button"
              disabled={busy || remotes.length === 0}
              onClick={() => void run('participant-mute', {})}
            >
              Mute everyone
            </button>
            <button type="button" className="danger" disabled={busy} onClick={() => void run('room-end', {})}>
              End call for all
            </button>
          </div>
          <form className="host-row" onSubmit={(e) => void setRoomPassword(e)}>
            <label htmlFor={ids.pw}>Room password</label>
            <input
              id={ids.pw}
              type="password"
              autoComplete="new-password"
              maxLength={PASSWORD_MAX}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <button type="submit" disabled={busy || password.length === 0}>
              Set password
            </button>
            {roomState.passwordSet && (
              <button type="button" disabled={busy} onClick={() => void run('room-password', { password: null })}>
                Remove password
              </button>
            )}
          </form>
          {remotes.length > 0 && (
            <p className="host-row">
              <input
                id={ids.banAddress}
                type="checkbox"
                checked={banAddress}
                onChange={(e) => setBanAddress(e.target.checked)}
              />
              <label htmlFor={ids.banAddress}>
                On removal, also block their network (everyone sharing their internet address, such as an office or
                school, is kept out of this room too)
              </label>
            </p>
          )}
        </div>
      )}
    </div>
  );
}

/** The host's actions on one other person: ask to mute, make host, remove. */
export function HostPersonActions({ p, run, banAddress }: { p: Participant; run: HostRun; banAddress: boolean }) {
  return (
    <>
      <button type="button" onClick={() => void run('participant-mute', { id: p.id })}>
        Ask {p.name} to mute
      </button>
      <button type="button" onClick={() => void run('host-transfer', { id: p.id })}>
        Make {p.name} host
      </button>
      <button
        type="button"
        className="danger"
        onClick={() => void run('participant-remove', banAddress ? { id: p.id, banAddress } : { id: p.id })}
      >
        Remove {p.name}
      </button>
    </>
  );
}
