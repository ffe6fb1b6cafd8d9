import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { compressDir } from '../../web/scripts/compress.mjs';
import { defaultStaticDir } from '../src/config';
import type { ParleyServer } from '../src/ParleyServer';
import { startTestServer } from './support';

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A GET that shows the bytes as sent (fetch would decompress them and hide the encoding). */
function get(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const INDEX = `<!doctype html><html><head><title>Parley static test</title>
<script type="module" src="/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>`;
/** Large and repetitive enough to be worth compressing. */
const SCRIPT = Array.from({ length: 400 }, (_, i) => `export const value${i} = ${i} * 2;`).join('\n');

function builtWebRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-static-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX + '\n'.repeat(200));
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), SCRIPT);
  writeFileSync(join(dir, 'download-sw.js'), "self.addEventListener('fetch', () => {});\n");
  writeFileSync(join(dir, '.env'), 'SECRET=1\n');
  assert.ok(compressDir(dir) >= 4, 'the build step writes .br and .gz copies');
  return dir;
}

describe('static files', () => {
  let server: ParleyServer;
  let url: string;
  before(async () => {
    ({ server, url } = await startTestServer({ staticDir: builtWebRoot() }));
  });
  after(() => server.close());

  const asset = () => `${url}/assets/index-AbC123.js`;

  test('brotli, gzip or the file itself, as the client accepts', async () => {
    const br = await get(asset(), { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.match(br.headers['content-type'] ?? '', /^text\/javascript/);
    assert.equal(brotliDecompressSync(br.body).toString(), SCRIPT);
    assert.ok(br.body.length < SCRIPT.length / 2);

    const gz = await get(asset(), { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), SCRIPT);

    const plain = await get(asset());
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    assert.equal(plain.body.toString(), SCRIPT);
  });

  test('a repeated request with the ETag is answered 304 without a body', async () => {
    for (const enc of ['br', 'gzip', '']) {
      const first = await get(asset(), { 'accept-encoding': enc });
      const etag = first.headers.etag;
      assert.ok(etag, `an ETag (${enc || 'identity'})`);
      const again = await get(asset(), { 'accept-encoding': enc, 'if-none-match': etag });
      assert.equal(again.status, 304);
      assert.equal(again.body.length, 0);
      assert.equal(again.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(again.headers.vary, 'Accept-Encoding');
      assert.equal(again.headers.etag, etag, 'a 304 names the validator it confirms (RFC 9110 15.4.5)');
      const changed = await get(asset(), { 'accept-encoding': enc, 'if-none-match': 'W/"other"' });
      assert.equal(changed.status, 200);
      assert.equal(changed.headers.etag, etag, 'a stale validator gets the current one');
    }
    const index = await get(`${url}/`, { accept: 'text/html' });
    const revalidated = await get(`${url}/`, { accept: 'text/html', 'if-none-match': index.headers.etag ?? '' });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.headers['cache-control'], 'no-cache');
    assert.equal(revalidated.headers.etag, index.headers.etag);
  });

  test('hashed assets are immutable; the page and root files are revalidated', async () => {
    assert.equal((await get(asset())).headers['cache-control'], 'public, max-age=31536000, immutable');
    for (const path of ['/', '/index.html']) {
      const page = await get(url + path, { accept: 'text/html', 'accept-encoding': 'br' });
      assert.equal(page.status, 200);
      assert.equal(page.headers['cache-control'], 'no-cache', path);
      assert.match(page.headers['content-type'] ?? '', /^text\/html/);
      assert.match(brotliDecompressSync(page.body).toString(), /Parley static test/);
    }
    const sw = await get(`${url}/download-sw.js`);
    assert.equal(sw.status, 200);
    assert.match(sw.headers['content-type'] ?? '', /^text\/javascript/);
    assert.equal(sw.headers['cache-control'], 'no-cache');
  });

  test('a byte range is answered 206 from the file itself', async () => {
    const part = await get(asset(), { range: 'bytes=7-19', 'accept-encoding': 'br, gzip' });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 7-19/${SCRIPT.length}`);
    assert.equal(part.headers['content-encoding'], undefined);
    assert.equal(part.body.toString(), SCRIPT.slice(7, 20));
    const open = await get(asset(), { range: `bytes=${SCRIPT.length - 5}-` });
    assert.equal(open.status, 206);
    assert.equal(open.body.toString(), SCRIPT.slice(-5));
    // The first byte alone, and a range past the end.
    const first = await get(asset(), { range: 'bytes=0-0' });
    assert.ok(first.status === 200 ? first.body.toString() === SCRIPT : first.body.toString() === SCRIPT[0]);
    assert.equal((await get(asset(), { range: `bytes=${SCRIPT.length + 10}-` })).status, 416);
    // Forms answered with the whole file rather than wrongly.
    for (const range of ['bytes=-5', 'bytes=0-1,5-9', 'items=0-4']) {
      const whole = await get(asset(), { range });
      assert.equal(whole.status, 200, range);
      assert.equal(whole.body.toString(), SCRIPT, range);
    }
  });

  test("the app's routes get index.html; missing files do not", async () => {
    for (const path of ['/call/alice/room1', '/r/room1', '/check', '/r/team.standup']) {
      const page = await get(url + path, { accept: 'text/html,application/xhtml+xml' });
      assert.equal(page.status, 200, path);
      assert.equal(page.headers['cache-control'], 'no-cache', path);
      assert.match(page.body.toString(), /Parley static test/, path);
      assert.equal(page.headers['content-security-policy']?.includes("default-src 'self'"), true, path);
    }
    // A route without an extension works without an Accept header too (a reload from some clients).
    assert.equal((await get(`${url}/call/alice/room1`)).status, 200);
    const missing = await get(`${url}/assets/missing-123.js`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['cache-control'], undefined);
  });

  test('nothing outside the web root, and no dotfiles', async () => {
    for (const path of [
      '/../../../etc/passwd',
      '/assets/..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/.env',
    ]) {
      const res = await get(url + path);
      assert.ok(res.status === 404 || res.status === 400 || /Parley static test/.test(res.body.toString()), path);
      assert.doesNotMatch(res.body.toString(), /root:|SECRET=/, path);
    }
    // A path that is not a URL path at all.
    assert.equal((await get(`${url}//`)).status, 400);
  });
});

test('a server started before the build answers 503, then serves the app once it is built', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-unbuilt-'));
  const { server, url } = await startTestServer({ staticDir: dir });
  try {
    const before = await get(`${url}/`, { accept: 'text/html' });
    assert.equal(before.status, 503);
    assert.match(before.body.toString(), /npm run build/);
    writeFileSync(join(dir, 'index.html'), INDEX);
    assert.equal((await get(`${url}/`, { accept: 'text/html' })).status, 200);
  } finally {
    await server.close();
  }
});

/** The home route's JavaScript budget, gzipped: what the page links before anything is lazy-loaded. */
const HOME_JS_BUDGET_GZIP = 150 * 1024;

/**
 * What a first visit to the home page transfers: index.html and the scripts and styles it links,
 * brotli-compressed as served, and its scripts within HOME_JS_BUDGET_GZIP (the call screen,
 * RNNoise and other heavy parts load only when used). Needs the real build (npm run build).
 */
test('home page transfer size (the real build)', async (t) => {
  if (!existsSync(join(defaultStaticDir, 'index.html'))) {
    t.skip('web/dist is not built (npm run build)');
    return;
  }
  const { server, url } = await startTestServer({ staticDir: defaultStaticDir });
  try {
    const html = readFileSync(join(defaultStaticDir, 'index.html'), 'utf8');
    const linked = [...html.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] ?? '');
    assert.ok(
      linked.some((p) => p.endsWith('.js')),
      'the page links its script',
    );
    let raw = 0;
    let sent = 0;
    let gzipped = 0;
    let gzippedJs = 0;
    const rows: string[] = [];
    for (const path of ['/', ...linked]) {
      const plain = await get(url + path, { accept: 'text/html' });
      const br = await get(url + path, { accept: 'text/html', 'accept-encoding': 'br, gzip' });
      assert.equal(br.status, 200, path);
      assert.equal(br.headers['content-encoding'], 'br', path);
      const gz = (await get(url + path, { accept: 'text/html', 'accept-encoding': 'gzip' })).body.length;
      gzipped += gz;
      if (path.endsWith('.js')) gzippedJs += gz;
      raw += plain.body.length;
      sent += br.body.length;
      rows.push(
        `  ${path.padEnd(40)} ${String(plain.body.length).padStart(8)} B -> ${String(br.body.length).padStart(7)} B`,
      );
    }
    assert.ok(sent < raw / 2, 'compression at least halves the home page');
    assert.ok(
      gzippedJs < HOME_JS_BUDGET_GZIP,
      `the home page's scripts are ${gzippedJs} B gzipped, over the ${HOME_JS_BUDGET_GZIP} B budget`,
    );
    console.log(
      `home page transfer (brotli per file):\n${rows.join('\n')}\n  total ${raw} B raw, ${sent} B brotli, ${gzipped} B gzip (scripts ${gzippedJs} B)`,
    );
  } finally {
    await server.close();
  }
});
