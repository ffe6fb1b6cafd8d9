import type { Namespace, Socket } from 'socket.io';
import type { Logger } from '../logger';
import { requestOrigin } from '../proxy';
import { originAllowed } from './allowedOrigin';

/** Distinct refused origins logged one by one; after that, one line says more were refused. */
const WARNED_ORIGINS_MAX = 100;

export interface OriginGateOptions {
  /** Allowed origins: empty = the page's own origin, `*` = any. */
  allowed: readonly string[];
  /** The option that sets `allowed` (named in the refusal and the log). */
  option: string;
  trustProxy: boolean;
  log: Logger;
  /** Called once per refused connection (for /metrics). */
  onRefused?: () => void;
}

/**
 * The browser-origin check of one namespace, as a namespace middleware: a refused page gets a
 * `connect_error` whose message names the origin and the option to change (its `data` is
 * `{ error: 'origin-not-allowed', origin, option }`), and the server log gets one warning per
 * refused origin, not one per attempt.
 */
export function guardOrigin(nsp: Namespace, opts: OriginGateOptions): void {
  const warned = new Set<string>();
  let overflowed = false;
  nsp.use((socket: Socket, next) => {
    const origin = socket.handshake.headers.origin;
    const host = requestOrigin(socket.request, opts.trustProxy).host;
    if (originAllowed(origin, host, opts.allowed)) return next();
    const shown = String(origin).slice(0, 200);
    opts.onRefused?.();
    if (warned.size < WARNED_ORIGINS_MAX) {
      if (!warned.has(shown)) {
        warned.add(shown);
        opts.log.warn(
          { namespace: nsp.name, origin: shown, option: opts.option },
          `refused signaling connections from origin ${shown} on ${nsp.name}; to allow it, add it to ${opts.option}`,
        );
      }
    } else if (!overflowed) {
      overflowed = true;
      opts.log.warn(
        { namespace: nsp.name, option: opts.option },
        `more than ${WARNED_ORIGINS_MAX} origins refused on ${nsp.name}; further ones are not logged (see ${opts.option})`,
      );
    }
    const err = new Error(
      `origin ${shown} may not open ${nsp.name} on this server; its operator can allow it with ${opts.option}`,
    ) as Error & { data?: unknown };
    err.data = { error: 'origin-not-allowed', origin: shown, option: opts.option };
    next(err);
  });
}
