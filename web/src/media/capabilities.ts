/**
 * What this browser can do in a call, detected from the APIs it exposes, never assumed from
 * its name. Code that offers a feature checks here first and, where it is missing, tells the
 * person in a sentence instead of failing.
 */
export interface BrowserCapabilities {
  /** Choosing the speaker for remote sound (`HTMLMediaElement.setSinkId`). */
  speakerSelection: boolean;
  /** Sharing a screen or window (`navigator.mediaDevices.getDisplayMedia`). */
  screenShare: boolean;
  /** Per-frame callbacks on video elements (`requestVideoFrameCallback`), for frame timing. */
  videoFrameCallback: boolean;
  /** Video codecs this browser can receive, without the `video/` prefix (e.g. VP8, VP9, AV1, H264). */
  videoCodecs: string[];
}

/** The parts of `globalThis` detection looks at (a parameter so that tests can pass their own). */
export interface CapabilityEnv {
  navigator?: { mediaDevices?: object };
  HTMLMediaElement?: { prototype: object };
  HTMLVideoElement?: { prototype: object };
  RTCRtpReceiver?: { getCapabilities?: (kind: string) => { codecs: Array<{ mimeType: string }> } | null };
}

/** Codec entries that are not codecs of their own (retransmission, error correction, comfort noise). */
const NOT_A_CODEC = new Set(['RTX', 'RED', 'ULPFEC', 'FLEXFEC-03', 'CN', 'TELEPHONE-EVENT']);

export function detectCapabilities(env: CapabilityEnv = globalThis as CapabilityEnv): BrowserCapabilities {
  const devices = env.navigator?.mediaDevices;
  let codecs: Array<{ mimeType: string }> = [];
  try {
    codecs = env.RTCRtpReceiver?.getCapabilities?.('video')?.codecs ?? [];
  } catch {
    codecs = [];
  }
  const videoCodecs = [
    ...new Set(
      codecs
        .map((c) => c.mimeType.replace(/^video\//i, ''))
        .filter((name) => name !== '' && !NOT_A_CODEC.has(name.toUpperCase())),
    ),
  ];
  return {
    speakerSelection: typeof (env.HTMLMediaElement?.prototype as { setSinkId?: unknown })?.setSinkId === 'function',
    screenShare: typeof (devices as { getDisplayMedia?: unknown } | undefined)?.getDisplayMedia === 'function',
    videoFrameCallback:
      typeof (env.HTMLVideoElement?.prototype as { requestVideoFrameCallback?: unknown })?.requestVideoFrameCallback ===
      'function',
    videoCodecs,
  };
}
