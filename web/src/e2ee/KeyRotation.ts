import {
  makeIdentity,
  openHello,
  parseKeyExchange,
  sealHello,
  unwrapRoomKey,
  wrapRoomKey,
  type Identity,
  type KeyMessage,
} from './keyExchange';
import { generateRoomKey } from './roomKey';

/*
 * Key rotation in an end-to-end encrypted room: when someone leaves, the others move to a new
 * room key that the one who left never receives.
 *
 * - Epoch 0 is the room key of the link or passphrase. Every later epoch's key is 32 random
 *   bytes made by one participant (its origin) and handed to each other participant wrapped
 *   for it alone (keyExchange.ts).
 * - When someone leaves, the remaining participant with the lowest id (string order) makes the
 *   key of the next epoch and sends it to everyone it has a public key of. Everyone (the origin
 *   too) hands it to the frame worker at once, so it decrypts it, and encrypts with it
 *   SWITCH_DELAY_MS later, once the others have it too. The previous epoch stays readable.
 * - Someone new announces its public key with a hello; everyone who holds a key newer than
 *   epoch 0 sends it that key (marked in use: the newcomer switches at once), and reads the
 *   newcomer's frames under the link's key meanwhile (NEWCOMER_LINK_KEY_MS). Every holder does,
 *   not only the lowest id: the newcomer may have the lowest id itself, and the one with the
 *   lowest id may not have the newest key yet; the newcomer keeps the best it is sent.
 * - Races are settled by `prefers`: a newer epoch wins; two keys of one epoch (two participants
 *   each thought they had the lowest id, or the origin left mid-rotation and the next one made
 *   the same epoch again) go to an origin still in the room, then to the lower id. A key whose
 *   origin has left is never taken: the one who left knows it.
 */

/** How long after receiving a fresh key everyone starts encrypting with it. */
export const SWITCH_DELAY_MS = 1_000;

/**
 * How long a newcomer's frames under the link's key are still read once the room has rotated:
 * it sends under that key until a holder hands it the key in use (a round trip, a few seconds
 * on a loaded machine), and its first keyframe would otherwise be lost.
 */
export const NEWCOMER_LINK_KEY_MS = 10_000;

/** Epochs are one byte in each frame and wrap; 0 is only ever the link's key. */
export function nextEpoch(epoch: number): number {
  return epoch >= 255 ? 1 : epoch + 1;
}

/** True when epoch `a` is newer than `b` (serial-number order over 0-255, as RFC 1982). */
export function epochNewer(a: number, b: number): boolean {
  const d = (a - b + 256) % 256;
  return d >= 1 && d < 128;
}

export interface KeyChoice {
  epoch: number;
  /** Who made the key ('' for epoch 0, the link's key). */
  origin: string;
}

/**
 * Whether `candidate` should replace `current` as the room's newest key. `present` says whether
 * an id is in the room (this participant included).
 */
export function prefers(candidate: KeyChoice, current: KeyChoice, present: (id: string) => boolean): boolean {
  if (!present(candidate.origin)) return false;
  if (epochNewer(candidate.epoch, current.epoch)) return true;
  if (candidate.epoch !== current.epoch || candidate.origin === current.origin) return false;
  if (!present(current.origin)) return true;
  return candidate.origin < current.origin;
}

/** Who makes the next key when someone leaves: the lowest id among those still here. */
export function distributor(selfId: string, others: Iterable<string>): string {
  let low = selfId;
  for (const id of others) if (id < low) low = id;
  return low;
}

export interface KeyRotationDeps {
  room: string;
  selfId: string;
  /** The link's (or passphrase's) key: epoch 0, and what hellos are MACed with. */
  linkKey: Uint8Array<ArrayBuffer>;
  /** Send an `e2ee` signal body to one participant. */
  send(to: string, body: string): void;
  /** A key to decrypt with (and later to encrypt with): hand it to the frame worker and chat. */
  addKey(epoch: number, key: Uint8Array<ArrayBuffer>): void;
  /** Encrypt with `epoch` from now on. */
  useEpoch(epoch: number): void;
  /** Read `id`'s frames under the link's key (epoch 0) for `ms`: a newcomer to a rotated room. */
  admitNewcomer?(id: string, ms: number): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  warn?(message: string): void;
  /** Default SWITCH_DELAY_MS. */
  switchDelayMs?: number;
}

interface Peer {
  pub: CryptoKey | null;
  /** `epoch origin` of keys already sent to this peer. */
  sent: Set<string>;
  /** Key messages that arrived before the peer's hello. */
  early: KeyMessage[];
}

export class KeyRotation {
  readonly #d: KeyRotationDeps;
  readonly #identity: Promise<Identity>;
  readonly #peers = new Map<string, Peer>();
  #newest: KeyChoice & { key: Uint8Array<ArrayBuffer> };
  #used = 0;
  #switch: unknown = null;
  /** Incoming messages and room changes, one at a time, in order. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(deps: KeyRotationDeps) {
    this.#d = deps;
    this.#newest = { epoch: 0, origin: '', key: deps.linkKey };
    this.#identity = makeIdentity();
  }

  get selfId(): string {
    return this.#d.selfId;
  }

  /** The epoch this participant encrypts with. */
  get epoch(): number {
    return this.#used;
  }

  /** The newest key this participant holds (maybe not in use yet). */
  get newest(): KeyChoice {
    return { epoch: this.#newest.epoch, origin: this.#newest.origin };
  }

  /**
   * Joined (or rejoined): these are the others in the room; say hello to each. Anyone we knew
   * who is not among them left while we were away: that is a leave like any other.
   */
  enter(others: readonly string[]): void {
    this.#run(async () => {
      const gone = [...this.#peers.keys()].filter((id) => !others.includes(id));
      for (const id of gone) this.#peers.delete(id);
      for (const id of others) {
        if (!this.#peers.has(id)) this.#peers.set(id, { pub: null, sent: new Set(), early: [] });
        await this.#hello(id);
      }
      if (gone.length > 0) await this.#rotateIfDistributor();
    });
  }

  /** Someone came in (or came back): say hello to them. */
  peerJoined(id: string): void {
    this.#run(async () => {
      if (id === this.#d.selfId) return;
      // Back after a signaling outage: it may have a new key pair; its hello will say.
      const peer = this.#peers.get(id);
      if (peer) peer.sent.clear();
      else {
        this.#peers.set(id, { pub: null, sent: new Set(), early: [] });
        // Until our key reaches it, it sends under the link's key, which we no longer read.
        if (this.#newest.epoch !== 0) this.#d.admitNewcomer?.(id, NEWCOMER_LINK_KEY_MS);
      }
      await this.#hello(id);
    });
  }

  /** Someone left: the lowest id among those still here makes the next epoch's key. */
  peerLeft(id: string): void {
    this.#run(async () => {
      if (this.#peers.delete(id)) await this.#rotateIfDistributor();
    });
  }

  async #rotateIfDistributor(): Promise<void> {
    if (distributor(this.#d.selfId, this.#peers.keys()) !== this.#d.selfId) return;
    const epoch = nextEpoch(this.#newest.epoch);
    this.#accept({ epoch, origin: this.#d.selfId, key: generateRoomKey() }, false);
    await this.#share(false);
  }

  /** An `e2ee` signal from `from`. */
  receive(from: string, body: string): void {
    this.#run(async () => {
      const msg = parseKeyExchange(body);
      const peer = this.#peers.get(from);
      if (!msg || !peer) return;
      if (msg.t === 'hello') {
        const pub = await openHello(this.#d.linkKey, this.#d.room, from, msg);
        if (!pub) return this.#d.warn?.(`a key announcement from ${from} does not authenticate (another room key?)`);
        peer.pub = pub;
        peer.sent.clear();
        for (const early of peer.early.splice(0)) await this.#onKey(from, peer, early);
        // A newcomer (or someone back with a new key pair) gets the key we hold.
        await this.#share(true, from);
        return;
      }
      if (!peer.pub) {
        if (peer.early.length < 4) peer.early.push(msg);
        return;
      }
      await this.#onKey(from, peer, msg);
    });
  }

  close(): void {
    this.#closed = true;
    if (this.#switch !== null) this.#d.clearTimeout(this.#switch);
    this.#switch = null;
  }

  /** Resolves once everything received or announced so far has been handled (tests). */
  idle(): Promise<void> {
    return this.#queue;
  }

  #run(task: () => Promise<void>): void {
    this.#queue = this.#queue
      .then(() => (this.#closed ? undefined : task()))
      .catch((err: unknown) => this.#d.warn?.(`key rotation: ${String(err)}`));
  }

  #present = (id: string): boolean => id === this.#d.selfId || this.#peers.has(id);

  async #hello(to: string): Promise<void> {
    const hello = await sealHello(this.#d.linkKey, this.#d.room, this.#d.selfId, await this.#identity);
    this.#d.send(to, JSON.stringify(hello));
  }

  async #onKey(from: string, peer: Peer, msg: KeyMessage): Promise<void> {
    const { keys } = await this.#identity;
    const key = await unwrapRoomKey(keys, peer.pub!, msg, this.#d.room, from, this.#d.selfId);
    if (!key) return this.#d.warn?.(`a room key from ${from} does not unwrap`);
    if (!prefers(msg, this.#newest, this.#present)) {
      // The same key again (a newcomer hears from every holder): switch now if it is in use.
      if (msg.inUse && msg.epoch === this.#newest.epoch && msg.origin === this.#newest.origin) this.#use(msg.epoch);
      return;
    }
    this.#accept({ epoch: msg.epoch, origin: msg.origin, key }, msg.inUse);
  }

  #accept(next: KeyChoice & { key: Uint8Array<ArrayBuffer> }, inUse: boolean): void {
    this.#newest = next;
    this.#d.addKey(next.epoch, next.key);
    if (this.#switch !== null) this.#d.clearTimeout(this.#switch);
    this.#switch = null;
    if (inUse) this.#use(next.epoch);
    else
      this.#switch = this.#d.setTimeout(() => {
        this.#switch = null;
        if (!this.#closed && this.#newest.epoch === next.epoch) this.#use(next.epoch);
      }, this.#d.switchDelayMs ?? SWITCH_DELAY_MS);
  }

  #use(epoch: number): void {
    if (this.#used === epoch) return;
    this.#used = epoch;
    this.#d.useEpoch(epoch);
  }

  /** Send our newest key (beyond epoch 0) to `only`, or to every peer that has not had it yet. */
  async #share(inUse: boolean, only?: string): Promise<void> {
    const n = this.#newest;
    if (n.epoch === 0 && n.origin === '') return;
    const { keys } = await this.#identity;
    const id = `${n.epoch} ${n.origin}`;
    for (const [to, peer] of this.#peers) {
      if ((only !== undefined && to !== only) || !peer.pub || peer.sent.has(id)) continue;
      peer.sent.add(id);
      const msg = await wrapRoomKey(keys, peer.pub, n.key, {
        room: this.#d.room,
        from: this.#d.selfId,
        to,
        epoch: n.epoch,
        origin: n.origin,
        inUse: inUse && this.#used === n.epoch,
      });
      this.#d.send(to, JSON.stringify(msg));
    }
  }
}
