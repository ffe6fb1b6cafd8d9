/** Deciding who is talking from audio levels: hysteresis per person, and one active speaker. */

/** Level (0..1, see audio/level.ts) above which a person counts as talking. */
export const SPEAKING_ON = 0.42;
/** Level below which talking may end (lower than SPEAKING_ON so the indicator does not flicker). */
export const SPEAKING_OFF = 0.32;
/** How long someone stays "speaking" after their level drops, in ms (gaps between words). */
export const SPEAKING_HOLD_MS = 600;
/** How long a new voice must last before the active speaker changes, in ms. */
export const ACTIVE_SWITCH_MS = 700;

export interface VoiceState {
  speaking: boolean;
  /** When the level was last above SPEAKING_OFF. */
  lastLoudAt: number;
  /** When this person started speaking (valid while speaking). */
  since: number;
}

export const silent: VoiceState = { speaking: false, lastLoudAt: -Infinity, since: 0 };

/** Next state of one voice given its current level. */
export function nextVoice(prev: VoiceState, level: number, now: number): VoiceState {
  const loud = level >= (prev.speaking ? SPEAKING_OFF : SPEAKING_ON);
  if (loud) {
    return { speaking: true, lastLoudAt: now, since: prev.speaking ? prev.since : now };
  }
  if (prev.speaking && now - prev.lastLoudAt < SPEAKING_HOLD_MS) return prev;
  return prev.speaking ? { ...prev, speaking: false } : prev;
}

/**
 * The active speaker: stays the same while they talk; changes to someone who has been talking
 * for ACTIVE_SWITCH_MS when the current one is silent, or keeps the last one when all are silent.
 */
export function nextActiveSpeaker(
  current: string | null,
  voices: ReadonlyMap<string, VoiceState>,
  now: number,
): string | null {
  if (current !== null && voices.get(current)?.speaking) return current;
  let best: string | null = null;
  let bestSince = Infinity;
  for (const [id, v] of voices) {
    if (v.speaking && now - v.since >= ACTIVE_SWITCH_MS && v.since < bestSince) {
      best = id;
      bestSince = v.since;
    }
  }
  if (best !== null) return best;
  return current !== null && voices.has(current) ? current : null;
}
