// Writes a brotli (.br) and a gzip (.gz) copy beside every compressible file of the build, so the
// server sends them as they are instead of compressing each response (server/src/http.ts).
// A copy is kept only when it is smaller than the file. Usage: node scripts/compress.mjs [dir]
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.webmanifest', '.txt', '.wasm']);

/**
 * Brotli's top quality costs ~18 s for each of the segmentation model's 5.6 MB wasm builds; quality
 * 9 takes ~1 s and is within 15 % of it (1.43 MB against 1.25 MB; gzip: 1.74 MB).
 */
const LARGE = 1024 * 1024;
const LARGE_QUALITY = 9;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

export function compressDir(dir) {
  let count = 0;
  for (const path of [...files(dir)]) {
    if (path.endsWith('.br') || path.endsWith('.gz')) continue;
    if (!COMPRESSIBLE.has(extname(path))) continue;
    const body = readFileSync(path);
    const copies = {
      '.br': brotliCompressSync(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: body.length > LARGE ? LARGE_QUALITY : constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      }),
      '.gz': gzipSync(body, { level: 9 }),
    };
    for (const [ext, copy] of Object.entries(copies)) {
      if (copy.length < body.length) {
        writeFileSync(path + ext, copy);
        count++;
      } else {
        rmSync(path + ext, { force: true });
      }
    }
  }
  return count;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? fileURLToPath(new URL('../dist', import.meta.url));
  process.stdout.write(`compressed copies written: ${compressDir(dir)}\n`);
}
