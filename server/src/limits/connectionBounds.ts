import type { ErrorId } from '@parley/protocol';
import type { Socket } from 'socket.io';

/**
 * Inbound events one connection may have waiting or running on its queue (joins and host actions
 * may await a password hash). The next one is refused with `queue-full` until replies come back:
 * a client that sends without waiting cannot make the server hold its work without bound.
 */
export const CONNECTION_QUEUE_MAX = 16;

/** Packets queued toward one client (beside SEND_BUFFER_MAX_BYTES) before it counts as not reading. */
export const SEND_BUFFER_MAX_PACKETS = 1_024;

interface EngineInternals {
  writeBuffer?: Array<{ data?: unknown }>;
  transport?: { socket?: { bufferedAmount?: number; terminate?: () => void } };
  close?: (discard?: boolean) => void;
}

/**
 * What the server holds toward one client and has not yet handed to the kernel: packets waiting
 * in Engine.IO's write buffer (the transport is still busy with earlier ones, or a polling client
 * has not polled) plus the bytes buffered in the WebSocket. A client that stops reading makes both
 * grow; everything else sees them near zero.
 */
export function sendBacklog(socket: Socket): { bytes: number; packets: number } {
  const conn = socket.conn as unknown as EngineInternals;
  const queued = conn.writeBuffer ?? [];
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  const packets = queued.length;
  if (packets > SEND_BUFFER_MAX_PACKETS) return { bytes, packets };
  for (const p of queued) {
    const d = p.data;
    if (typeof d === 'string') bytes += d.length;
    else if (d instanceof Uint8Array) bytes += d.byteLength;
  }
  return { bytes, packets };
}

/**
 * Close a client's transport now, dropping what is buffered toward it (no closing handshake): the
 * client sees a transport close and reconnects. The transport goes first: a namespace DISCONNECT
 * written before it would reach a client that reads (an idle one), which takes it as "io server
 * disconnect" and does not reconnect.
 */
export function dropTransport(socket: Socket): void {
  const conn = socket.conn as unknown as EngineInternals;
  const ws = conn.transport?.socket;
  if (ws?.terminate) ws.terminate();
  else conn.close?.(true);
  socket.disconnect(true);
}

/**
 * How much refused work an error counts for, toward the client's and its address's strikes
 * (see ClientLimits). Refusals a well-behaved client meets in normal use count nothing; a failed
 * password counts most.
 */
export function strikeWeight(error: ErrorId): number {
  switch (error) {
    case 'wrong-password':
      return 5;
    case 'in-lobby':
    case 'password-required':
    case 'room-full':
    case 'shutting-down':
    case 'server-busy':
    case 'not-joined':
    case 'already-joined':
    case 'unknown-participant':
    case 'e2ee-required':
    case 'e2ee-off':
      return 0;
    default:
      return 1;
  }
}
