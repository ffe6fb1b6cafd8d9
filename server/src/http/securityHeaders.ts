import type { ServerResponse } from 'node:http';
import { requestOrigin } from '../proxy';

/**
 * Content-Security-Policy of the web app: scripts, styles and fonts from this origin only (no
 * inline script, no eval), signaling over same-origin WebSocket/HTTP, media from MediaStreams
 * and blobs, and never inside a frame. `'wasm-unsafe-eval'` lets the page compile WebAssembly
 * (RNNoise's noise suppression and the background effect's segmentation model, both served
 * from this origin): it allows compiling wasm bytes only, not JavaScript's eval or new Function.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self' blob:",
  "font-src 'self'",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Powerful features this origin may use (itself only); everything else a call does not need is off. */
export const PERMISSIONS_POLICY = [
  'camera=(self)',
  'microphone=(self)',
  'display-capture=(self)',
  'fullscreen=(self)',
  'autoplay=(self)',
  'geolocation=()',
  'payment=()',
  'usb=()',
].join(', ');

/** Headers every HTTP response carries. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'permissions-policy': PERMISSIONS_POLICY,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** One year, as browsers expect for HSTS; sent only when the request came over https. */
const HSTS = 'max-age=31536000';

/**
 * The headers with framing allowed to `frameAncestors` (FRAME_ANCESTORS): CSP's
 * `frame-ancestors` names them and X-Frame-Options goes (it can only say DENY or SAMEORIGIN).
 * With none, the page is never framed. Computed once per server.
 */
export function securityHeaders(frameAncestors: readonly string[]): Readonly<Record<string, string>> {
  if (frameAncestors.length === 0) return SECURITY_HEADERS;
  const rest = Object.fromEntries(Object.entries(SECURITY_HEADERS).filter(([name]) => name !== 'x-frame-options'));
  return {
    ...rest,
    'content-security-policy': CONTENT_SECURITY_POLICY.replace(
      "frame-ancestors 'none'",
      `frame-ancestors ${frameAncestors.join(' ')}`,
    ),
  };
}

/**
 * Set the security headers on `res` (before anything is written). HSTS goes out when the request
 * came over TLS: on this server's own TLS connection, or, with `trustProxy`, when the proxy in
 * front of it says so (`X-Forwarded-Proto: https`, as a TLS-terminating proxy sends).
 */
export function applySecurityHeaders(
  res: ServerResponse,
  trustProxy = false,
  headers: Readonly<Record<string, string>> = SECURITY_HEADERS,
): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (res.req && requestOrigin(res.req, trustProxy).protocol === 'https')
    res.setHeader('strict-transport-security', HSTS);
}
