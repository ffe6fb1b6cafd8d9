import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Name of the cookie that tells one browser from another (for bans); it holds no personal data. */
export const CLIENT_COOKIE = 'parley_client';
const MAX_AGE_S = 365 * 24 * 3600;

/**
 * A random, server-signed browser id in an HttpOnly, SameSite=Strict cookie. A host's removal
 * bans this id, so a removed person cannot come back by reloading the page. The signing key
 * lives in memory only: after a restart, browsers simply get new ids.
 */
export class ClientCookie {
  readonly #key = randomBytes(32);

  #sign(id: string): string {
    return createHmac('sha256', this.#key).update(id).digest('base64url').slice(0, 22);
  }

  /** The verified id in the request's cookie, or null. */
  read(req: IncomingMessage): string | null {
    const header = req.headers.cookie;
    if (!header) return null;
    for (const part of header.split(';')) {
      const [name, value] = part.trim().split('=', 2);
      if (name !== CLIENT_COOKIE || !value) continue;
      const [id, sig] = value.split('.', 2);
      if (!id || !sig || id.length > 64) return null;
      const want = Buffer.from(this.#sign(id));
      const got = Buffer.from(sig);
      return want.length === got.length && timingSafeEqual(want, got) ? id : null;
    }
    return null;
  }

  /** Give the browser an id when it has none (call on page loads). */
  ensure(req: IncomingMessage, res: ServerResponse): void {
    if (this.read(req) !== null) return;
    const id = randomBytes(12).toString('base64url');
    const secure = (req.socket as { encrypted?: boolean }).encrypted ? '; Secure' : '';
    res.setHeader(
      'set-cookie',
      `${CLIENT_COOKIE}=${id}.${this.#sign(id)}; Path=/; Max-Age=${MAX_AGE_S}; HttpOnly; SameSite=Strict${secure}`,
    );
  }
}
