/** Loudness of a block of samples, as a 0..1 value for meters and speaking detection. */

/** Quietest level shown, in dBFS; anything below reads as 0. */
export const FLOOR_DB = -60;

/** Root mean square of samples in -1..1. */
export function rms(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i] ?? 0;
    sum += v * v;
  }
  return Math.sqrt(sum / samples.length);
}

/** Map an RMS value to 0..1 on a decibel scale from FLOOR_DB (0) to 0 dBFS (1). */
export function levelFromRms(value: number): number {
  if (value <= 0) return 0;
  const db = 20 * Math.log10(value);
  return Math.min(1, Math.max(0, (db - FLOOR_DB) / -FLOOR_DB));
}
