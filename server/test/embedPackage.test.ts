import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The environment without npm's own variables, so that this npm is not steered by the run's. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

test('npm pack -w embed makes @parley/embed: the built API with its types, the example page and the README', () => {
  const work = mkdtempSync(join(tmpdir(), 'parley-embed-pack-'));
  // prepack builds dist/ with tsc.
  const pack = spawnSync('npm', ['pack', '-w', 'embed', '--pack-destination', work], {
    cwd: ROOT,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(pack.status, 0, `${pack.stdout}${pack.stderr}`);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.equal(tarball, 'parley-embed-0.1.0.tgz');
  const listing = spawnSync('tar', ['tzf', join(work, tarball)], { encoding: 'utf8' })
    .stdout.split('\n')
    .sort();
  for (const needed of [
    'package/package.json',
    'package/README.md',
    'package/dist/index.js',
    'package/dist/index.d.ts',
    'package/dist/messages.js',
    'package/example/index.html',
  ])
    assert.ok(listing.includes(needed), `${needed} in ${listing.join(', ')}`);
  assert.ok(!listing.some((f) => f.startsWith('package/src/') || f.includes('tsconfig')), 'sources stay out');
  const pkg = JSON.parse(
    spawnSync('tar', ['xzOf', join(work, tarball), 'package/package.json'], { encoding: 'utf8' }).stdout,
  ) as { name: string; private?: boolean; exports: Record<string, { types: string; import: string }> };
  assert.equal(pkg.name, '@parley/embed');
  assert.notEqual(pkg.private, true);
  assert.deepEqual(pkg.exports['.'], { types: './dist/index.d.ts', import: './dist/index.js' });
});
