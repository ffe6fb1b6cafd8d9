import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const unit = readFileSync(join(ROOT, 'deploy', 'parley.service'), 'utf8');

test('the shipped systemd unit runs a dedicated user with the hardening docs/OPERATIONS.md describes', () => {
  for (const line of [
    'User=parley',
    'EnvironmentFile=/etc/parley/parley.env',
    'StateDirectory=parley',
    'Environment=XDG_STATE_HOME=%S',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'NoNewPrivileges=yes',
    'PrivateTmp=yes',
    'CapabilityBoundingSet=',
    'KillSignal=SIGTERM',
  ]) {
    assert.match(unit, new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), line);
  }
  // The same unit, word for word, in the operations guide.
  const guide = readFileSync(join(ROOT, 'docs', 'OPERATIONS.md'), 'utf8');
  const body = unit.slice(unit.indexOf('[Unit]')).trimEnd();
  assert.ok(guide.includes(body), 'docs/OPERATIONS.md shows deploy/parley.service');
});

/** `systemd-analyze verify` on `text`; null when the command is not installed. */
function verify(text: string): { code: number | null; out: string } | null {
  const dir = mkdtempSync(join(tmpdir(), 'parley-unit-'));
  const file = join(dir, 'parley.service');
  writeFileSync(file, text);
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 60_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return null;
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('systemd-analyze verify accepts the unit', (t) => {
  // The installed `parley` is not on this machine: point ExecStart at this checkout's node instead.
  const local = unit.replace(
    /^ExecStart=.*$/m,
    `ExecStart=${process.execPath} ${join(ROOT, 'server', 'dist', 'cli.js')}`,
  );
  const result = verify(local);
  if (result === null) {
    console.log('skipped: systemd-analyze is not installed (Debian package systemd)');
    t.skip('systemd-analyze is not installed');
    return;
  }
  assert.equal(result.code, 0, result.out);
  assert.equal(result.out.trim(), '', 'no warnings');
  // And it does find mistakes.
  const broken = verify(local.replace('ProtectSystem=strict', 'ProtectSystem=strict\nProtectSystemm=yes'));
  assert.match(broken?.out ?? '', /ProtectSystemm/);
});

test('the operations guide shows deploy/nginx/parley.conf word for word', () => {
  const conf = readFileSync(join(ROOT, 'deploy', 'nginx', 'parley.conf'), 'utf8').trimEnd();
  const guide = readFileSync(join(ROOT, 'docs', 'OPERATIONS.md'), 'utf8');
  assert.ok(guide.includes('```nginx\n' + conf + '\n```'), 'docs/OPERATIONS.md shows deploy/nginx/parley.conf');
});
