import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EVIDENCE_ON, slug } from './support/evidence';
import { ROOT } from './support/server';

/** The child is a test run of its own: without the parent's NODE_TEST_CONTEXT it reports its results. */
function childEnv(dir: string): NodeJS.ProcessEnv {
  // Traces are for chasing one failure (off by default): the child turns them on to show them.
  const env: NodeJS.ProcessEnv = { ...process.env, PARLEY_EVIDENCE_DIR: dir, PARLEY_E2E_TRACE: '1' };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

test(
  'a failed browser test leaves a screenshot and a trace (Chromium) or a screenshot and the console log (Firefox), named after it',
  { skip: EVIDENCE_ON ? false : 'evidence is turned off (PARLEY_E2E_EVIDENCE=0)' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-evidence-test-'));
    try {
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--test', '--test-reporter=tap', join('e2e', 'fixtures', 'evidenceFailing.ts')],
        { cwd: ROOT, env: childEnv(dir), encoding: 'utf8', timeout: 90_000 },
      );
      assert.notEqual(child.status, 0, 'the failing tests fail');
      assert.match(child.stdout, /# pass 1/, child.stdout + child.stderr);
      assert.match(child.stdout, /# fail 2/);

      const chromium = join(dir, slug('a Chromium test that fails on purpose'));
      const files = readdirSync(chromium);
      const png = files.find((f) => f.endsWith('-page1.png'));
      const zip = files.find((f) => f.endsWith('-trace.zip'));
      assert.ok(png && zip, `screenshot and trace: ${files.join(', ')}`);
      assert.equal(readFileSync(join(chromium, png)).subarray(1, 4).toString(), 'PNG');
      assert.equal(readFileSync(join(chromium, zip)).subarray(0, 2).toString(), 'PK');
      const chromiumLog = files.find((f) => f.endsWith('-console.log'));
      assert.ok(chromiumLog, `console log: ${files.join(', ')}`);
      assert.match(readFileSync(join(chromium, chromiumLog), 'utf8'), /hello from Chromium/);

      const firefox = join(dir, slug('a Firefox test that fails on purpose'));
      const ffFiles = readdirSync(firefox);
      const ffPng = ffFiles.find((f) => f.endsWith('-page.png'));
      const log = ffFiles.find((f) => f.endsWith('-console.log'));
      assert.ok(ffPng && log, `screenshot and console log: ${ffFiles.join(', ')}`);
      assert.equal(readFileSync(join(firefox, ffPng)).subarray(1, 4).toString(), 'PNG');
      assert.match(readFileSync(join(firefox, log), 'utf8'), /hello from the page/);

      assert.equal(existsSync(join(dir, slug('a Chromium test that passes'))), false, 'a passing test keeps nothing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
