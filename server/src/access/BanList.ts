/** The ban key of a network address (also the client key of connections without a cookie). */
export function addressKey(address: string): string {
  return `address:${address}`;
}

/**
 * Who may not rejoin which room until when. Keys are chosen by the caller (client address,
 * participant id). Entries expire by themselves; `prune` drops expired ones.
 */
export class BanList {
  readonly #bans = new Map<string, Map<string, number>>();

  constructor(readonly now: () => number = Date.now) {}

  ban(room: string, keys: readonly string[], ms: number): void {
    if (ms <= 0) return;
    let map = this.#bans.get(room);
    if (!map) {
      map = new Map();
      this.#bans.set(room, map);
    }
    const until = this.now() + ms;
    for (const k of keys) map.set(k, Math.max(map.get(k) ?? 0, until));
  }

  /** Milliseconds left on the longest ban matching any key, or 0. */
  remaining(room: string, keys: readonly string[]): number {
    const map = this.#bans.get(room);
    if (!map) return 0;
    const now = this.now();
    let left = 0;
    for (const k of keys) {
      const until = map.get(k);
      if (until === undefined) continue;
      if (until <= now) map.delete(k);
      else left = Math.max(left, until - now);
    }
    if (map.size === 0) this.#bans.delete(room);
    return left;
  }

  /** Drop expired bans (call now and then). */
  /** The room's bans still running, as [key, until] (for another server to take over). */
  entries(room: string): Array<[string, number]> {
    const now = this.now();
    return [...(this.#bans.get(room) ?? [])].filter(([, until]) => until > now);
  }

  /** Take over bans written by `entries`. */
  restore(room: string, entries: ReadonlyArray<readonly [string, number]>): void {
    const now = this.now();
    for (const [key, until] of entries) {
      if (typeof key === 'string' && typeof until === 'number' && until > now) this.ban(room, [key], until - now);
    }
  }

  prune(): void {
    const now = this.now();
    for (const [room, map] of this.#bans) {
      for (const [k, until] of map) if (until <= now) map.delete(k);
      if (map.size === 0) this.#bans.delete(room);
    }
  }

  get size(): number {
    let n = 0;
    for (const m of this.#bans.values()) n += m.size;
    return n;
  }
}
