import type { Clock } from './RateLimiter';
import { WindowCounter } from './WindowCounter';

/** How long a client that did too much refused work is refused new connections and joins. */
export const CLIENT_PENALTY_MS = 60_000;
/** How long an address stays suspect after too much refused work from it. */
export const ADDRESS_SUSPECT_MS = 5 * 60_000;
/** How long a client is remembered after its last connection or join (it may resume later). */
const CLIENT_MEMORY_MS = 15 * 60_000;

export interface ClientLimitsOptions {
  /** Connections per minute per client (a browser's cookie; cookie-less: the address). 0 = unlimited. */
  connectionsPerClient: number;
  /** Joins per minute per client. 0 = unlimited. */
  joinsPerClient: number;
  /** Connections per minute per address, whatever the cookies: the ceiling for a crowd. 0 = unlimited. */
  connectionsPerAddress: number;
  /** Joins per minute per address. 0 = unlimited. */
  joinsPerAddress: number;
  /** Strikes (refused work) per minute after which a client is refused for CLIENT_PENALTY_MS. 0 = never. */
  strikesPerClient: number;
  /** Strikes per minute from one address after which it is suspect for ADDRESS_SUSPECT_MS. 0 = never. */
  strikesPerAddress: number;
}

/** Who is asking: the address and the client key (`client:<cookie id>`, or `address:<address>`). */
export interface ClientId {
  readonly address: string;
  readonly key: string;
}

/** Why a connection or join was refused. */
export type ClientRefusal = 'client' | 'address' | 'newcomers' | 'penalty';

type Kind = 'connection' | 'join';

interface ClientEntry {
  firstSeen: number;
  lastSeen: number;
  penaltyUntil: number;
}

interface AddressEntry {
  suspectSince: number;
  suspectUntil: number;
}

/**
 * Connection and join limits that tell an attacker from a crowd behind one address (an office,
 * a school, a carrier NAT) by what each client does, not by the address alone:
 *
 * - Each client has its own budget (`*PerClient`). A browser is told apart by its signed client
 *   cookie. Connections without one (scripts, native or seed clients on another origin) cannot
 *   be told apart: while their address behaves they are held to its ceiling only, and a client
 *   penalty or a suspect address applies to all of them together.
 * - The address has a ceiling (`*PerAddress`) high enough for a crowd: minting cookies does not
 *   buy an attacker more than that.
 * - Refused work (invalid or over-limit messages, wrong passwords, refused host actions) counts
 *   as strikes. A client past `strikesPerClient` in a minute is refused for CLIENT_PENALTY_MS. An
 *   address past `strikesPerAddress` becomes suspect for ADDRESS_SUSPECT_MS: clients seen before
 *   that keep their own budgets, while newcomers (fresh cookies, cookie-less connections) share
 *   one client budget between them, so minting cookies stops paying.
 */
export class ClientLimits {
  readonly #counters: Record<Kind, { client: WindowCounter; address: WindowCounter; newcomers: WindowCounter }>;
  readonly #clientStrikes: WindowCounter;
  readonly #addressStrikes: WindowCounter;
  readonly #clients = new Map<string, ClientEntry>();
  readonly #addresses = new Map<string, AddressEntry>();

  constructor(
    readonly opts: ClientLimitsOptions,
    readonly now: Clock = Date.now,
  ) {
    const counters = (perClient: number, perAddress: number) => ({
      client: new WindowCounter(perClient, now),
      address: new WindowCounter(perAddress, now),
      newcomers: new WindowCounter(perClient, now),
    });
    this.#counters = {
      connection: counters(opts.connectionsPerClient, opts.connectionsPerAddress),
      join: counters(opts.joinsPerClient, opts.joinsPerAddress),
    };
    // Strike windows count without a limit of their own; the thresholds are checked here.
    this.#clientStrikes = new WindowCounter(Number.MAX_SAFE_INTEGER, now);
    this.#addressStrikes = new WindowCounter(Number.MAX_SAFE_INTEGER, now);
  }

  /** Count one new connection; null when allowed, else why not. */
  connection(who: ClientId): ClientRefusal | null {
    return this.#hit('connection', who);
  }

  /** Count one join; null when allowed, else why not. */
  join(who: ClientId): ClientRefusal | null {
    return this.#hit('join', who);
  }

  #hit(kind: Kind, who: ClientId): ClientRefusal | null {
    const t = this.now();
    let client = this.#clients.get(who.key);
    if (!client) {
      client = { firstSeen: t, lastSeen: t, penaltyUntil: 0 };
      this.#clients.set(who.key, client);
    }
    client.lastSeen = t;
    if (client.penaltyUntil > t) return 'penalty';
    const c = this.#counters[kind];
    const address = this.#addresses.get(who.address);
    if (address && address.suspectUntil > t && !this.#known(who, client, address)) {
      if (!c.newcomers.take(who.address)) return 'newcomers';
    }
    // Connections without a cookie cannot be told apart (scripts, native apps, seed clients on
    // another origin): a crowd of them is held to the address's ceiling, not one client's
    // budget; once the address is suspect they are newcomers (above).
    if (!this.#cookieless(who) && !c.client.take(who.key)) return 'client';
    if (!c.address.take(who.address)) return 'address';
    return null;
  }

  /** Seen before its address became suspect, with a cookie of its own and no penalty since. */
  #known(who: ClientId, client: ClientEntry, address: AddressEntry): boolean {
    return !this.#cookieless(who) && client.firstSeen < address.suspectSince;
  }

  #cookieless(who: ClientId): boolean {
    return who.key === `address:${who.address}`;
  }

  /** Count refused work done by `who` (weight 0 does nothing). */
  strike(who: ClientId, weight = 1): void {
    if (weight <= 0) return;
    const t = this.now();
    const { strikesPerClient, strikesPerAddress } = this.opts;
    this.#clientStrikes.add(who.key, weight);
    if (strikesPerClient > 0 && this.#clientStrikes.spent(who.key) >= strikesPerClient) {
      const client = this.#clients.get(who.key) ?? { firstSeen: t, lastSeen: t, penaltyUntil: 0 };
      // A client that was penalised is a newcomer again for suspicion purposes.
      client.firstSeen = t;
      client.penaltyUntil = t + CLIENT_PENALTY_MS;
      this.#clients.set(who.key, client);
    }
    this.#addressStrikes.add(who.address, weight);
    if (strikesPerAddress > 0 && this.#addressStrikes.spent(who.address) >= strikesPerAddress) {
      const a = this.#addresses.get(who.address);
      if (a && a.suspectUntil > t) a.suspectUntil = t + ADDRESS_SUSPECT_MS;
      else this.#addresses.set(who.address, { suspectSince: t, suspectUntil: t + ADDRESS_SUSPECT_MS });
    }
  }

  /** Is `address` suspect now (for logs and tests)? */
  suspect(address: string): boolean {
    return (this.#addresses.get(address)?.suspectUntil ?? 0) > this.now();
  }

  /** Forget what has expired (call now and then). */
  prune(): void {
    const t = this.now();
    for (const c of Object.values(this.#counters)) {
      c.client.prune();
      c.address.prune();
      c.newcomers.prune();
    }
    this.#clientStrikes.prune();
    this.#addressStrikes.prune();
    for (const [k, c] of this.#clients)
      if (t - c.lastSeen > CLIENT_MEMORY_MS && c.penaltyUntil <= t) this.#clients.delete(k);
    for (const [k, a] of this.#addresses) if (a.suspectUntil <= t) this.#addresses.delete(k);
  }

  /** Clients remembered now (for tests). */
  get size(): number {
    return this.#clients.size;
  }
}
