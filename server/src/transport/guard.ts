import type { Namespace, Socket } from 'socket.io';
import type { Logger } from '../logger';
import { PayloadRefused } from './boundedParser';

/**
 * `fn` made safe to hand to an event emitter: a synchronous throw or a rejected promise is
 * logged instead of reaching the process (Socket.IO calls listeners from `process.nextTick`,
 * where an exception would end the server).
 */
export function guarded<A extends unknown[]>(
  log: Logger,
  what: string,
  fn: (...args: A) => unknown,
): (...args: A) => void {
  return (...args: A) => {
    try {
      const result = fn(...args);
      if (result instanceof Promise)
        result.catch((err: unknown) => log.error({ err, handler: what }, 'handler failed'));
    } catch (err) {
      log.error({ err, handler: what }, 'handler failed');
    }
  };
}

/**
 * Handle the `error` event of every socket on `nsp`: Socket.IO emits it when the connection's
 * packets cannot be decoded (a frame refused by the bounded parser, garbage) just before it
 * closes the connection. The client is told why; the log says who.
 */
export function reportConnectionErrors(
  nsp: Namespace,
  log: Logger,
  addressOf: (socket: Socket) => string,
  onClosed?: (reason: 'payload-bounds' | 'undecodable') => void,
): void {
  nsp.on('connection', (socket) => {
    socket.on(
      'error',
      guarded(log, 'socket error', (err: Error) => {
        const refused = err instanceof PayloadRefused;
        onClosed?.(refused ? 'payload-bounds' : 'undecodable');
        log.warn(
          { namespace: nsp.name, address: addressOf(socket), reason: err.message.slice(0, 200) },
          refused ? 'connection closed: frame over the payload bounds' : 'connection closed: undecodable packet',
        );
        socket.emit('protocol-error', {
          error: 'invalid-message',
          message: refused ? err.message : 'The message was not understood.',
        });
      }),
    );
  });
}
