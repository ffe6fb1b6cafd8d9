/** Turning raw `getStats()` reports of one participant's media into figures and a quality grade. */
import { readStats } from '../media/transport/stats';

export type Quality = 'good' | 'fair' | 'poor' | 'unknown';
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

export interface LinkFigures {
  /** Round-trip time of the selected candidate pair, in ms. */
  rttMs: number | null;
  /** Share of inbound packets lost since the previous sample, 0..100. */
  lossPercent: number | null;
  /** Frames per second decoded from this participant. */
  fps: number | null;
  /** Inbound and outbound bitrate (all media), in kbit/s. */
  inKbps: number | null;
  outKbps: number | null;
  /** Inbound video codec (e.g. "VP8") and resolution (e.g. "640x480"). */
  videoCodec: string | null;
  audioCodec: string | null;
  resolution: string | null;
  localCandidate: CandidateType | null;
  remoteCandidate: CandidateType | null;
  protocol: string | null;
}

/** One sample: the figures plus the counters needed to compute rates from the next sample. */
export interface LinkSample {
  at: number;
  bytesIn: number;
  bytesOut: number;
  packetsReceived: number;
  packetsLost: number;
  figures: LinkFigures;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const candidateTypes = new Set(['host', 'srflx', 'prflx', 'relay']);
const candidateType = (v: unknown): CandidateType | null =>
  typeof v === 'string' && candidateTypes.has(v) ? (v as CandidateType) : null;
/** `video/VP8` -> `VP8`. */
const codecName = (mime: string): string | null => (mime ? (mime.split('/')[1] ?? mime) : null);

/** Read one getStats() report (through the one reader, readStats); `prev` (the previous sample) gives the rates. */
export function sampleLink(stats: readonly RTCStats[], at: number, prev: LinkSample | null): LinkSample {
  const r = readStats(stats);
  const bytesIn = r.audioIn.bytesReceived + r.videoIn.bytesReceived;
  const bytesOut = r.bytesSent;
  const packetsReceived = r.audioIn.packetsReceived + r.videoIn.packetsReceived;
  const packetsLost = r.audioIn.packetsLost + r.videoIn.packetsLost;
  const { width: w, height: h } = r.videoIn;
  const local = r.pair?.local ?? null;
  const rttSeconds = r.pair?.rttSeconds ?? null;
  const fps = r.videoIn.framesPerSecond;
  const videoCodec = codecName(r.videoIn.codec);
  const audioCodec = codecName(r.audioIn.codec);
  const resolution = w && h ? `${w}x${h}` : null;

  const dt = prev ? (at - prev.at) / 1000 : 0;
  const rate = (now: number, before: number | undefined): number | null =>
    prev && dt > 0 && before !== undefined ? Math.max(0, ((now - before) * 8) / 1000 / dt) : null;
  const newReceived = prev ? packetsReceived - prev.packetsReceived : 0;
  const newLost = prev ? packetsLost - prev.packetsLost : 0;
  const lossPercent = prev && newReceived + newLost > 0 ? (100 * Math.max(0, newLost)) / (newReceived + newLost) : null;

  return {
    at,
    bytesIn,
    bytesOut,
    packetsReceived,
    packetsLost,
    figures: {
      rttMs: rttSeconds === null ? null : Math.round(rttSeconds * 1000),
      lossPercent,
      fps,
      inKbps: rate(bytesIn, prev?.bytesIn),
      outKbps: rate(bytesOut, prev?.bytesOut),
      videoCodec,
      audioCodec,
      resolution,
      localCandidate: candidateType(local?.type),
      remoteCandidate: candidateType(r.pair?.remote?.type),
      protocol: str(local?.protocol),
    },
  };
}

/**
 * Grade a link the way people feel it: poor when audio breaks up or lags (loss >= 8 %, RTT >= 500
 * ms) or video crawls (< 8 fps); fair from 2 % loss, 250 ms RTT or < 15 fps; else good.
 */
export function gradeLink(f: LinkFigures, expectVideo: boolean): Quality {
  if (f.rttMs === null && f.lossPercent === null) return 'unknown';
  const loss = f.lossPercent ?? 0;
  const rtt = f.rttMs ?? 0;
  const fps = expectVideo ? f.fps : null;
  if (loss >= 8 || rtt >= 500 || (fps !== null && fps < 8)) return 'poor';
  if (loss >= 2 || rtt >= 250 || (fps !== null && fps < 15)) return 'fair';
  return 'good';
}
