import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadConfig, options } from './config';
import { envExample } from './envExample';

const file = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');

test('.env.example is generated from the option table (regenerate: node --import tsx server/src/envExample.ts > .env.example)', () => {
  assert.equal(file, envExample());
});

test('.env.example names every option once, commented out, and uncommented it is a valid configuration', () => {
  const named = [...file.matchAll(/^#([A-Z][A-Z0-9_]*)=(.*)$/gm)];
  assert.deepEqual(named.map((m) => m[1]).sort(), options.map((o) => o.env).sort());
  // Uncommenting every line with a value gives the defaults back.
  const env = Object.fromEntries(named.map((m) => [m[1] ?? '', m[2] ?? '']));
  assert.doesNotThrow(() => loadConfig(env));
});

test('docs/CONFIG.md has a row for every option, with its variable and flag', () => {
  const doc = readFileSync(new URL('../../docs/CONFIG.md', import.meta.url), 'utf8');
  for (const o of options) assert.ok(doc.includes(`| \`${o.env}\` / \`--${o.flag}\``), `${o.env} in docs/CONFIG.md`);
});
