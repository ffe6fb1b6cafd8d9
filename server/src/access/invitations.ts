import { invitationClaimsSchema, type ErrorId, type InvitationClaims, type Role } from '@parley/protocol';
import { signJwt, verifyJwt } from './jwt';

/** Tolerated clock difference between the minting machine and this server, in seconds. */
export const CLOCK_SKEW_S = 30;

/** Longest lifetime of an invitation by default (INVITE_MAX_TTL): 30 days, in seconds. */
export const INVITE_MAX_TTL_DEFAULT = 30 * 86_400;

export type InvitationCheck = { ok: true; claims: InvitationClaims } | { ok: false; error: ErrorId; message?: string };

/** "30 days", "12 hours", "90 minutes", "45 seconds": the largest whole unit. */
export function describeSeconds(s: number): string {
  for (const [unit, size] of [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ] as const) {
    if (s >= size && s % size === 0) return `${s / size} ${unit}${s / size === 1 ? '' : 's'}`;
  }
  return `${s} second${s === 1 ? '' : 's'}`;
}

/**
 * Verify an invitation token for `room` at `nowMs`. A token meant to live longer than
 * `maxTtlSeconds` (from `iat` to `exp`, or from now to `exp`) is refused as invalid, whoever
 * signed it: a leaked long-lived link must not open the server for years.
 */
export function checkInvitation(
  token: string,
  secret: string,
  room: string,
  nowMs = Date.now(),
  maxTtlSeconds = INVITE_MAX_TTL_DEFAULT,
): InvitationCheck {
  const jwt = verifyJwt(token, secret);
  if (!jwt.ok) return { ok: false, error: 'token-invalid' };
  const claims = invitationClaimsSchema.safeParse(jwt.claims);
  if (!claims.success) return { ok: false, error: 'token-invalid' };
  const { exp, iat } = claims.data;
  const now = Math.floor(nowMs / 1000);
  if (exp + CLOCK_SKEW_S <= now) return { ok: false, error: 'token-expired' };
  if (typeof jwt.claims.nbf === 'number' && jwt.claims.nbf - CLOCK_SKEW_S > now)
    return { ok: false, error: 'token-invalid' };
  if ((iat !== undefined && exp - iat > maxTtlSeconds) || exp - now > maxTtlSeconds + CLOCK_SKEW_S) {
    return {
      ok: false,
      error: 'token-invalid',
      message: `This invitation link lasts longer than this server allows (at most ${describeSeconds(maxTtlSeconds)}).`,
    };
  }
  if (claims.data.room !== room) return { ok: false, error: 'token-wrong-room' };
  return { ok: true, claims: claims.data };
}

export interface InvitationRequest {
  room: string;
  /** Lifetime in seconds. */
  ttlSeconds: number;
  name?: string;
  role?: Role;
}

/** Mint an invitation token (HS256 JWT). */
export function mintInvitation(req: InvitationRequest, secret: string, nowMs = Date.now()): string {
  const iat = Math.floor(nowMs / 1000);
  const claims: Record<string, unknown> = { room: req.room, iat, exp: iat + req.ttlSeconds };
  if (req.name !== undefined) claims.name = req.name;
  if (req.role !== undefined) claims.role = req.role;
  return signJwt(claims, secret);
}

/** The link that opens the invitation: the token rides in the fragment, so it never reaches HTTP logs. */
export function invitationLink(baseUrl: string, room: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/r/${encodeURIComponent(room)}#token=${token}`;
}
