/** Getting the camera and microphone, and turning failures into sentences a person understands. */

export type MediaProblem = 'denied' | 'not-found' | 'in-use' | 'insecure' | 'failed';

export interface LocalMedia {
  stream: MediaStream;
  /** Why a device is missing, per kind; absent when that device works. */
  problems: Partial<Record<'audio' | 'video', MediaProblem>>;
}

export const problemText: Record<MediaProblem, (device: string) => string> = {
  denied: (d) => `Your ${d} is blocked. Allow it in the browser's address bar, then reload.`,
  'not-found': (d) => `No ${d} was found. Plug one in, or carry on without it.`,
  'in-use': (d) => `Your ${d} is in use by another app. Close that app, then reload.`,
  insecure: (d) => `The ${d} needs a secure page (https:// or localhost).`,
  failed: (d) => `Your ${d} could not be started.`,
};

export function classify(err: unknown): MediaProblem {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'not-found';
    case 'NotReadableError':
    case 'AbortError':
      return 'in-use';
    default:
      return 'failed';
  }
}

/**
 * 16:9, as most cameras and every other call app send, so tiles (which take the shape of the
 * video) fill a wide screen. 640x360 is the full simulcast layer (quarter: 160x90).
 */
export const defaultVideoConstraints: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 360 },
  aspectRatio: { ideal: 16 / 9 },
  frameRate: { ideal: 24, max: 30 },
};

export const defaultAudioConstraints: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

/**
 * Ask for camera and microphone together (one prompt); if that fails, ask for each alone so
 * that a missing camera still lets the person talk. Never throws: problems are reported.
 */
export async function getLocalMedia(
  want: { audio: boolean; video: boolean } = { audio: true, video: true },
  deviceIds: { audio?: string; video?: string } = {},
): Promise<LocalMedia> {
  const stream = new MediaStream();
  const problems: LocalMedia['problems'] = {};
  if (!navigator.mediaDevices?.getUserMedia) {
    if (want.audio) problems.audio = 'insecure';
    if (want.video) problems.video = 'insecure';
    return { stream, problems };
  }
  const audio = want.audio ? withDevice(defaultAudioConstraints, deviceIds.audio) : false;
  const video = want.video ? withDevice(defaultVideoConstraints, deviceIds.video) : false;
  if (!audio && !video) return { stream, problems };
  try {
    const both = await navigator.mediaDevices.getUserMedia({ audio, video });
    return { stream: both, problems };
  } catch (err) {
    if (!(audio && video)) {
      problems[audio ? 'audio' : 'video'] = classify(err);
      return { stream, problems };
    }
  }
  for (const kind of ['audio', 'video'] as const) {
    try {
      const s = await navigator.mediaDevices.getUserMedia({ [kind]: kind === 'audio' ? audio : video });
      for (const t of s.getTracks()) stream.addTrack(t);
    } catch (err) {
      problems[kind] = classify(err);
    }
  }
  return { stream, problems };
}

/** Constraints for one chosen device (`exact`: a missing device is an error, not a surprise). */
export function withDevice(base: MediaTrackConstraints, deviceId: string | undefined): MediaTrackConstraints {
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
}
