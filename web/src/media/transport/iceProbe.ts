/** Probing STUN and TURN servers from the browser: gather candidates and see what comes back. */

/** How long one probe waits for candidates before giving up. */
export const PROBE_TIMEOUT_MS = 6_000;

export type IceTransport = 'udp' | 'tcp' | 'tls';

export interface ProbeResult {
  /** Candidate types gathered (host, srflx, relay). */
  types: string[];
  /** ICE candidate errors reported by the browser (e.g. 401 refused credentials, 701 unreachable). */
  errors: Array<{ url: string; code: number; text: string }>;
  timedOut: boolean;
}

/** The transport a STUN/TURN URL uses: `?transport=tcp`, `turns:` (TLS) or UDP. */
export function transportOf(url: string): IceTransport {
  if (/^turns:/i.test(url) || /^stuns:/i.test(url)) return 'tls';
  return /[?&]transport=tcp\b/i.test(url) ? 'tcp' : 'udp';
}

/**
 * Gather ICE candidates against `servers` (with `relay` only relay candidates are gathered)
 * and report what was found. The connection is closed afterwards.
 */
export async function probeIce(
  servers: RTCIceServer[],
  policy: RTCIceTransportPolicy,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: policy });
  const types = new Set<string>();
  const errors: ProbeResult['errors'] = [];
  let timedOut = false;
  try {
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timedOut = true;
        resolve();
      }, timeoutMs);
      pc.onicecandidate = ({ candidate }) => {
        if (!candidate) {
          clearTimeout(timer);
          resolve();
          return;
        }
        if (candidate.type) types.add(candidate.type);
      };
      pc.onicecandidateerror = (e) => {
        const ev = e as RTCPeerConnectionIceErrorEvent;
        errors.push({ url: ev.url, code: ev.errorCode, text: ev.errorText });
      };
    });
    pc.createDataChannel('probe');
    await pc.setLocalDescription(await pc.createOffer());
    await done;
  } finally {
    pc.close();
  }
  return { types: [...types], errors, timedOut };
}
