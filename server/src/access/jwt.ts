import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Compact JWS with HS256 only (RFC 7515/7519), enough for Parley's invitation tokens. The
 * algorithm is fixed by the verifier: a token whose header names anything else (including
 * `none`) is refused.
 */

const HEADER = { alg: 'HS256', typ: 'JWT' } as const;

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function mac(secret: string, data: string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

/** Sign `claims` as an HS256 JWT. */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const data = `${b64(HEADER)}.${b64(claims)}`;
  return `${data}.${mac(secret, data).toString('base64url')}`;
}

export type JwtResult = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function parseJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Check an HS256 JWT's shape, header and signature, and return its claims. Time-based claims
 * are checked by the caller (it knows the clock and which claims it needs).
 */
export function verifyJwt(token: string, secret: string): JwtResult {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return { ok: false, reason: 'malformed' };
  const [h, c, s] = parts as [string, string, string];
  const header = parseJson(h) as { alg?: unknown; crit?: unknown } | undefined;
  if (!header || typeof header !== 'object' || header.alg !== 'HS256') return { ok: false, reason: 'algorithm' };
  if (header.crit !== undefined) return { ok: false, reason: 'unsupported critical header' };
  const given = Buffer.from(s, 'base64url');
  const expected = mac(secret, `${h}.${c}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
  const claims = parseJson(c);
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return { ok: false, reason: 'claims' };
  return { ok: true, claims: claims as Record<string, unknown> };
}
