import { useCallback, useEffect, useRef, useState } from 'react';
import {
  classify,
  defaultAudioConstraints,
  defaultVideoConstraints,
  getLocalMedia,
  withDevice,
  type LocalMedia,
} from '../media/localMedia';

export interface Preview {
  /** The open camera/microphone (null while opening). */
  media: LocalMedia | null;
  /** Switch the preview to another camera or microphone. */
  choose(kind: 'audio' | 'video', deviceId: string): Promise<void>;
  /** Stop owning the stream (the call takes it over): it is no longer stopped on unmount. */
  release(): LocalMedia | null;
}

/**
 * Open the camera and microphone for the pre-join preview, with remembered devices when they are
 * still there (else the defaults). Stops them on unmount unless released to the call.
 */
export function usePreview(initial: { audio?: string; video?: string }): Preview {
  const [media, setMedia] = useState<LocalMedia | null>(null);
  const owned = useRef<LocalMedia | null>(null);
  const initialRef = useRef(initial);

  useEffect(() => {
    let alive = true;
    void (async () => {
      let m = await getLocalMedia({ audio: true, video: true }, initialRef.current);
      const stale = (['audio', 'video'] as const).filter((k) => m.problems[k] === 'not-found' && initialRef.current[k]);
      if (stale.length > 0) {
        // A remembered device is gone: take the default one instead.
        for (const t of m.stream.getTracks()) t.stop();
        m = await getLocalMedia({ audio: true, video: true });
      }
      if (!alive) {
        for (const t of m.stream.getTracks()) t.stop();
        return;
      }
      owned.current = m;
      setMedia(m);
    })();
    return () => {
      alive = false;
      for (const t of owned.current?.stream.getTracks() ?? []) t.stop();
      owned.current = null;
    };
  }, []);

  const choose = useCallback(async (kind: 'audio' | 'video', deviceId: string): Promise<void> => {
    const cur = owned.current;
    if (!cur || !navigator.mediaDevices?.getUserMedia) return;
    const base = kind === 'audio' ? defaultAudioConstraints : defaultVideoConstraints;
    const old = cur.stream.getTracks().filter((t) => t.kind === kind);
    // Some cameras cannot be open twice: free the old one first.
    for (const t of old) t.stop();
    const problems = { ...cur.problems };
    let tracks = cur.stream.getTracks().filter((t) => t.kind !== kind);
    try {
      const s = await navigator.mediaDevices.getUserMedia({ [kind]: withDevice(base, deviceId) });
      tracks = [...tracks, ...s.getTracks()];
      delete problems[kind];
    } catch (err) {
      problems[kind] = classify(err);
    }
    if (owned.current !== cur) {
      for (const t of tracks) if (t.kind === kind) t.stop();
      return;
    }
    const next: LocalMedia = { stream: new MediaStream(tracks), problems };
    owned.current = next;
    setMedia(next);
  }, []);

  const release = useCallback((): LocalMedia | null => {
    const m = owned.current;
    owned.current = null;
    return m;
  }, []);

  return { media, choose, release };
}
