import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config';
import type { ParleyServer } from '../src/ParleyServer';
import { startTestServer } from './support';

const servers: ParleyServer[] = [];
async function start(frameAncestors: string[]): Promise<string> {
  const { server, url } = await startTestServer({ frameAncestors });
  servers.push(server);
  return url;
}
after(() => Promise.all(servers.map((s) => s.close())));

const page = (url: string): Promise<Response> => fetch(`${url}/r/room1`, { headers: { accept: 'text/html' } });

describe('embedding in other sites (FRAME_ANCESTORS)', () => {
  test('by default no site may frame Parley: CSP frame-ancestors none and X-Frame-Options DENY, and /embed.json says so', async () => {
    const url = await start([]);
    const res = await page(url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const info = await fetch(`${url}/embed.json`, { headers: { origin: 'https://intranet.example' } });
    assert.equal(info.status, 200);
    assert.equal(info.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(await info.json(), { embeddable: false, frameAncestors: [], option: 'FRAME_ANCESTORS' });
  });

  test('the origins named may frame it: they are the CSP frame-ancestors, X-Frame-Options goes, /embed.json lists them', async () => {
    const url = await start(['https://intranet.example', 'http://127.0.0.1:9999']);
    const res = await page(url);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /(^|; )frame-ancestors https:\/\/intranet\.example http:\/\/127\.0\.0\.1:9999(;|$)/);
    assert.doesNotMatch(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), null);
    // Everything else in the policy is unchanged.
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.deepEqual(await (await fetch(`${url}/embed.json`)).json(), {
      embeddable: true,
      frameAncestors: ['https://intranet.example', 'http://127.0.0.1:9999'],
      option: 'FRAME_ANCESTORS',
    });
  });

  test('FRAME_ANCESTORS takes origins only: paths, wildcards and keywords are configuration errors that say why', () => {
    assert.deepEqual(loadConfig({ FRAME_ANCESTORS: 'https://a.example, https://b.example:8443/' }).frameAncestors, [
      'https://a.example',
      'https://b.example:8443',
    ]);
    assert.deepEqual(loadConfig({}).frameAncestors, []);
    for (const bad of [
      '*',
      "'self'",
      "'none'",
      'https://*.example.org',
      'https://a.example/embed',
      'a.example',
      'ftp://a.example',
    ]) {
      assert.throws(
        () => loadConfig({ FRAME_ANCESTORS: bad }),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.option === 'FRAME_ANCESTORS' &&
          err.message.includes('is not an origin: write scheme://host[:port]'),
        bad,
      );
    }
  });
});
