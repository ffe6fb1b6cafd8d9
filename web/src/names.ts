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

const ROOMS_KEY = 'parley:recent-rooms';
const ROOMS_KEPT = 5;

/** The rooms joined lately in this browser, the latest first (kept in this browser only). */
export function recentRooms(): string[] {
  try {
    const list: unknown = JSON.parse(localStorage.getItem(ROOMS_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((r): r is string => typeof r === 'string').slice(0, ROOMS_KEPT) : [];
  } catch {
    return [];
  }
}

/** Put `room` first in the recent rooms. */
export function rememberRoom(room: string): void {
  try {
    const rooms = [room, ...recentRooms().filter((r) => r !== room)].slice(0, ROOMS_KEPT);
    localStorage.setItem(ROOMS_KEY, JSON.stringify(rooms));
  } catch {
    // Storage refused (private mode): nothing remembered.
  }
}
