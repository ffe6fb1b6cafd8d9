import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';

/** V8's explicit compile hint for a whole file (Chromium 136 and later; other engines ignore it). */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad';

/**
 * `code` with the compile hint as its first line, and its source map's mappings (`map`, the
 * map file's JSON) moved down that line, so that every position still maps where it did.
 */
export function withCompileHint(code: string, map: string | null): { code: string; map: string | null } {
  if (code.startsWith(COMPILE_HINT)) return { code, map };
  let shifted = map;
  if (map !== null) {
    const json = JSON.parse(map) as { mappings?: unknown };
    if (typeof json.mappings !== 'string') throw new Error('a source map without mappings');
    // One ';' per generated line: an empty first line.
    json.mappings = `;${json.mappings}`;
    shifted = JSON.stringify(json);
  }
  return { code: `${COMPILE_HINT}\n${code}`, map: shifted };
}

/**
 * Marks the named chunks for eager compilation. Chromium then compiles all their functions when
 * the chunk loads, on a background thread, instead of each one on the page's main thread the
 * first time it runs. For the call's code, loaded ahead on the home page and the pre-join screen,
 * that first time is the call's set-up: the Join click, the join, the offer and the answer. The
 * hint must open the file, so it goes into the files as written (Vite still rewrites chunks and
 * their maps after `generateBundle`).
 */
export function compileHints(chunks: ReadonlySet<string>): Plugin {
  return {
    name: 'parley-compile-hints',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir;
      if (!dir) throw new Error('compile hints need an output directory');
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk' || !chunks.has(file.name)) continue;
        const codePath = join(dir, file.fileName);
        const mapPath = file.sourcemapFileName ? join(dir, file.sourcemapFileName) : null;
        const map = mapPath && existsSync(mapPath) ? readFileSync(mapPath, 'utf8') : null;
        const hinted = withCompileHint(readFileSync(codePath, 'utf8'), map);
        writeFileSync(codePath, hinted.code);
        if (mapPath && hinted.map !== null) writeFileSync(mapPath, hinted.map);
      }
    },
  };
}
