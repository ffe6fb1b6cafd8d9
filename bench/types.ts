/** The contract every benchmark follows: `bench/<name>.bench.ts` default-exports a Benchmark. */

export interface BenchContext {
  /** Small, fast variant (run by `npm test` so benchmarks cannot rot); figures mean little. */
  smoke: boolean;
  /** Progress lines on stderr. */
  log(message: string): void;
}

export interface BenchResult {
  /** Markdown table: column headers and rows of cells. */
  columns: string[];
  rows: Array<Array<string | number>>;
  /** Sentences printed under the table (set-up, reference figures, caveats). */
  notes?: string[];
  /**
   * Why nothing could be measured (e.g. the server has no forwarding unit): the table is empty
   * and the smoke test skips with this reason.
   */
  skipped?: string;
  /** Everything measured, written to bench/results/<name>.json. */
  data?: unknown;
}

export interface Benchmark {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}
