/** Helpers for names and room ids typed on the home screen. */

const ADJECTIVES = [
  'amber',
  'brisk',
  'calm',
  'clever',
  'daring',
  'eager',
  'gentle',
  'golden',
  'lucky',
  'merry',
  'quiet',
  'rapid',
  'sunny',
  'swift',
  'tidy',
  'vivid',
];
const NOUNS = [
  'badger',
  'comet',
  'falcon',
  'harbor',
  'island',
  'lantern',
  'meadow',
  'otter',
  'pepper',
  'river',
  'summit',
  'thistle',
  'valley',
  'willow',
  'zephyr',
  'maple',
];

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length] as T;
}

/** A random, easy-to-read room name such as `swift-otter-4821` (matches the room rule). */
export function randomRoom(): string {
  const r = crypto.getRandomValues(new Uint32Array(3));
  return `${pick(ADJECTIVES, r[0] ?? 0)}-${pick(NOUNS, r[1] ?? 0)}-${1000 + ((r[2] ?? 0) % 9000)}`;
}

const NAME_KEY = 'parley:name';

export function rememberedName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

export function rememberName(name: string): void {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // storage unavailable (private mode): nothing to remember
  }
}

export function callPath(name: string, room: string): string {
  return `/call/${encodeURIComponent(name)}/${encodeURIComponent(room)}`;
}
