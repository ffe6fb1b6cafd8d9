import { createHmac } from 'node:crypto';

/** A time-limited TURN credential of the TURN REST API (coturn `use-auth-secret`). */
export interface TurnCredential {
  /** `<unix expiry in seconds>:<user>`. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  credential: string;
  /** Unix time (seconds) after which the TURN server refuses it. */
  expiresAt: number;
}

/** The password coturn expects for `username` under `secret`. */
export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/**
 * Mint a credential for `user` valid for `ttlSeconds` from `nowMs`. coturn checks the
 * password with the same HMAC and refuses the username once its expiry has passed.
 */
export function mintTurnCredential(
  secret: string,
  user: string,
  ttlSeconds: number,
  nowMs = Date.now(),
): TurnCredential {
  if (secret === '') throw new TypeError('mintTurnCredential: secret must not be empty');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new TypeError(`mintTurnCredential: ttlSeconds must be a positive integer, got ${ttlSeconds}`);
  }
  if (user.includes(':')) throw new TypeError('mintTurnCredential: user must not contain ":"');
  const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiresAt}:${user}`;
  return { username, credential: turnPassword(secret, username), expiresAt };
}

/**
 * Check a credential the way a TURN server does: the password matches the HMAC and the
 * expiry in the username is still in the future.
 */
export function verifyTurnCredential(
  secret: string,
  username: string,
  credential: string,
  nowMs = Date.now(),
): 'ok' | 'bad-password' | 'expired' | 'malformed' {
  const m = /^(\d+):/.exec(username);
  if (!m) return 'malformed';
  if (turnPassword(secret, username) !== credential) return 'bad-password';
  return Number(m[1]) * 1000 > nowMs ? 'ok' : 'expired';
}
