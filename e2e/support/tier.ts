/*
 * Two tiers of browser tests. `npm test` runs the quick tier: every feature's end-to-end test in
 * real pages, in about a quarter of an hour on two cores. `npm run test:full` (PARLEY_E2E_FULL=1)
 * adds the long variants: the same features again at length (more pages, Firefox beside
 * Chromium, server and Redis failures, recordings of 20 s), which take as long again.
 */

/** True when the long variants run too. */
export const FULL_SUITE = process.env.PARLEY_E2E_FULL === '1';

/** Test options for a long variant: skipped, saying how to run it, outside the full suite. */
export function longVariant(options: { timeout?: number } = {}): { skip?: string; timeout?: number } {
  return FULL_SUITE ? options : { ...options, skip: 'a long variant: npm run test:full runs it' };
}
