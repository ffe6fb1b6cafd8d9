import { errorMessages } from '@parley/protocol';
import type { Namespace } from 'socket.io';
import type { Logger } from '../logger';
import type { MessageLimiter } from './RateLimiter';

/**
 * Apply a per-connection message limit on a namespace whose handlers are plain `socket.on`
 * listeners (the seed protocol): over the limit, events are dropped with a `protocol-error` (or
 * a refusal on the acknowledgement when the client asked for one), and a connection that keeps
 * flooding is closed. `onLimited` hears of each message over the limit (for /metrics).
 */
export function limitNamespaceMessages(
  nsp: Namespace,
  makeLimiter: () => MessageLimiter,
  log: Logger,
  onLimited?: (action: 'refused' | 'refused-quietly' | 'disconnected') => void,
): void {
  nsp.on('connection', (socket) => {
    const limiter = makeLimiter();
    socket.use((packet, next) => {
      const verdict = limiter.check();
      if (verdict === 'pass') return next();
      onLimited?.(verdict === 'disconnect' ? 'disconnected' : verdict === 'refuse' ? 'refused' : 'refused-quietly');
      const event = String(packet[0]).slice(0, 64);
      const last: unknown = packet[packet.length - 1];
      const ack = typeof last === 'function' ? (last as (reply: unknown) => void) : undefined;
      const refusal = { error: 'rate-limited', message: errorMessages['rate-limited'] };
      if (verdict === 'disconnect') {
        log.warn({ namespace: nsp.name }, 'disconnected: over the message rate limit');
        socket.disconnect(true);
      } else if (ack) ack({ ok: false, ...refusal });
      else if (verdict === 'refuse') socket.emit('protocol-error', { ...refusal, event });
    });
  });
}
