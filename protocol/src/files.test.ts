import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileSizeProblem, formatBytes, parseFileControl, parseFileEnd, safeFileName } from './files';

test('control messages parse, and malformed ones are refused', () => {
  assert.deepEqual(parseFileControl('{"type":"file-offer","id":"t1","name":"a.txt","size":3,"mime":"text/plain"}'), {
    type: 'file-offer',
    id: 't1',
    name: 'a.txt',
    size: 3,
    mime: 'text/plain',
  });
  assert.ok(parseFileControl('{"type":"file-decline","id":"t1","reason":"too-large"}'));
  assert.ok(parseFileControl('{"type":"file-decline","id":"t1","reason":"too-many"}'));
  for (const bad of [
    'not json',
    '{"type":"file-offer","id":"t1","name":"","size":3,"mime":""}',
    '{"type":"file-offer","id":"t 1","name":"a","size":3,"mime":""}',
    '{"type":"file-offer","id":"t1","name":"a","size":-1,"mime":""}',
    '{"type":"file-offer","id":"t1","name":"a","size":1.5,"mime":""}',
    '{"type":"file-accept","id":"t1","extra":1}',
    '{"type":"file-decline","id":"t1","reason":"whatever"}',
    '{"type":"nope","id":"t1"}',
    'null',
    'x'.repeat(5000),
  ]) {
    assert.equal(parseFileControl(bad), null, bad.slice(0, 60));
  }
});

test('the end message needs a lowercase hex SHA-256', () => {
  assert.ok(parseFileEnd(JSON.stringify({ type: 'file-end', sha256: 'a'.repeat(64) })));
  assert.equal(parseFileEnd(JSON.stringify({ type: 'file-end', sha256: 'A'.repeat(64) })), null);
  assert.equal(parseFileEnd(JSON.stringify({ type: 'file-end', sha256: 'a'.repeat(63) })), null);
});

test('file names are made safe to show and save', () => {
  assert.equal(safeFileName('../../etc/passwd'), '.._.._etc_passwd');
  assert.equal(safeFileName('evil\u202etxt.exe'), 'evil_txt.exe');
  assert.equal(safeFileName('..'), 'file');
  assert.equal(safeFileName('   '), 'file');
  assert.equal([...safeFileName('é'.repeat(300))].length, 255);
});

test('file names lose every bidi control, so "\u2067gpj.exe\u2069" cannot pose as a picture', () => {
  assert.equal(safeFileName('photo\u2067gpj.exe\u2069'), 'photo_gpj.exe_');
  assert.equal(safeFileName('a\u2066b\u2068c\u061cd\u200ee'), 'a_b_c_d_e');
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    if (!/[\p{Bidi_Control}\p{Cc}]/u.test(ch)) continue;
    assert.equal(safeFileName(`a${ch}b`), 'a_b', `U+${cp.toString(16)} survives`);
  }
});

test('the size limit refuses with a clear sentence', () => {
  assert.equal(fileSizeProblem(1024 ** 3), null);
  assert.match(fileSizeProblem(1024 ** 3 + 1) ?? '', /at most 1.0 GB/);
  assert.match(fileSizeProblem(11, 10) ?? '', /at most 10 B; this one is 11 B/);
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(200 * 1024 * 1024), '200 MB');
});
