/**
 * Generated payloads for the hot-path checks' tests (`fastSignal`, `fastSeed`): a seeded random
 * generator, so a failure can be replayed, and a mutation that reaches any depth of a payload.
 * Test support only; not exported by the package.
 */

/** A small seeded generator (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every path of keys in a payload, so a mutation can reach any depth. */
function paths(v: unknown, prefix: string[] = []): string[][] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [prefix];
  const out: string[][] = [prefix];
  for (const [k, child] of Object.entries(v)) out.push(...paths(child, [...prefix, k]));
  return out;
}

/**
 * A copy of `base` with one place changed: a value replaced by one of `probes`, a key deleted, or
 * one of `extraKeys` added with a probe as its value.
 */
export function mutate(
  base: unknown,
  random: () => number,
  probes: readonly unknown[],
  extraKeys: readonly string[],
): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  const all = paths(copy);
  const path = all[Math.floor(random() * all.length)] as string[];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  if (path.length === 0) return pick(probes);
  let parent: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
  const key = path.at(-1) as string;
  const action = random();
  if (action < 0.6) parent[key] = pick(probes);
  else if (action < 0.8) delete parent[key];
  else parent[pick(extraKeys)] = pick(probes);
  return copy;
}
