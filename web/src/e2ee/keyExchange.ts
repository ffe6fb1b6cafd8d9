/*
 * The cryptography of key rotation in an end-to-end encrypted room (see KeyRotation.ts for when
 * it happens). Every participant makes an ECDH P-256 key pair when it joins and announces the
 * public half to each other participant in a `hello`, authenticated with an HMAC keyed from the
 * room's link key (or passphrase key): the server, which relays hellos but has no room key,
 * cannot put its own public key in place of a participant's. A new room key is then sent to each
 * participant wrapped for it alone: ECDH shared secret -> HKDF-SHA-256 -> AES-256-GCM, the wrap
 * key and the additional data bound to the room, sender, receiver, epoch and originator.
 *
 * Both messages travel as the `body` of an `e2ee` signal (JSON, base64url fields): the server
 * relays them to the one participant named and learns nothing from them.
 */

const enc = new TextEncoder();
const HELLO_LABEL = 'Parley E2EE hello 1';
const WRAP_LABEL = 'Parley E2EE key wrap 1';
/** Raw (uncompressed) P-256 public key: 0x04 || X || Y. */
const PUBLIC_KEY_BYTES = 65;
const WRAPPED_KEY_BYTES = 32 + 16;

/** A participant announcing its public key. `mac` proves that the sender holds the room key. */
export interface HelloMessage {
  t: 'hello';
  pub: string;
  mac: string;
}

/**
 * A room key of `epoch` first made by `origin`, wrapped for the one receiver. `inUse`: the
 * sender already encrypts with it (a key handed to a newcomer); otherwise a fresh rotation that
 * everyone switches to after a short delay.
 */
export interface KeyMessage {
  t: 'key';
  epoch: number;
  origin: string;
  inUse: boolean;
  iv: string;
  key: string;
}

export type KeyExchangeMessage = HelloMessage | KeyMessage;

export class KeyExchangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyExchangeError';
  }
}

export function toBase64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new KeyExchangeError('not base64url');
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64 && !/\s/.test(v);
const isB64 = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max && /^[A-Za-z0-9_-]+$/.test(v);

/** Parse and check an `e2ee` signal's body; null for anything that is not a well-formed message. */
export function parseKeyExchange(body: string): KeyExchangeMessage | null {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const m = v as Record<string, unknown>;
  if (m.t === 'hello' && isB64(m.pub, 100) && isB64(m.mac, 64)) return { t: 'hello', pub: m.pub, mac: m.mac };
  if (
    m.t === 'key' &&
    typeof m.epoch === 'number' &&
    Number.isInteger(m.epoch) &&
    m.epoch >= 0 &&
    m.epoch <= 255 &&
    isId(m.origin) &&
    typeof m.inUse === 'boolean' &&
    isB64(m.iv, 16) &&
    isB64(m.key, 80)
  ) {
    return { t: 'key', epoch: m.epoch, origin: m.origin, inUse: m.inUse, iv: m.iv, key: m.key };
  }
  return null;
}

/** This participant's key pair for one stay in the room, and its hello's public key. */
export interface Identity {
  keys: CryptoKeyPair;
  pub: string;
}

export async function makeIdentity(): Promise<Identity> {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
    'deriveBits',
  ])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
  return { keys, pub: toBase64url(raw) };
}

async function helloKey(roomKey: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', roomKey, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: enc.encode(HELLO_LABEL), info: enc.encode('hello mac') },
    base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  );
}

function helloData(room: string, from: string, pub: string): Uint8Array<ArrayBuffer> {
  return enc.encode(`${HELLO_LABEL}\n${room}\n${from}\n${pub}`);
}

/** The hello `from` sends in `room`, MACed with the room's (link or passphrase) key. */
export async function sealHello(
  roomKey: Uint8Array<ArrayBuffer>,
  room: string,
  from: string,
  identity: Identity,
): Promise<HelloMessage> {
  const mac = await crypto.subtle.sign('HMAC', await helloKey(roomKey), helloData(room, from, identity.pub));
  return { t: 'hello', pub: identity.pub, mac: toBase64url(new Uint8Array(mac)) };
}

/**
 * The public key of a hello that `from` (as the server names the sender) sent, or null when its
 * MAC does not check out (another room key, or a key put in by someone without the room key).
 */
export async function openHello(
  roomKey: Uint8Array<ArrayBuffer>,
  room: string,
  from: string,
  hello: HelloMessage,
): Promise<CryptoKey | null> {
  try {
    const ok = await crypto.subtle.verify(
      'HMAC',
      await helloKey(roomKey),
      fromBase64url(hello.mac),
      helloData(room, from, hello.pub),
    );
    if (!ok) return null;
    const raw = fromBase64url(hello.pub);
    if (raw.length !== PUBLIC_KEY_BYTES) return null;
    return await crypto.subtle.importKey('raw', raw, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  } catch {
    return null;
  }
}

interface WrapContext {
  room: string;
  from: string;
  to: string;
  epoch: number;
  origin: string;
  inUse: boolean;
}

function wrapInfo(c: WrapContext): string {
  return `${WRAP_LABEL}\n${c.room}\n${c.from}\n${c.to}\n${c.epoch}\n${c.origin}\n${c.inUse ? 'in use' : 'fresh'}`;
}

async function wrapKey(own: CryptoKey, peer: CryptoKey, c: WrapContext): Promise<CryptoKey> {
  const secret = await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, own, 256);
  const base = await crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
  // The pair's shared secret is the same both ways: the ids in `info` make each direction and
  // each epoch's wrap key its own.
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: enc.encode(WRAP_LABEL), info: enc.encode(wrapInfo(c)) },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** `roomKey` (32 bytes) of `c.epoch`, wrapped from `c.from` for `c.to` alone. */
export async function wrapRoomKey(
  own: CryptoKeyPair,
  peer: CryptoKey,
  roomKey: Uint8Array<ArrayBuffer>,
  c: WrapContext,
): Promise<KeyMessage> {
  if (roomKey.length !== 32) throw new TypeError(`a room key is 32 bytes, not ${roomKey.length}`);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: enc.encode(wrapInfo(c)) },
    await wrapKey(own.privateKey, peer, c),
    roomKey,
  );
  return {
    t: 'key',
    epoch: c.epoch,
    origin: c.origin,
    inUse: c.inUse,
    iv: toBase64url(iv),
    key: toBase64url(new Uint8Array(sealed)),
  };
}

/** The room key in a key message `from` sent to `to`, or null when it does not unwrap. */
export async function unwrapRoomKey(
  own: CryptoKeyPair,
  peer: CryptoKey,
  msg: KeyMessage,
  room: string,
  from: string,
  to: string,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const c = { room, from, to, epoch: msg.epoch, origin: msg.origin, inUse: msg.inUse };
  try {
    const sealed = fromBase64url(msg.key);
    if (sealed.length !== WRAPPED_KEY_BYTES) return null;
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64url(msg.iv), additionalData: enc.encode(wrapInfo(c)) },
      await wrapKey(own.privateKey, peer, c),
      sealed,
    );
    return new Uint8Array(plain);
  } catch {
    return null;
  }
}
