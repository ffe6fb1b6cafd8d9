import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonShapeProblem } from './jsonShape';

const limits = { depth: 4, items: 5 };

test('depth counts arrays and objects, not brackets inside strings', () => {
  assert.equal(jsonShapeProblem('[[[[1]]]]', limits), null);
  assert.match(jsonShapeProblem('[[[[[1]]]]]', limits) ?? '', /deeper than 4/);
  assert.match(jsonShapeProblem('{"a":{"b":{"c":{"d":{}}}}}', limits) ?? '', /deeper than 4/);
  assert.equal(jsonShapeProblem('["[[[[[[[[", "{{{{{{{{{"]', limits), null);
  assert.equal(jsonShapeProblem('["\\"[[[[[[[[", 1]', limits), null, 'an escaped quote does not end the string');
  assert.equal(jsonShapeProblem('"\\\\"', limits), null);
});

test('items count every value inside containers', () => {
  assert.equal(jsonShapeProblem('[1,2,3,4,5]', limits), null);
  assert.match(jsonShapeProblem('[1,2,3,4,5,6]', limits) ?? '', /more than 5 values/);
  assert.match(jsonShapeProblem('{"a":[1,2],"b":[3,4]}', limits) ?? '', /more than 5/);
  assert.equal(jsonShapeProblem('[[],[],[]]', limits), null);
  assert.equal(jsonShapeProblem('[ "a,b,c,d,e,f,g" ]', limits), null, 'commas inside strings do not count');
});

test('a text 100,000 levels deep is refused at the limit, and measuring it needs no stack', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  assert.match(jsonShapeProblem(deep, { depth: 32, items: 4096 }) ?? '', /deeper than 32/);
  assert.equal(jsonShapeProblem(deep, { depth: 100_000, items: 100_000 }), null, 'no stack needed at any depth');
});

test('scanning starts at the offset given', () => {
  assert.equal(jsonShapeProblem('[[[[[[["ignored"', limits, 7), null);
});
