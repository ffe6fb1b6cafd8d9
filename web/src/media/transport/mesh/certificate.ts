/**
 * One DTLS certificate for every peer connection of the page, generated once and ahead of
 * time. A peer connection created without one generates its own key first, and its offer or
 * answer waits for that; with this one the key is ready before anybody joins.
 */
let pending: Promise<RTCCertificate | null> | null = null;

/** Renew the certificate when it has less than this left (browsers default to 30 days). */
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;

export function linkCertificate(): Promise<RTCCertificate | null> {
  if (typeof RTCPeerConnection === 'undefined' || typeof RTCPeerConnection.generateCertificate !== 'function') {
    return Promise.resolve(null);
  }
  const current = pending;
  if (current) {
    return current.then((cert) => {
      if (!cert || cert.expires - Date.now() > RENEW_BEFORE_MS) return cert;
      if (pending === current) pending = null;
      return linkCertificate();
    });
  }
  const made = RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' } as EcKeyGenParams).then(
    (cert) => cert,
    // Without one, each connection makes its own as before.
    () => null,
  );
  pending = made;
  return made;
}
