import { nameProblem, normalizeName, roomProblem } from '@parley/protocol/limits';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { callPath, randomRoom, recentRooms, rememberName, rememberedName } from '../names';
import { warmUpForCall } from '../warmUp';
import { NameField } from '../components/NameField';
import { generateRoomKey, withRoomKey } from '../e2ee/roomKey';

/** Home: type a name and a room, press Join. `fixedRoom` is set for shared `/r/:room` links. */
export function HomePage({ fixedRoom }: { fixedRoom?: string }) {
  const navigate = useNavigate();
  const [username, setUsername] = useState(rememberedName);
  const [room, setRoom] = useState(fixedRoom ?? '');
  const [touched, setTouched] = useState(false);
  const [e2ee, setE2ee] = useState(false);
  const [recent] = useState(recentRooms);
  const ids = { room: useId(), roomErr: useId(), e2ee: useId() };
  const nameErr = touched ? nameProblem(username) : null;
  const roomErr = touched ? roomProblem(room) : null;
  const linkRoomErr = fixedRoom !== undefined ? roomProblem(fixedRoom) : null;
  useEffect(() => {
    if (!linkRoomErr) warmUpForCall();
  }, [linkRoomErr]);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setTouched(true);
    if (nameProblem(username) || roomProblem(room)) return;
    performance.mark('parley:join-click');
    const name = normalizeName(username);
    rememberName(name);
    // An invitation link carries its token in the fragment: keep it for the call page. An
    // encrypted room gets a new room key there too (the fragment never reaches the server).
    const hash = e2ee
      ? new URL(withRoomKey(`${window.location.origin}/${window.location.hash}`, generateRoomKey())).hash
      : window.location.hash;
    void navigate(callPath(name, room) + hash);
  };

  return (
    <main className="home">
      <h1 className="brand">Parley</h1>
      <p className="tagline">
        {fixedRoom !== undefined ? (
          <>
            You are invited to <strong>{fixedRoom}</strong>. Type your name to join.
          </>
        ) : (
          'Video calls in your browser: pick a room, share the link, talk. Nothing to install.'
        )}
      </p>
      {linkRoomErr ? (
        <p role="alert" className="error">
          This link is broken: {linkRoomErr}
        </p>
      ) : (
        <form className="join-form" onSubmit={submit} noValidate>
          <NameField value={username} onChange={setUsername} error={nameErr} autoFocus />
          {fixedRoom === undefined && (
            <>
              <label htmlFor={ids.room}>Room</label>
              <div className="room-row">
                <input
                  id={ids.room}
                  name="room"
                  value={room}
                  onChange={(e) => setRoom(e.target.value.trim())}
                  aria-invalid={roomErr ? true : undefined}
                  aria-describedby={roomErr ? ids.roomErr : undefined}
                  spellCheck={false}
                />
                <button type="button" className="secondary" onClick={() => setRoom(randomRoom())}>
                  Random room
                </button>
              </div>
              {roomErr && (
                <p id={ids.roomErr} className="field-error" role="alert">
                  {roomErr}
                </p>
              )}
            </>
          )}
          {fixedRoom === undefined && (
            <div className="check-row">
              <input id={ids.e2ee} type="checkbox" checked={e2ee} onChange={(e) => setE2ee(e.target.checked)} />
              <label htmlFor={ids.e2ee}>End-to-end encryption</label>
            </div>
          )}
          <button type="submit" className="primary">
            Join
          </button>
        </form>
      )}
      {fixedRoom === undefined && recent.length > 0 && (
        <nav className="recent-rooms" aria-labelledby="recent-rooms-title">
          <h2 id="recent-rooms-title">Recent rooms</h2>
          <ul>
            {recent.map((r) => (
              <li key={r}>
                <Link to={`/r/${encodeURIComponent(r)}`}>{r}</Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <p className="privacy">
        No account. Video and sound go straight between the people in the call, or through the server you run; recent
        rooms are kept in this browser only.
      </p>
      <p className="home-footer">
        Trouble connecting? <Link to="/check">Check your camera and network</Link>
      </p>
    </main>
  );
}
