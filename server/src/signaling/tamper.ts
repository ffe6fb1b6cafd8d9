import type { AnySignalData } from '@parley/protocol';

/*
 * Tests only: what a signaling server in the middle would do to put itself between two
 * browsers, swap the DTLS certificate fingerprint in every session description it relays. The
 * connection then fails its DTLS handshake (the browsers check the certificate against it), and
 * the verification codes the two people compare differ. Mounted with
 * PARLEY_TEST_SWAP_FINGERPRINT=1 only.
 */

/** The fingerprint with every hex digit rotated by one (still well-formed, never the same). */
function rotate(hex: string): string {
  return hex.replace(/[0-9A-Fa-f]/g, (d) => ((parseInt(d, 16) + 1) % 16).toString(16).toUpperCase());
}

export function swapFingerprint(data: AnySignalData): AnySignalData {
  if (data.kind !== 'description') return data;
  const sdp = data.description.sdp?.replace(
    /^(a=fingerprint:sha-256 )([0-9A-Fa-f:]+)/gm,
    (_, head: string, hex: string) => head + rotate(hex),
  );
  return { ...data, description: { ...data.description, sdp } };
}
