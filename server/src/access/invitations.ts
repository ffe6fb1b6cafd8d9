import { invitationClaimsSchema, type ErrorId, type InvitationClaims, type Role } from '@parley/protocol';
import { signJwt, verifyJwt } from './jwt';

/** Tolerated clock difference between the minting machine and this server, in seconds. */
export const CLOCK_SKEW_S = 30;

export type InvitationCheck = { ok: true; claims: InvitationClaims } | { ok: false; error: ErrorId };

/** Verify an invitation token for `room` at `nowMs`. */
export function checkInvitation(token: string, secret: string, room: string, nowMs = Date.now()): InvitationCheck {
  const jwt = verifyJwt(token, secret);
  if (!jwt.ok) return { ok: false, error: 'token-invalid' };
  const claims = invitationClaimsSchema.safeParse(jwt.claims);
  if (!claims.success) return { ok: false, error: 'token-invalid' };
  const now = Math.floor(nowMs / 1000);
  if (claims.data.exp + CLOCK_SKEW_S <= now) return { ok: false, error: 'token-expired' };
  if (typeof jwt.claims.nbf === 'number' && jwt.claims.nbf - CLOCK_SKEW_S > now)
    return { ok: false, error: 'token-invalid' };
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
