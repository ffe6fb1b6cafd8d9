import { useCallback, useEffect, useRef, useState } from 'react';
import type { Call } from '../media/Call';
import {
  classify,
  defaultAudioConstraints,
  defaultVideoConstraints,
  problemText,
  withDevice,
} from '../media/localMedia';
import { replacementFor, trackDeviceId, type DeviceLists } from './devices';
import { loadPreferences, savePreferences } from './preferences';
import { pageBackground, processorOf, shouldApply, sourceOf } from '../video/background/effect';

export interface CallDevices {
  /** Switch the camera or microphone in the running call (replaceTrack; no renegotiation). */
  choose(kind: 'audio' | 'video', deviceId: string): Promise<void>;
  /** A sentence when the last switch failed. */
  problem: string | null;
}

async function openTrack(kind: 'audio' | 'video', deviceId: string | undefined): Promise<MediaStreamTrack> {
  const base = kind === 'audio' ? defaultAudioConstraints : defaultVideoConstraints;
  const s = await navigator.mediaDevices.getUserMedia({ [kind]: withDevice(base, deviceId) });
  const track = s.getTracks()[0];
  if (!track) throw new DOMException('no track', 'NotFoundError');
  return track;
}

/**
 * Device switching during a call, and recovery when the device in use is unplugged: on
 * `devicechange` (or the track ending) the call moves to the system default device.
 */
export function useCallDevices(call: Call | null, devices: DeviceLists): CallDevices {
  const [problem, setProblem] = useState<string | null>(null);
  const busy = useRef(false);

  const choose = useCallback(
    async (kind: 'audio' | 'video', deviceId: string | undefined): Promise<void> => {
      if (!call || busy.current) return;
      busy.current = true;
      try {
        const opened = await openTrack(kind, deviceId);
        // A new camera goes through the background effect when one is on.
        const track =
          kind === 'video' ? await pageBackground(() => loadPreferences().background ?? 'none').wrap(opened) : opened;
        await call.replaceLocalTrack(track);
        if (deviceId) savePreferences(kind === 'audio' ? { audioinput: deviceId } : { videoinput: deviceId });
        setProblem(null);
      } catch (err) {
        setProblem(`${problemText[classify(err)](kind === 'audio' ? 'microphone' : 'camera')}`);
      } finally {
        busy.current = false;
      }
    },
    [call],
  );

  // Unplugged: the device disappears from the list, or its track ends.
  useEffect(() => {
    if (!call) return;
    for (const kind of ['audio', 'video'] as const) {
      const sent = call.localTracks.find((t) => t.kind === kind);
      const track = sent && sourceOf(sent);
      const list = kind === 'audio' ? devices.audioinput : devices.videoinput;
      if (!track || list.length === 0) continue;
      const next =
        track.readyState === 'ended' ? (list[0]?.deviceId ?? null) : replacementFor(trackDeviceId(track), list);
      // Reacting to the device list (an external system); choose() sets state only after awaiting.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      if (next) void choose(kind, next);
    }
  }, [call, devices, choose]);

  useEffect(() => {
    if (!call) return;
    const watched = new Set<MediaStreamTrack>();
    const onEnded = (e: Event): void => {
      const t = e.target as MediaStreamTrack;
      if (call.localTracks.map(sourceOf).includes(t)) void choose(t.kind === 'audio' ? 'audio' : 'video', undefined);
    };
    const watch = (): void => {
      for (const sent of call.localTracks) {
        // A processed camera (background effect) ends with the camera it reads.
        const t = sourceOf(sent);
        if (watched.has(t)) continue;
        watched.add(t);
        t.addEventListener('ended', onEnded);
      }
    };
    // The chosen background effect on the call's camera, when the call took the camera as it
    // is (Join pressed while the preview's model was still loading).
    const effect = pageBackground(() => loadPreferences().background ?? 'none');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const applyEffect = (): void => {
      clearTimeout(timer);
      // After the current task: a finishing choice is no longer busy by then.
      timer = setTimeout(() => {
        const sent = call.localTracks.find((t) => t.kind === 'video');
        if (!sent || sent.readyState !== 'live' || call.snapshot.phase === 'left') return;
        if (!shouldApply(effect.mode, effect.state, effect.busy, processorOf(sent)?.mode)) return;
        void effect.choose(effect.mode, {
          current: () => call.localTracks.find((t) => t.kind === 'video'),
          replace: (track) => call.replaceLocalTrack(track),
        });
      }, 0);
    };
    watch();
    applyEffect();
    const off = call.on('change', watch);
    const offApply = call.on('change', applyEffect);
    const offEffect = effect.subscribe(applyEffect);
    return () => {
      clearTimeout(timer);
      offApply();
      offEffect();
      off();
      for (const t of watched) t.removeEventListener('ended', onEnded);
    };
  }, [call, choose]);

  return { choose, problem };
}
