import { isIPv6 } from 'node:net';

/**
 * The network a client address stands for in limits and bans: an IPv4 address is itself, an
 * IPv6 address stands for its /64. One IPv6 subscriber usually holds a whole /64 (often more)
 * and can pick a new address in it for every connection; counting single IPv6 addresses would
 * give such a client a fresh budget, lobby quota and ban each time. Anything that is not an IPv6
 * address (IPv4, an unknown value) is returned as it is.
 */
export function networkOf(address: string): string {
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::', 2) as [string, string?];
  const left = head === '' ? [] : head.split(':');
  const right = address.includes('::') && tail !== '' ? tail.split(':') : [];
  // An embedded IPv4 tail (`::ffff:1.2.3.4`, `64:ff9b::1.2.3.4`) takes two groups.
  const groups = (parts: string[]): number => parts.reduce((n, p) => n + (p.includes('.') ? 2 : 1), 0);
  const missing = 8 - groups(left) - groups(right);
  const full = address.includes('::') ? [...left, ...Array<string>(missing).fill('0'), ...right] : left;
  const prefix = full
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(':');
  return `${prefix}::/64`;
}
