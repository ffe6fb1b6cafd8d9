/**
 * The reference for the seed protocol: the original Flask-SocketIO server's two handlers in the
 * smallest Socket.IO relay, default options and no validation. `join {username, room}` puts the
 * socket in the room and tells the others `ready {username}`; `data {room, data}` goes to the
 * others in the room as `data`. Run as its own process; prints its port like Parley's server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { cors: { origin: true } });

io.on('connection', (socket) => {
  socket.on('join', (msg: { username: string; room: string }) => {
    void socket.join(msg.room);
    socket.to(msg.room).emit('ready', { username: msg.username });
  });
  socket.on('data', (msg: { room: string; data: unknown }) => {
    socket.to(msg.room).emit('data', msg.data);
  });
});

http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  process.stderr.write(`bare seed relay: open http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => io.close(() => process.exit(0)));
