import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../config';
import { loadResumeKey, ResumeTokens } from './resumeTokens';

test('a token proves one id in one room, under one key', () => {
  const tokens = new ResumeTokens(Buffer.alloc(32, 7));
  const t = tokens.mint('standup', 'k3J9abc');
  assert.match(t, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(tokens.verify('standup', 'k3J9abc', t), true);
  assert.equal(tokens.verify('standup', 'k3J9abd', t), false, 'another id');
  assert.equal(tokens.verify('standup2', 'k3J9abc', t), false, 'another room');
  // The parts cannot be shifted between room and id.
  assert.notEqual(tokens.mint('ab', 'c'), tokens.mint('a', 'bc'));
  assert.equal(new ResumeTokens(Buffer.alloc(32, 8)).verify('standup', 'k3J9abc', t), false, 'another key');
  for (const bad of ['', 'x', t.slice(1), `${t}A`, `${t.slice(0, -1)}=`, t.toUpperCase(), '..'.repeat(30)]) {
    assert.equal(tokens.verify('standup', 'k3J9abc', bad), false, JSON.stringify(bad));
  }
  assert.throws(() => new ResumeTokens(Buffer.alloc(8)), TypeError);
});

test('the same key makes the same tokens: a restarted server recognises its participants', () => {
  const key = Buffer.from('q'.repeat(40));
  const before = new ResumeTokens(key).mint('r', 'id1');
  assert.equal(new ResumeTokens(key).verify('r', 'id1', before), true);
  const rekeyed = new ResumeTokens();
  assert.equal(rekeyed.verify('r', 'id1', before), false);
  rekeyed.rekey(key);
  assert.equal(rekeyed.verify('r', 'id1', before), true);
});

test('RESUME_SECRET wins; otherwise a key is generated once into a private file and read back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-key-'));
  assert.deepEqual(
    loadResumeKey({ resumeSecret: 's'.repeat(32), resumeSecretFile: join(dir, 'x') }).source,
    'RESUME_SECRET',
  );
  const file = join(dir, 'a', 'b', 'resume-secret');
  const first = loadResumeKey({ resumeSecret: '', resumeSecretFile: file });
  assert.equal(first.source, 'file');
  assert.equal(first.warning, undefined);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.ok(readFileSync(file, 'utf8').trim().length >= 43);
  const second = loadResumeKey({ resumeSecret: '', resumeSecretFile: file });
  assert.ok(second.key.equals(first.key), 'read back, not made again');
  const memory = loadResumeKey({ resumeSecret: '', resumeSecretFile: '' });
  assert.equal(memory.source, 'memory');
  assert.ok(!memory.key.equals(first.key));
});

test('a key file that cannot be written leaves a warning and a key in memory; an unsafe one stops the start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-key-'));
  const blocker = join(dir, 'not-a-dir');
  writeFileSync(blocker, '');
  const r = loadResumeKey({ resumeSecret: '', resumeSecretFile: join(blocker, 'resume-secret') });
  assert.equal(r.source, 'memory');
  assert.match(r.warning ?? '', /new ids after a restart; set RESUME_SECRET/);
  const open = join(dir, 'open');
  writeFileSync(open, 'k'.repeat(43));
  chmodSync(open, 0o640);
  assert.throws(() => loadResumeKey({ resumeSecret: '', resumeSecretFile: open }), ConfigError);
  const short = join(dir, 'short');
  writeFileSync(short, 'short\n', { mode: 0o600 });
  assert.throws(() => loadResumeKey({ resumeSecret: '', resumeSecretFile: short }), /no key of at least 32/);
  const sub = join(dir, 'sub');
  mkdirSync(sub);
  assert.throws(() => loadResumeKey({ resumeSecret: '', resumeSecretFile: sub }), /not a regular file/);
});
