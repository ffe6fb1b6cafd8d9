import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const reporter = fileURLToPath(new URL('./file-times-reporter.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'parley-file-times-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('file times: each file with its hooks, slowest first, in a run of one file at a time', () => {
  const wait = (ms: number): string => `await new Promise((r) => setTimeout(r, ${ms}));`;
  writeFileSync(join(dir, 'quick.test.mjs'), `import test from 'node:test';\ntest('a', () => {});\n`);
  // The slow file spends its time in a hook, which no test's own duration includes.
  writeFileSync(
    join(dir, 'slow.test.mjs'),
    `import test, { before } from 'node:test';\nbefore(async () => { ${wait(2000)} });\ntest('b', () => {});\n`,
  );
  writeFileSync(
    join(dir, 'middle.test.mjs'),
    `import test from 'node:test';\ntest('c', async () => { ${wait(600)} });\n`,
  );
  const run = spawnSync(
    process.execPath,
    [
      '--test',
      '--test-concurrency=1',
      `--test-reporter=${reporter}`,
      '--test-reporter-destination=stdout',
      'quick.test.mjs',
      'slow.test.mjs',
      'middle.test.mjs',
    ],
    // Without the outer runner's context, so the inner run reports to its own reporters.
    { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_TEST_CONTEXT: undefined } },
  );
  assert.equal(run.status, 0, run.stderr);
  const rows = [...run.stdout.matchAll(/^\s+([\d.]+) s {2}(\S+)$/gm)].map((m) => ({ s: Number(m[1]), file: m[2] }));
  assert.deepEqual(rows.map((r) => r.file).sort(), ['middle.test.mjs', 'quick.test.mjs', 'slow.test.mjs'], run.stdout);
  assert.deepEqual(
    rows.map((r) => r.s),
    rows.map((r) => r.s).sort((a, b) => b - a),
    `slowest first: ${run.stdout}`,
  );
  // Lower bounds only: a file's time includes its hook (2 s) or its test's own wait (0.6 s).
  const time = (file: string): number => rows.find((r) => r.file === file)!.s;
  assert.ok(time('slow.test.mjs') >= 2, `the hook's time counts: ${run.stdout}`);
  assert.ok(time('middle.test.mjs') >= 0.6, run.stdout);
  assert.match(run.stdout, /slowest files \(of 3, \d+ s in all\)/);
});
