/**
 * What each camera sender asks of its encoder as the mesh grows. Every participant encodes its
 * camera once per remote participant, so the total work grows with the square of the room
 * size; lowering resolution, frame rate and bitrate per stream keeps a room of six watchable
 * on a modest machine instead of every stream collapsing.
 */
export interface SendQuality {
  /** Divide the camera's width and height by this (1 = full resolution). */
  scaleResolutionDownBy: number;
  /** Bits per second ceiling of the video encoding. */
  maxBitrate: number;
  /** Frames per second ceiling of the video encoding. */
  maxFramerate: number;
}

/** The ladder, indexed by the number of remote participants (the last step covers larger rooms). */
export const QUALITY_LADDER: readonly SendQuality[] = [
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000, maxFramerate: 30 }, // alone (no sender yet)
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000, maxFramerate: 30 }, // 2 people
  { scaleResolutionDownBy: 1, maxBitrate: 700_000, maxFramerate: 24 }, // 3 people
  { scaleResolutionDownBy: 1.5, maxBitrate: 450_000, maxFramerate: 20 }, // 4 people
  { scaleResolutionDownBy: 2, maxBitrate: 300_000, maxFramerate: 15 }, // 5 people
  { scaleResolutionDownBy: 2, maxBitrate: 250_000, maxFramerate: 15 }, // 6 people and more
];

/** The encoding each camera sender uses when the call has `remotes` other participants. */
export function qualityFor(remotes: number): SendQuality {
  if (!Number.isInteger(remotes) || remotes < 0) throw new TypeError(`remotes: expected a count, got ${remotes}`);
  const step = QUALITY_LADDER[Math.min(remotes, QUALITY_LADDER.length - 1)];
  if (!step) throw new Error('QUALITY_LADDER is empty');
  return step;
}

/**
 * Apply `q` to the first encoding of `params` (a sender's current parameters), or clear every
 * limit when `q` is null (adaptation off). Returns whether anything changed.
 */
export function applyQuality(params: RTCRtpSendParameters, q: SendQuality | null): boolean {
  const enc = params.encodings[0];
  if (!enc) return false;
  const want: Partial<SendQuality> = q ?? {};
  let changed = false;
  for (const key of ['scaleResolutionDownBy', 'maxBitrate', 'maxFramerate'] as const) {
    if (enc[key] !== want[key]) {
      if (want[key] === undefined) delete enc[key];
      else enc[key] = want[key];
      changed = true;
    }
  }
  return changed;
}
