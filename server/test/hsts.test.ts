import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ParleyServer } from '../src/ParleyServer';
import { startTestServer } from './support';

const servers: ParleyServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function hsts(trustProxy: boolean, headers: Record<string, string>): Promise<string | null> {
  const { server, url } = await startTestServer({ trustProxy });
  servers.push(server);
  const res = await fetch(`${url}/healthz`, { headers });
  await res.arrayBuffer();
  return res.headers.get('strict-transport-security');
}

test('behind a TLS-terminating proxy with TRUST_PROXY, HSTS is sent when the proxy says https', async () => {
  assert.equal(await hsts(true, { 'x-forwarded-proto': 'https' }), 'max-age=31536000');
  assert.equal(await hsts(true, { 'x-forwarded-proto': 'http' }), null);
  assert.equal(await hsts(true, {}), null);
});

test('without TRUST_PROXY a client cannot claim https to get HSTS on plain HTTP', async () => {
  assert.equal(await hsts(false, { 'x-forwarded-proto': 'https' }), null);
});
