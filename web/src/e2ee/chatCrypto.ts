import { isSealedChat, SEALED_CHAT_PREFIX } from '@parley/protocol';

/*
 * Chat of an end-to-end encrypted room: each text is sealed with AES-256-GCM under a key derived
 * (HKDF-SHA-256) from the room key, the server relays and keeps only the sealed form (see
 * SEALED_CHAT_PREFIX). The additional data binds the room, the sender's participant id, the
 * message id and the private recipient, so the server cannot pass a message off as another
 * person's, another message, or make a private message public. It still sees who sends, when,
 * to whom and the length.
 */

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export interface ChatEnvelope {
  room: string;
  from: string;
  id: string;
  to?: string | undefined;
}

async function chatKey(roomKey: Uint8Array<ArrayBuffer>, epoch: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', roomKey, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: enc.encode('Parley E2EE chat 1'), info: enc.encode(`chat ${epoch}`) },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

function aad(e: ChatEnvelope): Uint8Array<ArrayBuffer> {
  return enc.encode(`Parley chat 1\n${e.room}\n${e.from}\n${e.id}\n${e.to ?? ''}`);
}

function toBase64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The chat keys of one room, per key epoch. */
export class ChatCipher {
  readonly #keys = new Map<number, Promise<CryptoKey>>();
  #epoch: number;

  constructor(roomKey: Uint8Array<ArrayBuffer>, epoch = 0) {
    this.#epoch = epoch;
    this.#keys.set(epoch, chatKey(roomKey, epoch));
  }

  /** The epoch new messages are sealed with. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Open messages of `epoch` with this key (a rotation); older epochs stay readable for the history. */
  add(roomKey: Uint8Array<ArrayBuffer>, epoch: number): void {
    this.#keys.set(epoch, chatKey(roomKey, epoch));
  }

  /** Seal new messages with the key of `epoch` (added before). */
  use(epoch: number): void {
    if (!this.#keys.has(epoch)) throw new RangeError(`no chat key for epoch ${epoch}`);
    this.#epoch = epoch;
  }

  /** A new room key (rotation), used at once; older epochs stay readable for the history. */
  rotate(roomKey: Uint8Array<ArrayBuffer>, epoch: number): void {
    this.add(roomKey, epoch);
    this.use(epoch);
  }

  async seal(text: string, envelope: ChatEnvelope): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const key = await this.#keys.get(this.#epoch)!;
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(envelope) }, key, enc.encode(text)),
    );
    const out = new Uint8Array(1 + iv.length + sealed.length);
    out[0] = this.#epoch;
    out.set(iv, 1);
    out.set(sealed, 1 + iv.length);
    return SEALED_CHAT_PREFIX + toBase64url(out);
  }

  /** The text of a sealed message, or null when it is not one this room's key opens. */
  async open(text: string, envelope: ChatEnvelope): Promise<string | null> {
    if (!isSealedChat(text)) return null;
    try {
      const bytes = fromBase64url(text.slice(SEALED_CHAT_PREFIX.length));
      const key = this.#keys.get(bytes[0] ?? -1);
      if (!key || bytes.length < 1 + 12 + 16) return null;
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: bytes.subarray(1, 13), additionalData: aad(envelope) },
        await key,
        bytes.subarray(13),
      );
      return dec.decode(plain);
    } catch {
      return null;
    }
  }
}
