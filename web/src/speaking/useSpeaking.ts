import { useEffect, useState } from 'react';
import { LevelMeter } from '../audio/LevelMeter';
import { nextActiveSpeaker, nextVoice, silent, type VoiceState } from './speaking';

/** How often levels are read, in ms. */
export const SPEAKING_POLL_MS = 100;

export interface SpeakingView {
  /** Ids of the people talking now. */
  speaking: ReadonlySet<string>;
  /** Who the active-speaker layout shows large, or null before anyone has talked. */
  active: string | null;
}

const nobody: SpeakingView = { speaking: new Set(), active: null };

/**
 * Who is talking, from the audio of each stream (id -> stream, the local one included). Re-renders
 * only when the set of speakers or the active speaker changes.
 */
export function useSpeaking(
  sources: ReadonlyArray<{ id: string; stream: MediaStream | null; muted?: boolean }>,
): SpeakingView {
  const [view, setView] = useState<SpeakingView>(nobody);
  // One key per audio track, so meters are rebuilt only when tracks change.
  const key = sources.map((s) => `${s.id}:${s.muted ? 'm' : ''}${s.stream?.getAudioTracks()[0]?.id ?? ''}`).join('|');

  useEffect(() => {
    const meters = new Map<string, LevelMeter>();
    for (const s of sources) {
      const track = s.stream?.getAudioTracks()[0];
      if (track && !s.muted) meters.set(s.id, new LevelMeter(track));
    }
    const voices = new Map<string, VoiceState>(sources.map((s) => [s.id, silent]));
    let active: string | null = null;
    let last = nobody;
    const timer = setInterval(() => {
      const now = performance.now();
      for (const [id, prev] of voices) voices.set(id, nextVoice(prev, meters.get(id)?.level() ?? 0, now));
      active = nextActiveSpeaker(active, voices, now);
      const speaking = new Set([...voices].filter(([, v]) => v.speaking).map(([id]) => id));
      const same =
        active === last.active &&
        speaking.size === last.speaking.size &&
        [...speaking].every((id) => last.speaking.has(id));
      if (!same) {
        last = { speaking, active };
        setView(last);
      }
    }, SPEAKING_POLL_MS);
    return () => {
      clearInterval(timer);
      for (const m of meters.values()) m.close();
    };
    // `key` stands for `sources`: the meters follow the audio tracks, not the array identity.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return view;
}
