// Bundles the server and the workspace packages it imports as TypeScript (@parley/*) into
// dist/cli.js. Registry dependencies stay external and load from node_modules.
import { chmodSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {}).filter((name) => !name.startsWith('@parley/'));

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external,
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});

// `parley` is the package's bin: make it runnable directly (npx parley, ./server/dist/cli.js).
chmodSync(new URL('./dist/cli.js', import.meta.url), 0o755);
