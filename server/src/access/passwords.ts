import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { WorkGate } from '../limits/WorkGate';

/**
 * Room passwords are kept only as salted scrypt hashes: `scrypt$N$r$p$<salt>$<hash>` (base64url).
 * Hashing runs on libuv's thread pool, so it never blocks the event loop; a `WorkGate` bounds how
 * many hashes run and wait at once, so password checks never take the whole pool (static files
 * are read on it too).
 */
const PARAMS = { N: 16_384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Hashes and checks room passwords through a bounded gate (throws GateFullError when full). */
export class PasswordHasher {
  constructor(readonly gate: WorkGate = new WorkGate(1, 8)) {}

  /** A salted hash of `password`, safe to keep in memory or logs-free storage. */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await this.gate.run(() => derive(password, salt, PARAMS));
    return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  /** True when `password` matches `stored` (constant-time comparison). A malformed hash never matches. */
  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !n || !r || !p || salt === undefined || hash === undefined) return false;
    const expected = Buffer.from(hash, 'base64url');
    if (expected.length !== KEY_BYTES) return false;
    const params = { N: Number(n), r: Number(r), p: Number(p) };
    const key = await this.gate.run(() => derive(password, Buffer.from(salt, 'base64url'), params));
    return timingSafeEqual(key, expected);
  }
}

const shared = new PasswordHasher();

/** A salted hash of `password` (through a process-wide gate). */
export function hashPassword(password: string): Promise<string> {
  return shared.hash(password);
}

/** True when `password` matches `stored` (through a process-wide gate). */
export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return shared.verify(password, stored);
}
