import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ROOT } from './support/server';

/**
 * The home page's JavaScript stays small: the scripts the built index.html loads, and every
 * module they import statically, gzipped, under 150 KB. Heavy features (the background effect's
 * model and wasm) must be dynamic imports, loaded when someone turns them on. Runs on the build
 * that `npm run test:e2e` makes.
 */
const BUDGET = 150 * 1024;
const dist = join(ROOT, 'web', 'dist');

/** Static imports of a built ES module (`import ... from "./x.js"`, `import "./x.js"`), not `import("./x.js")`. */
function staticImports(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*)["'](\.\/[^"']+\.js)["']/g)) out.push(m[1]!);
  return out;
}

test('the home route loads under 150 KB of gzipped JavaScript and none of the segmentation model', () => {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const entries = [
    ...html.matchAll(/<script[^>]+src="\/assets\/([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/assets\/([^"]+\.js)"/g),
  ].map((m) => m[1]!);
  assert.ok(entries.length > 0, 'index.html loads a script');
  const seen = new Set<string>();
  const queue = [...entries];
  const sizes: Record<string, number> = {};
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(dist, 'assets', file));
    sizes[file] = gzipSync(code, { level: 9 }).length;
    const text = code.toString('utf8');
    assert.ok(!/SelfieSegmentation|selfie_segmentation_solution/.test(text), `${file} holds none of the model's code`);
    for (const dep of staticImports(text)) queue.push(dep.slice(2));
  }
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  console.log(
    `home route JS: ${(total / 1024).toFixed(1)} KB gzipped (${Object.entries(sizes)
      .map(([f, s]) => `${f} ${(s / 1024).toFixed(1)} KB`)
      .join(', ')})`,
  );
  assert.ok(total < BUDGET, `home route JS is ${(total / 1024).toFixed(1)} KB gzipped, over the 150 KB budget`);
});
