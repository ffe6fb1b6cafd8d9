import { SignalingClient } from './SignalingClient';

/**
 * One signaling connection opened ahead of time (while the person is still on the home page),
 * handed to the next call that asks for it, so that Join does not wait for the WebSocket and
 * Socket.IO handshakes. A failed or unused early connection costs nothing: the call then
 * opens its own.
 */
let early: { url: string | undefined; client: SignalingClient } | null = null;

/** Open the signaling connection now (idempotent); `url` defaults to the page's origin. */
export function preconnectSignaling(url?: string): void {
  if (early) return;
  const client = new SignalingClient(url);
  early = { url, client };
  client.connect().catch(() => {
    if (early?.client === client) early = null;
    client.close();
  });
}

/**
 * The early connection for `url` without taking it (opened now if there is none), for asking
 * the server something before the call starts; null if it could not be opened.
 */
export function earlySignalingClient(url?: string): SignalingClient | null {
  preconnectSignaling(url);
  return early && early.url === url ? early.client : null;
}

/** The early connection when there is one for `url`, else a new (not yet connected) client. */
export function takeSignalingClient(url?: string): SignalingClient {
  const found = early;
  if (found && found.url === url) {
    early = null;
    return found.client;
  }
  return new SignalingClient(url);
}
