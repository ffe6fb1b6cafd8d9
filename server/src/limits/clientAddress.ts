import type { IncomingMessage } from 'node:http';

/**
 * The address a request came from: the socket's peer address, or with `trustProxy` the
 * left-most `X-Forwarded-For` entry (set it only behind a reverse proxy that overwrites it).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  const raw = req.socket.remoteAddress ?? 'unknown';
  return raw.startsWith('::ffff:') ? raw.slice(7) : raw;
}
