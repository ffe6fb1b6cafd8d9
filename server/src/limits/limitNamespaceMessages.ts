import { errorMessages } from '@parley/protocol';
import type { Namespace } from 'socket.io';
import type { Logger } from '../logger';
import type { MessageLimiter } from './RateLimiter';

/**
 * Apply a per-connection message limit on a namespace whose handlers are plain `socket.on`
 * listeners (the seed protocol): over the limit, events are dropped with a `protocol-error`,
 * and a connection that keeps flooding is closed.
 */
export function limitNamespaceMessages(nsp: Namespace, makeLimiter: () => MessageLimiter, log: Logger): void {
  nsp.on('connection', (socket) => {
    const limiter = makeLimiter();
    socket.use(([event], next) => {
      const verdict = limiter.check();
      if (verdict === 'pass') return next();
      if (verdict === 'disconnect') {
        log.warn({ namespace: nsp.name }, 'disconnected: over the message rate limit');
        socket.disconnect(true);
      } else if (verdict === 'refuse') {
        socket.emit('protocol-error', {
          error: 'rate-limited',
          message: errorMessages['rate-limited'],
          event: String(event).slice(0, 64),
        });
      }
    });
  });
}
