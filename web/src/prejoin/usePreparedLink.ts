import { useEffect, useRef } from 'react';
import { useLocation, useSearchParams } from 'react-router';
import { invitationToken } from '../host/invitation';
import { discardPrepared, prepareLink } from '../media/transport/createTransport';

/**
 * While the pre-join screen shows the preview, prepare the first peer connection of the call
 * (offer made, candidates gathered) so that Join does not wait for it. It is made again when a
 * camera or microphone appears or goes away, and closed when the person leaves without joining.
 */
export function usePreparedLink(stream: MediaStream | null, room: string): { keep(): void } {
  const [search] = useSearchParams();
  // The server lends its TURN relay to a check only for the room (and invitation) being joined.
  const token = invitationToken(useLocation().hash);
  const relayOnly = search.get('relay') === '1';
  const joining = useRef(false);
  /** What the current preparation was made for (track kinds, relay policy). */
  const madeFor = useRef<string | null>(null);

  useEffect(() => {
    if (!stream) return;
    const key = `${stream
      .getTracks()
      .map((t) => t.kind)
      .sort()
      .join(',')}|${relayOnly}`;
    // Another device of the same kind needs no new connection: the call swaps the track in.
    if (key === madeFor.current) return;
    madeFor.current = key;
    void prepareLink({ stream, relayOnly, room, ...(token !== undefined ? { token } : {}) });
  }, [stream, relayOnly, room, token]);

  useEffect(
    () => () => {
      if (!joining.current) discardPrepared();
    },
    [],
  );

  return {
    keep: () => {
      joining.current = true;
    },
  };
}
