/*
 * Verification codes: two people compare a short code (emoji, or digits read aloud) to check
 * that nobody sits between them. Each side computes the code from the room key and the identity
 * it sees for itself and for the other (a DTLS certificate fingerprint, an E2EE public key). If
 * the server swapped either identity on the way, the two sides hash different inputs and the
 * codes differ. Without the room key, the server cannot compute the codes it would have to fake.
 * The emoji are Matrix's 64 SAS emoji, each with a name for screen readers.
 */

export const SAS_EMOJI: ReadonlyArray<readonly [string, string]> = [
  ['🐶', 'Dog'],
  ['🐱', 'Cat'],
  ['🦁', 'Lion'],
  ['🐎', 'Horse'],
  ['🦄', 'Unicorn'],
  ['🐷', 'Pig'],
  ['🐘', 'Elephant'],
  ['🐰', 'Rabbit'],
  ['🐼', 'Panda'],
  ['🐓', 'Rooster'],
  ['🐧', 'Penguin'],
  ['🐢', 'Turtle'],
  ['🐟', 'Fish'],
  ['🐙', 'Octopus'],
  ['🦋', 'Butterfly'],
  ['🌷', 'Flower'],
  ['🌳', 'Tree'],
  ['🌵', 'Cactus'],
  ['🍄', 'Mushroom'],
  ['🌏', 'Globe'],
  ['🌙', 'Moon'],
  ['☁️', 'Cloud'],
  ['🔥', 'Fire'],
  ['🍌', 'Banana'],
  ['🍎', 'Apple'],
  ['🍓', 'Strawberry'],
  ['🌽', 'Corn'],
  ['🍕', 'Pizza'],
  ['🎂', 'Cake'],
  ['❤️', 'Heart'],
  ['😀', 'Smiley'],
  ['🤖', 'Robot'],
  ['🎩', 'Hat'],
  ['👓', 'Glasses'],
  ['🔧', 'Spanner'],
  ['🎅', 'Santa'],
  ['👍', 'Thumbs up'],
  ['☂️', 'Umbrella'],
  ['⌛', 'Hourglass'],
  ['⏰', 'Clock'],
  ['🎁', 'Gift'],
  ['💡', 'Light bulb'],
  ['📕', 'Book'],
  ['✏️', 'Pencil'],
  ['📎', 'Paperclip'],
  ['✂️', 'Scissors'],
  ['🔒', 'Lock'],
  ['🔑', 'Key'],
  ['🔨', 'Hammer'],
  ['☎️', 'Telephone'],
  ['🏁', 'Flag'],
  ['🚂', 'Train'],
  ['🚲', 'Bicycle'],
  ['✈️', 'Aeroplane'],
  ['🚀', 'Rocket'],
  ['🏆', 'Trophy'],
  ['⚽', 'Ball'],
  ['🎸', 'Guitar'],
  ['🎺', 'Trumpet'],
  ['🔔', 'Bell'],
  ['⚓', 'Anchor'],
  ['🎧', 'Headphones'],
  ['📁', 'Folder'],
  ['📌', 'Pin'],
];

/** One side of a pair: a participant id and the identities the code covers (e.g. fingerprints). */
export interface PartyIdentity {
  id: string;
  identities: readonly string[];
}

export interface VerificationCode {
  emoji: Array<{ symbol: string; name: string }>;
  /** Three groups of four digits, e.g. "4821 0937 5512". */
  digits: string;
}

function line(p: PartyIdentity): string {
  if (/[\s]/.test(p.id)) throw new TypeError('a participant id has no white space');
  const ids = p.identities.map((s) => s.trim().toUpperCase()).sort();
  return `${p.id} ${ids.join(' ')}`;
}

/** The code for the pair `a`, `b` (the same whichever side computes it). */
export async function verificationCode(
  roomKey: Uint8Array<ArrayBuffer>,
  a: PartyIdentity,
  b: PartyIdentity,
): Promise<VerificationCode> {
  const lines = [line(a), line(b)].sort();
  const key = await crypto.subtle.importKey('raw', roomKey, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(
    await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`Parley verification 1\n${lines.join('\n')}`)),
  );
  // 6 emoji take 36 bits; the digits take the next 3 x 13 bits (as Matrix's SAS: 1000-9191).
  let bits = 0n;
  for (const byte of mac.subarray(0, 10)) bits = (bits << 8n) | BigInt(byte);
  const take = (from: number, count: number): number =>
    Number((bits >> BigInt(80 - from - count)) & ((1n << BigInt(count)) - 1n));
  const emoji = Array.from({ length: 6 }, (_, i) => {
    const [symbol, name] = SAS_EMOJI[take(i * 6, 6)]!;
    return { symbol, name };
  });
  const digits = Array.from({ length: 3 }, (_, i) => String(take(36 + i * 13, 13) + 1000)).join(' ');
  return { emoji, digits };
}

/** The SHA-256 fingerprint an SDP carries for its DTLS certificate (`a=fingerprint:`), or null. */
export function sdpFingerprint(sdp: string): string | null {
  const m = /^a=fingerprint:sha-256 ([0-9A-Fa-f:]+)\s*$/m.exec(sdp);
  return m ? m[1]!.toUpperCase() : null;
}
