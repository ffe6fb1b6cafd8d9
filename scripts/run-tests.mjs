// Runs one stage of the test suite with Node's test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs unit|integration|e2e [extra files or name filters]
// Each stage appends its totals to .e2e-tmp/totals so scripts/test.sh can print one summary.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stage = process.argv[2];
const filters = process.argv.slice(3);

const stages = {
  unit: { dirs: ['protocol/src', 'server/src', 'web/src', 'embed/src', 'bench', 'scripts'], concurrency: 2 },
  // Two integration files at a time, the longest first: most of them wait on timers and child
  // processes rather than the CPU, so the 100,000-event fuzz runs beside the others.
  integration: {
    dirs: ['server/test'],
    concurrency: 2,
    first: ['server/test/fuzz.test.ts', 'server/test/cli.test.ts', 'server/test/package.test.ts'],
  },
  // One browser file at a time (docs/TESTING.md says why), with each file's time at the end.
  e2e: { dirs: ['e2e'], concurrency: 1, fileTimes: true },
};
const spec = stages[stage];
if (!spec) {
  console.error(`usage: run-tests.mjs ${Object.keys(stages).join('|')} [filter ...]`);
  process.exit(2);
}

function find(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) find(path, out);
    else if (/\.test\.tsx?$/.test(entry.name)) out.push(relative(root, path));
  }
  return out;
}

let files = spec.dirs.flatMap((d) => find(join(root, d))).sort();
if (filters.length > 0) files = files.filter((f) => filters.some((flt) => f.includes(flt)));
const first = spec.first ?? [];
const rank = (f) => (first.includes(f) ? first.indexOf(f) : first.length);
files.sort((a, b) => rank(a) - rank(b));
if (files.length === 0) {
  console.error(`no ${stage} test files${filters.length ? ` match ${filters.join(' ')}` : ''}`);
  process.exit(1);
}

const tmp = join(root, '.e2e-tmp');
mkdirSync(tmp, { recursive: true });
const tap = join(tmp, `${stage}.tap`);
rmSync(tap, { force: true });
console.log(`\n== ${stage} tests (${files.length} files) ==`);
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${spec.concurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...(spec.fileTimes
      ? ['--test-reporter=./scripts/file-times-reporter.mjs', '--test-reporter-destination=stdout']
      : []),
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);

let pass = 0;
let fail = 0;
try {
  const text = readFileSync(tap, 'utf8');
  pass = Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
  fail = Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(text)?.[1] ?? 0);
} catch {
  fail = 1;
}
appendFileSync(join(tmp, 'totals'), `${stage} ${pass} ${fail}\n`);
console.log(`${stage}: ${pass} passed, ${fail} failed`);
process.exit(result.status === 0 && fail === 0 ? 0 : 1);
