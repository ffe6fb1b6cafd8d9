/** Offers one peer may have waiting for this person's answer at once; more are declined. */
export const OFFERS_PENDING_MAX = 8;

/** What was declined automatically from one peer, shown as one notice (not one row per offer). */
export interface OfferNotice {
  peerId: string;
  peerName: string;
  /** Offers declined because `OFFERS_PENDING_MAX` were already waiting. */
  tooMany: number;
  /** Offers declined because the file is above the size limit. */
  tooLarge: number;
  /** Name of the last file declined (made safe). */
  lastName: string;
}

/**
 * Bookkeeping of incoming offers per peer: how many wait for an answer (capped), and what was
 * declined automatically. A peer that floods offers costs a counter, not a row in the list.
 */
export class OfferBook {
  readonly max: number;
  readonly #waiting = new Map<string, number>();
  readonly #notices = new Map<string, OfferNotice>();
  #list: OfferNotice[] | null = null;

  constructor(max = OFFERS_PENDING_MAX) {
    if (!Number.isInteger(max) || max < 1) throw new TypeError('max must be a positive integer');
    this.max = max;
  }

  /** An offer from `peerId` arrives: true (and it counts as waiting) if it may wait for an answer. */
  admit(peerId: string): boolean {
    const n = this.#waiting.get(peerId) ?? 0;
    if (n >= this.max) return false;
    this.#waiting.set(peerId, n + 1);
    return true;
  }

  /** An admitted offer from `peerId` got its answer (or was withdrawn). */
  settled(peerId: string): void {
    const n = this.#waiting.get(peerId) ?? 0;
    if (n <= 1) this.#waiting.delete(peerId);
    else this.#waiting.set(peerId, n - 1);
  }

  waiting(peerId: string): number {
    return this.#waiting.get(peerId) ?? 0;
  }

  /** Note an offer declined automatically. */
  declined(peerId: string, peerName: string, why: 'too-many' | 'too-large', name: string): void {
    const prev = this.#notices.get(peerId);
    const n: OfferNotice = prev
      ? { ...prev, peerName, lastName: name }
      : { peerId, peerName, tooMany: 0, tooLarge: 0, lastName: name };
    if (why === 'too-many') n.tooMany++;
    else n.tooLarge++;
    this.#notices.set(peerId, n);
    this.#list = null;
  }

  /** One notice per peer with something declined automatically. The same array until a change. */
  notices(): OfferNotice[] {
    this.#list ??= [...this.#notices.values()];
    return this.#list;
  }

  dismiss(peerId: string): void {
    if (this.#notices.delete(peerId)) this.#list = null;
  }

  /** The peer left: nothing of theirs waits any more (their notice stays until dismissed). */
  forget(peerId: string): void {
    this.#waiting.delete(peerId);
  }
}

/** The notice as a sentence. */
export function noticeText(n: OfferNotice, limit: string, max = OFFERS_PENDING_MAX): string {
  const parts: string[] = [];
  if (n.tooMany > 0) {
    parts.push(`${n.tooMany} ${n.tooMany === 1 ? 'offer' : 'offers'} beyond ${max} waiting at once`);
  }
  if (n.tooLarge > 0) parts.push(`${n.tooLarge} ${n.tooLarge === 1 ? 'file' : 'files'} above the ${limit} limit`);
  return `Declined automatically from ${n.peerName}: ${parts.join(' and ')} (last: ${n.lastName}).`;
}
