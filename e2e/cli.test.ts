import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from './support/server';

const run = promisify(execFile);

test('`npx parley --help` runs the built server command and lists its flags', async () => {
  const { stdout } = await run('npx', ['--no-install', 'parley', '--help'], { cwd: ROOT });
  assert.match(stdout, /^Usage: parley \[options\]/);
  for (const flag of ['--port', '--https', '--turn-urls', '--trust-proxy', '--shutdown-timeout']) {
    assert.ok(stdout.includes(flag), flag);
  }
});
