import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a real decoder (Debian's ffmpeg) makes of one VP8 keyframe. */
export interface Vp8Decode {
  /** The keyframe header's picture size (0x0 when the frame is not a VP8 keyframe at all). */
  width: number;
  height: number;
  /** True when ffmpeg decoded a whole picture without reporting an error. */
  decoded: boolean;
  /** Mean brightness (0-255, the mean of R, G and B) of the decoded picture, when one came out. */
  meanLuma: number | null;
  /** The decoded picture shrunk to THUMB_W x THUMB_H, brightness per pixel row by row (empty when none). */
  thumb: number[];
  /** What ffmpeg said (its errors), trimmed. */
  errors: string;
}

/** The size in a VP8 keyframe header (RFC 6386 9.1), or null when `frame` is no keyframe. */
export function vp8KeyframeSize(frame: Buffer): { width: number; height: number } | null {
  if (frame.length < 10 || (frame[0]! & 1) !== 0) return null;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return null;
  return { width: frame.readUInt16LE(6) & 0x3fff, height: frame.readUInt16LE(8) & 0x3fff };
}

/** One frame in an IVF file (the container ffmpeg reads raw VP8 from). */
function ivf(frame: Buffer, width: number, height: number): Buffer {
  const head = Buffer.alloc(32);
  head.write('DKIF', 0, 'latin1');
  head.writeUInt16LE(0, 4);
  head.writeUInt16LE(32, 6);
  head.write('VP80', 8, 'latin1');
  head.writeUInt16LE(width, 12);
  head.writeUInt16LE(height, 14);
  head.writeUInt32LE(30, 16);
  head.writeUInt32LE(1, 20);
  head.writeUInt32LE(1, 24);
  const frameHead = Buffer.alloc(12);
  frameHead.writeUInt32LE(frame.length, 0);
  return Buffer.concat([head, frameHead, frame]);
}

export const THUMB_W = 16;
export const THUMB_H = 12;

/** Mean absolute difference (0-255) of two thumbnails of equal size. */
export function thumbDistance(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || a.length !== b.length) return 255;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** Decode one VP8 keyframe with ffmpeg, strict about errors, into a THUMB_W x THUMB_H picture. */
export function decodeVp8Keyframe(frame: Buffer): Vp8Decode {
  const size = vp8KeyframeSize(frame);
  if (!size || size.width === 0 || size.height === 0) {
    return { width: 0, height: 0, decoded: false, meanLuma: null, thumb: [], errors: 'not a VP8 keyframe' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'parley-vp8-'));
  try {
    const file = join(dir, 'frame.ivf');
    writeFileSync(file, ivf(frame, size.width, size.height));
    const run = spawnSync(
      'ffmpeg',
      [
        ...['-v', 'error', '-err_detect', 'explode', '-i', file, '-frames:v', '1'],
        ...['-vf', `scale=${THUMB_W}:${THUMB_H}:flags=area`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const errors = String(run.stderr ?? '').trim();
    const out = run.stdout ?? Buffer.alloc(0);
    const whole = out.length === THUMB_W * THUMB_H * 3;
    const thumb: number[] = [];
    if (whole) for (let i = 0; i < out.length; i += 3) thumb.push((out[i]! + out[i + 1]! + out[i + 2]!) / 3);
    const meanLuma = thumb.length > 0 ? thumb.reduce((a, b) => a + b, 0) / thumb.length : null;
    return { ...size, decoded: run.status === 0 && whole && errors === '', meanLuma, thumb, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
