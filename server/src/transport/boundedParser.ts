/**
 * Socket.IO's parser with bounds on what a client may send, checked BEFORE a packet is parsed
 * or reconstructed: socket.io-parser's JSON.parse, its binary reconstruction and every later
 * walk of the value (validation, `hasBinary` when relaying, re-encoding) recurse once per
 * level, so a frame nested 100,000 levels deep would overflow the stack. A packet over a bound
 * throws a PayloadRefused from `add`; Socket.IO's Client catches decoder errors, emits `error`
 * on the connection's sockets and closes the connection.
 *
 * Frame size is bounded before this by Engine.IO (`maxHttpBufferSize`).
 */
import { FRAME_MAX_BYTES } from '@parley/protocol';
import { createRequire } from 'node:module';
import type * as SocketIoParser from 'socket.io-parser';

/*
 * The parser's CommonJS build, the one Socket.IO itself loads. An ES import would resolve (its
 * `exports` under `node`) to the `esm-debug` build, which calls `debug()` on every packet
 * encoded and decoded: measurable on the relay's hot path.
 */
const {
  Decoder: SocketIoDecoder,
  Encoder,
  PacketType,
  protocol,
} = createRequire(import.meta.url)('socket.io-parser') as typeof SocketIoParser;
import { jsonShapeProblem, type ShapeLimits } from './jsonShape';

/** Deepest nesting of arrays/objects in an inbound packet (the event array counts as one level). */
export const PAYLOAD_DEPTH_MAX = 32;
/** Most values in all arrays/objects of an inbound packet together. */
export const PAYLOAD_ITEMS_MAX = 4_096;
/** Most binary attachments in one inbound packet (Parley's protocols carry none). */
export const ATTACHMENTS_MAX = 2;
/** Most bytes in all the binary attachments of one inbound packet together. */
export const ATTACHMENT_BYTES_MAX = FRAME_MAX_BYTES;

const SHAPE: ShapeLimits = { depth: PAYLOAD_DEPTH_MAX, items: PAYLOAD_ITEMS_MAX };

/** A packet refused by the bounds; the connection that sent it is closed. */
export class PayloadRefused extends Error {
  constructor(reason: string) {
    super(`frame refused: ${reason}`);
    this.name = 'PayloadRefused';
  }
}

function byteLength(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  // Base64 attachments of old clients ({ base64: true, data }): count the text.
  const text = (data as { data?: unknown } | null)?.data;
  return typeof text === 'string' ? text.length : 0;
}

class Decoder extends SocketIoDecoder {
  /** Bytes of binary attachments received for the packet being reconstructed. */
  #attachmentBytes = 0;

  constructor() {
    super({ maxAttachments: ATTACHMENTS_MAX });
  }

  override add(obj: unknown): void {
    if (typeof obj === 'string') {
      // The JSON part follows a short header (type, attachments, namespace, ack id); scanning
      // the header too costs nothing and a namespace name holds no brackets.
      const problem = jsonShapeProblem(obj, SHAPE);
      if (problem !== null) {
        this.destroy();
        throw new PayloadRefused(problem);
      }
      this.#attachmentBytes = 0;
    } else {
      this.#attachmentBytes += byteLength(obj);
      if (this.#attachmentBytes > ATTACHMENT_BYTES_MAX) {
        this.destroy();
        throw new PayloadRefused(`binary attachments over ${ATTACHMENT_BYTES_MAX} bytes`);
      }
    }
    try {
      super.add(obj);
    } catch (err) {
      // socket.io-parser's own refusals (bad attachment count, bad placeholder, garbage).
      this.destroy();
      throw err instanceof Error && err.message === 'too many attachments'
        ? new PayloadRefused(`more than ${ATTACHMENTS_MAX} binary attachments`)
        : err;
    }
  }
}

/** The parser to give `new Server(http, { parser: boundedParser })`. */
export const boundedParser = { protocol, PacketType, Encoder, Decoder };
