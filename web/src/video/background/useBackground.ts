import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { loadPreferences, savePreferences } from '../../devices/preferences';
import type { Call } from '../../media/Call';
import { pageBackground, processorOf, type BackgroundEffect, type CameraTarget } from './effect';
import type { EffectState } from './effectState';
import type { BackgroundMode } from './mode';

export interface BackgroundControl {
  mode: BackgroundMode;
  state: EffectState;
  choose(mode: BackgroundMode): void;
}

/** The page's effect (remembered mode) and its state, for rendering. */
export function useBackgroundEffect(): { effect: BackgroundEffect; state: EffectState } {
  const effect = pageBackground(() => loadPreferences().background ?? 'none');
  const state = useSyncExternalStore(effect.subscribe, effect.getState);
  return { effect, state };
}

/** The effect in a running call: a choice swaps the call's camera track (replaceTrack). */
export function useCallBackground(call: Call | null): BackgroundControl {
  const { effect, state } = useBackgroundEffect();
  const choose = useCallback(
    (mode: BackgroundMode): void => {
      savePreferences({ background: mode });
      if (!call) return;
      const target: CameraTarget = {
        current: () => call.localTracks.find((t) => t.kind === 'video'),
        replace: (track) => call.replaceLocalTrack(track),
      };
      void effect.choose(mode, target);
    },
    [call, effect],
  );
  return { mode: effect.mode, state, choose };
}

export interface BackgroundPreview extends BackgroundControl {
  /** The video track to show (processed or the camera). */
  shown: MediaStreamTrack | undefined;
  /** The stream the call takes: `stream` with the processed camera in place of the raw one. */
  handOver(stream: MediaStream): MediaStream;
}

/**
 * The effect on the pre-join screen's camera (`raw`, owned by the preview): the preview shows
 * the processed track, and `handOver` gives it to the call at the join. A processor not handed
 * over is stopped when the camera changes or the screen goes away.
 */
export function useBackgroundPreview(raw: MediaStreamTrack | undefined): BackgroundPreview {
  const { effect, state } = useBackgroundEffect();
  const [processed, setProcessed] = useState<MediaStreamTrack | null>(null);
  const current = useRef<MediaStreamTrack | null>(null);
  const handedOver = useRef(false);
  /** The screen went away (joined or left): a processor that finishes loading now is not wanted. */
  const gone = useRef(false);

  const show = useCallback((track: MediaStreamTrack | null): void => {
    const prev = current.current;
    current.current = track;
    setProcessed(track);
    if (prev && prev !== track) prev.stop();
  }, []);

  const target = useMemo<CameraTarget>(
    () => ({
      current: () => current.current ?? raw,
      replace: async (track) => {
        if (gone.current) return track.stop();
        if (processorOf(track)) return show(track);
        // Back to the camera as it is: the preview's own track shows; the copy is not needed.
        if (track !== raw) track.stop();
        show(null);
      },
    }),
    [raw, show],
  );

  useEffect(() => {
    if (!raw || effect.mode === 'none') return;
    let alive = true;
    const copy = raw.clone();
    void effect.wrap(copy).then((track) => {
      if (!alive || !processorOf(track)) {
        track.stop();
        return;
      }
      show(track);
    });
    return () => {
      alive = false;
      if (!handedOver.current) show(null);
    };
    // The effect's mode at mount; later choices go through `choose`.
  }, [raw, effect, show]);

  useEffect(() => {
    gone.current = false;
    return () => {
      gone.current = true;
      if (!handedOver.current) show(null);
    };
  }, [show]);

  const choose = useCallback(
    (mode: BackgroundMode): void => {
      savePreferences({ background: mode });
      void effect.choose(mode, target);
    },
    [effect, target],
  );

  const handOver = useCallback((stream: MediaStream): MediaStream => {
    const p = current.current;
    if (!p) return stream;
    handedOver.current = true;
    current.current = null;
    const others = stream.getTracks().filter((t) => t.kind !== 'video');
    // The processor reads its own copy of the camera: the preview's is not needed any more.
    for (const t of stream.getVideoTracks()) t.stop();
    return new MediaStream([...others, p]);
  }, []);

  return { mode: effect.mode, state, choose, shown: processed ?? raw, handOver };
}
