import { parseBackgroundMode, type BackgroundMode } from '../video/background/mode';

/** Device and join choices remembered between visits (local storage; nothing leaves the browser). */

export interface DevicePreferences {
  audioinput?: string;
  videoinput?: string;
  audiooutput?: string;
  joinMuted?: boolean;
  joinCameraOff?: boolean;
  /** Send the microphone through RNNoise (web/src/audio/noise/); off unless chosen. */
  noiseSuppression?: boolean;
  /** The camera's background effect. */
  background?: BackgroundMode;
}

const KEY = 'parley:devices';

export function parsePreferences(raw: string | null): DevicePreferences {
  if (!raw) return {};
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return {};
    const o = v as Record<string, unknown>;
    const out: DevicePreferences = {};
    for (const k of ['audioinput', 'videoinput', 'audiooutput'] as const) {
      const id = o[k];
      if (typeof id === 'string' && id.length > 0 && id.length <= 256) out[k] = id;
    }
    if (typeof o.joinMuted === 'boolean') out.joinMuted = o.joinMuted;
    if (typeof o.joinCameraOff === 'boolean') out.joinCameraOff = o.joinCameraOff;
    if (typeof o.noiseSuppression === 'boolean') out.noiseSuppression = o.noiseSuppression;
    if (o.background !== undefined) out.background = parseBackgroundMode(o.background);
    return out;
  } catch {
    return {};
  }
}

export function loadPreferences(): DevicePreferences {
  try {
    return parsePreferences(localStorage.getItem(KEY));
  } catch {
    return {};
  }
}

export function savePreferences(patch: DevicePreferences): void {
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...loadPreferences(), ...patch }));
  } catch {
    // storage unavailable (private mode): nothing to remember
  }
}
