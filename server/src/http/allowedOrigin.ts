import type { IncomingMessage } from 'node:http';

/**
 * May a signaling connection from this request's `Origin` be accepted? Requests without an
 * Origin (non-browser clients) are accepted. With an empty `allowed` list, only the page's own
 * origin is accepted (the Origin's host equals the Host header); `*` accepts any origin.
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes('*')) return true;
  if (allowed.length > 0) return allowed.includes(origin);
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
