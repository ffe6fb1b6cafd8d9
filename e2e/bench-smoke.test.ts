// Every benchmark (bench/*.bench.ts) in its small, fast variant, so that none of them rots:
// each must finish and report a table with rows. The figures of a smoke run mean nothing and
// are not checked.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Benchmark } from '../bench/types';
import { ROOT } from './support/server';

const benchDir = join(ROOT, 'bench');
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();

test('there are benchmarks to run', () => {
  assert.ok(files.length > 0, 'no bench/*.bench.ts found');
});

for (const file of files) {
  test(`benchmark ${file} (smoke) reports rows`, { timeout: 180_000 }, async (t) => {
    const mod = (await import(pathToFileURL(join(benchDir, file)).href)) as { default: Benchmark };
    const bench = mod.default;
    assert.equal(typeof bench.run, 'function', `${file} default-exports a Benchmark`);
    const started = Date.now();
    const result = await bench.run({ smoke: true, log: () => undefined });
    if (result.skipped !== undefined) {
      // Only a benchmark whose subject this machine cannot run may skip (it says why).
      console.log(`${bench.name}: skipped: ${result.skipped}`);
      t.skip(result.skipped);
      return;
    }
    assert.ok(result.columns.length > 0, 'the table has columns');
    assert.ok(result.rows.length > 0, 'the table has rows');
    for (const row of result.rows) assert.equal(row.length, result.columns.length, 'every row fills every column');
    assert.doesNotThrow(() => JSON.stringify(result), 'the result can be written as JSON');
    console.log(`${bench.name}: ${result.rows.length} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
}
