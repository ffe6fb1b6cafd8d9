/** Who the picture-in-picture window shows. Pure, so the choice is unit-tested. */

export interface PipCandidate {
  id: string;
  /** Whether their camera is on (a camera-off person would be a blank window). */
  videoOn: boolean;
}

export interface PipInput {
  /** The tile you pinned, if any. */
  pinned: string | null;
  /** The active speaker (may be yourself), or null. */
  speaker: string | null;
  /** Who the window shows now, or null. */
  current: string | null;
  /** The others in the call, in their order on screen. */
  remotes: readonly PipCandidate[];
}

/**
 * The person to show: your pinned tile, else the active speaker, else whoever is shown now,
 * else the first person with their camera on. Only someone else with their camera on, so the
 * window never shows yourself or a blank; null when nobody qualifies.
 */
export function pipTarget({ pinned, speaker, current, remotes }: PipInput): string | null {
  const showable = new Set(remotes.filter((r) => r.videoOn).map((r) => r.id));
  for (const id of [pinned, speaker, current]) if (id !== null && showable.has(id)) return id;
  return remotes.find((r) => r.videoOn)?.id ?? null;
}

/** Whether this browser has the picture-in-picture API for video elements (Chromium, Safari; not Firefox). */
export function pipSupported(): boolean {
  return (
    typeof document !== 'undefined' &&
    document.pictureInPictureEnabled === true &&
    typeof HTMLVideoElement !== 'undefined' &&
    'requestPictureInPicture' in HTMLVideoElement.prototype
  );
}
