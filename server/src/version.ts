import { readFileSync } from 'node:fs';

/**
 * Parley's version, as printed by `parley --version` and exported in /metrics: the one in the
 * root package.json, read at start. The file is two levels up both from server/src/version.ts
 * and from the bundle server/dist/cli.js, and ships in the npm package.
 */
function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name?: unknown;
    version?: unknown;
  };
  if (pkg.name !== 'parley' || typeof pkg.version !== 'string') {
    throw new Error("Parley's package.json is missing beside server/: reinstall the package");
  }
  return pkg.version;
}

export const version = readVersion();
