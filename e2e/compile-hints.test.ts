import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { COMPILE_HINT } from '../web/src/build/compileHints';
import { ROOT } from './support/server';

/**
 * The call's code (the call page and the signaling client) opens with V8's compile hint in the
 * build that `npm run test:e2e` makes, in each variant the server sends (plain, brotli, gzip),
 * and its source map maps nothing to the hint's line (see web/src/build/compileHints.ts).
 */
const assets = join(ROOT, 'web', 'dist', 'assets');

test("the call's code is marked for compilation as it loads, as served", () => {
  for (const name of ['CallPage', 'SignalingClient']) {
    const file = readdirSync(assets).find((f) => f.startsWith(`${name}-`) && f.endsWith('.js'));
    assert.ok(file, `the build has a ${name} chunk`);
    const path = join(assets, file);
    const variants: Array<[string, string]> = [['plain', readFileSync(path, 'utf8')]];
    if (existsSync(`${path}.br`))
      variants.push(['brotli', brotliDecompressSync(readFileSync(`${path}.br`)).toString()]);
    if (existsSync(`${path}.gz`)) variants.push(['gzip', gunzipSync(readFileSync(`${path}.gz`)).toString()]);
    assert.ok(variants.length === 3, `${file} is precompressed (brotli and gzip)`);
    for (const [variant, code] of variants) {
      assert.equal(code.split('\n')[0], COMPILE_HINT, `${file} (${variant}) opens with the hint`);
    }
    const map = JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { mappings: string };
    assert.ok(map.mappings.startsWith(';'), `${file}.map maps nothing to the hint's line`);
    assert.ok(!map.mappings.startsWith(';;'), `${file}.map moved down one line, not two`);
  }
});
