/**
 * The reference the signaling benchmark compares Parley against: the smallest useful Socket.IO
 * relay, with Socket.IO's default options and no validation, rooms by name and signals
 * addressed by socket id. Run as its own process; prints its port like Parley's server does.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http);

io.on('connection', (socket) => {
  let room: string | null = null;
  socket.on('join', (name: string, ack: (peers: string[]) => void) => {
    room = name;
    const peers = [...(io.sockets.adapter.rooms.get(name) ?? [])];
    void socket.join(name);
    ack(peers);
    socket.to(name).emit('joined', socket.id);
  });
  socket.on('signal', (msg: { to: string; data: unknown }) => {
    socket.to(msg.to).emit('signal', { from: socket.id, data: msg.data });
  });
  socket.on('disconnecting', () => {
    if (room) socket.to(room).emit('left', socket.id);
  });
});

http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  process.stderr.write(`bare relay: open http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => io.close(() => process.exit(0)));
