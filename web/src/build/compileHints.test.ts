import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { COMPILE_HINT, withCompileHint } from './compileHints';

describe('compile hints', () => {
  test('the hint opens the file and the source map moves down one line', () => {
    const map = JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings: 'AAAA;AACA' });
    const out = withCompileHint('let a=1;\nlet b=2;', map);
    assert.equal(out.code, `${COMPILE_HINT}\nlet a=1;\nlet b=2;`);
    assert.equal(out.code.split('\n')[0], COMPILE_HINT, 'first line of the file');
    assert.equal((JSON.parse(out.map ?? '{}') as { mappings: string }).mappings, ';AAAA;AACA');
    // Line n of the old file is line n + 1 of the new one, and so is its mapping.
    assert.equal(out.code.split('\n')[2], 'let b=2;');
    assert.equal((JSON.parse(out.map ?? '{}') as { mappings: string }).mappings.split(';')[2], 'AACA');
  });

  test('a chunk without a source map, or hinted already, is handled', () => {
    assert.deepEqual(withCompileHint('x()', null), { code: `${COMPILE_HINT}\nx()`, map: null });
    const once = withCompileHint('x()', JSON.stringify({ mappings: 'AAAA' }));
    assert.deepEqual(withCompileHint(once.code, once.map), once, 'not hinted (or shifted) twice');
  });

  test('a map that is not a source map is an error, not a silently wrong map', () => {
    assert.throws(() => withCompileHint('x()', JSON.stringify({ version: 3 })), /without mappings/);
  });
});
