// The cost of end-to-end encryption per frame: AES-128-GCM sealing and opening of frames of the
// sizes a camera sends at 720p and at 180p (and Opus packets), through the same code the
// browser's worker runs (web/src/e2ee/frameCrypto.ts), on Node's WebCrypto (OpenSSL). A browser
// adds its encoded-transform hop (a worker message per frame) on top.
import { clearPrefixBytes, decryptFrame, deriveSenderKey, encryptFrame, senderTag } from '../web/src/e2ee/frameCrypto';
import { generateRoomKey } from '../web/src/e2ee/roomKey';
import type { Benchmark } from './types';

interface Case {
  stream: string;
  kind: 'audio' | 'video';
  /** Average frame size in bytes, and how often a keyframe of `keyBytes` comes. */
  bytes: number;
  keyBytes: number;
  fps: number;
}

// 720p camera layer at 1.5 Mbit/s, 30 fps; 180p layer at 150 kbit/s, 30 fps (keyframes ~8x);
// Opus at 32 kbit/s in 20 ms packets.
const CASES: Case[] = [
  { stream: '720p video (1.5 Mbit/s, 30 fps)', kind: 'video', bytes: 6_250, keyBytes: 50_000, fps: 30 },
  { stream: '180p video (150 kbit/s, 30 fps)', kind: 'video', bytes: 625, keyBytes: 5_000, fps: 30 },
  { stream: 'Opus audio (32 kbit/s, 50 packets/s)', kind: 'audio', bytes: 80, keyBytes: 80, fps: 50 },
];

const bench: Benchmark = {
  name: 'e2ee',
  description:
    'CPU per frame to encrypt (sender) and decrypt (each receiver) with the E2EE frame format, ' +
    'one keyframe in 60 frames, sequential on one core.',
  async run({ smoke, log }) {
    const frames = smoke ? 60 : 3_000;
    const tag = await senderTag('bench-sender');
    const key = await deriveSenderKey(generateRoomKey(), 0, tag);
    const rows: Array<Array<string | number>> = [];
    const data: unknown[] = [];
    for (const c of CASES) {
      const make = (i: number): Uint8Array => {
        const keyframe = c.kind === 'video' && i % 60 === 0;
        const f = new Uint8Array(keyframe ? c.keyBytes : c.bytes);
        for (let j = 0; j < f.length; j += 97) f[j] = (i + j) & 0xff;
        return f;
      };
      // Warm up (key schedule, JIT).
      for (let i = 0; i < 20; i++) await encryptFrame(key, tag, 0, make(i), 3);
      const input = Array.from({ length: frames }, (_, i) => make(i));
      const sealed: Uint8Array[] = [];
      let cpu = process.cpuUsage();
      let wall = performance.now();
      for (let i = 0; i < frames; i++) {
        const clear = clearPrefixBytes(c.kind, c.kind === 'video' && i % 60 === 0);
        sealed.push(await encryptFrame(key, tag, 0, input[i]!, clear));
      }
      const encCpu = process.cpuUsage(cpu);
      const encWall = performance.now() - wall;
      cpu = process.cpuUsage();
      wall = performance.now();
      for (const s of sealed) await decryptFrame(s, () => key);
      const decCpu = process.cpuUsage(cpu);
      const decWall = performance.now() - wall;
      const us = (u: NodeJS.CpuUsage): number => (u.user + u.system) / frames;
      const enc = us(encCpu);
      const dec = us(decCpu);
      log(`${c.stream}: ${enc.toFixed(1)} µs / ${dec.toFixed(1)} µs per frame`);
      rows.push([
        c.stream,
        frames,
        enc.toFixed(1),
        dec.toFixed(1),
        ((encWall * 1000) / frames).toFixed(1),
        (((enc + dec) * c.fps) / 10_000).toFixed(2),
      ]);
      data.push({ ...c, frames, encryptCpuUs: enc, decryptCpuUs: dec, encryptWallMs: encWall, decryptWallMs: decWall });
    }
    return {
      columns: [
        'stream',
        'frames',
        'encrypt CPU µs/frame',
        'decrypt CPU µs/frame',
        'encrypt wall µs/frame',
        '% of one core (send + one receive)',
      ],
      rows,
      notes: [
        'Frame sizes are averages for the bitrate and frame rate named; every 60th video frame is a keyframe 8x larger.',
        'The percentage is (encrypt + decrypt) x frames per second: one sender and one receiver of that stream.',
      ],
      data,
    };
  },
};

export default bench;
