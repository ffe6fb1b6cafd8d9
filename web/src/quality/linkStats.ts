/** Turning raw `getStats()` reports of one peer connection into figures and a quality grade. */

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

type Stat = RTCStats & Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const candidateTypes = new Set(['host', 'srflx', 'prflx', 'relay']);
const candidateType = (v: unknown): CandidateType | null =>
  typeof v === 'string' && candidateTypes.has(v) ? (v as CandidateType) : null;

/** Read one getStats() report; `prev` (the previous sample) gives the rates. */
export function sampleLink(stats: readonly RTCStats[], at: number, prev: LinkSample | null): LinkSample {
  const byId = new Map<string, Stat>();
  for (const s of stats) byId.set(s.id, s as Stat);
  const all = [...byId.values()];

  let bytesIn = 0;
  let bytesOut = 0;
  let packetsReceived = 0;
  let packetsLost = 0;
  let fps: number | null = null;
  let videoCodec: string | null = null;
  let audioCodec: string | null = null;
  let resolution: string | null = null;
  const codecName = (s: Stat): string | null => {
    const codec = byId.get(String(s.codecId ?? ''));
    const mime = str(codec?.mimeType);
    return mime ? (mime.split('/')[1] ?? mime) : null;
  };
  for (const s of all) {
    if (s.type === 'inbound-rtp') {
      bytesIn += num(s.bytesReceived) ?? 0;
      packetsReceived += num(s.packetsReceived) ?? 0;
      packetsLost += Math.max(0, num(s.packetsLost) ?? 0);
      if (s.kind === 'video') {
        fps = num(s.framesPerSecond) ?? fps;
        videoCodec = codecName(s) ?? videoCodec;
        const w = num(s.frameWidth);
        const h = num(s.frameHeight);
        if (w && h) resolution = `${w}x${h}`;
      } else if (s.kind === 'audio') {
        audioCodec = codecName(s) ?? audioCodec;
      }
    } else if (s.type === 'outbound-rtp') {
      bytesOut += num(s.bytesSent) ?? 0;
    }
  }

  // The selected pair: from the transport when given, else the nominated succeeded pair.
  const transport = all.find((s) => s.type === 'transport');
  let pair = transport ? byId.get(String(transport.selectedCandidatePairId ?? '')) : undefined;
  pair ??= all.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  const local = pair ? byId.get(String(pair.localCandidateId ?? '')) : undefined;
  const remote = pair ? byId.get(String(pair.remoteCandidateId ?? '')) : undefined;
  const rttSeconds = num(pair?.currentRoundTripTime);

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
      localCandidate: candidateType(local?.candidateType),
      remoteCandidate: candidateType(remote?.candidateType),
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
