import { seedDataSchema, seedJoinSchema } from '@parley/protocol';
import type { Namespace } from 'socket.io';
import type { Logger } from '../logger';

/**
 * The seed's protocol on the default namespace, payloads exactly as the original server had
 * them: `join {username, room}` -> `ready {username}` to the others in the room;
 * `data {username, room, data}` -> `data` (the inner object) to the others in the room.
 * Unlike the original, a socket may only relay to rooms it joined, and bad payloads are
 * answered with `protocol-error` instead of crashing a handler.
 */
export function attachSeedSignaling(nsp: Namespace, parent: Logger): void {
  const log = parent.child({ subsystem: 'seed' });
  nsp.on('connection', (socket) => {
    const refuse = (event: string, message: string): void => {
      socket.emit('protocol-error', { error: 'invalid-message', message: `${event}: ${message}`, event });
    };
    socket.on('join', (raw: unknown) => {
      const msg = seedJoinSchema.safeParse(raw);
      if (!msg.success) return refuse('join', msg.error.issues[0]?.message ?? 'invalid');
      void socket.join(msg.data.room);
      socket.to(msg.data.room).emit('ready', { username: msg.data.username });
      log.info({ room: msg.data.room }, 'seed client joined');
    });
    socket.on('data', (raw: unknown) => {
      const msg = seedDataSchema.safeParse(raw);
      if (!msg.success) return refuse('data', msg.error.issues[0]?.message ?? 'invalid');
      if (!socket.rooms.has(msg.data.room)) return refuse('data', 'join the room first');
      socket.to(msg.data.room).emit('data', msg.data.data);
    });
  });
}
