import { nameProblem, normalizeName, roomProblem } from '@parley/protocol/limits';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { callPath, randomRoom, rememberName, rememberedName } from '../names';
import { warmUpForCall } from '../warmUp';
import { NameField } from '../components/NameField';

/** Home: type a name and a room, press Join. `fixedRoom` is set for shared `/r/:room` links. */
export function HomePage({ fixedRoom }: { fixedRoom?: string }) {
  const navigate = useNavigate();
  const [username, setUsername] = useState(rememberedName);
  const [room, setRoom] = useState(fixedRoom ?? '');
  const [touched, setTouched] = useState(false);
  const ids = { room: useId(), roomErr: useId() };
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
    // An invitation link carries its token in the fragment: keep it for the call page.
    void navigate(callPath(name, room) + window.location.hash);
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
          'Video calls in your browser. Pick a room, share the link, talk.'
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
          <button type="submit" className="primary">
            Join
          </button>
        </form>
      )}
      <p className="home-footer">
        Trouble connecting? <Link to="/check">Check your camera and network</Link>
      </p>
    </main>
  );
}
