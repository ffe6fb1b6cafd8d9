import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { test } from 'node:test';
import { io } from 'socket.io-client';
import { selfSignedCertificate } from '../src/tls';
import { startTestServer } from './support';

/** GET over HTTPS without verifying the certificate; returns the status and the peer certificate. */
function httpsGet(url: string): Promise<{ status: number; cert: PeerCertificate; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      const cert = (res.socket as TLSSocket).getPeerCertificate();
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cert, body }));
    }).on('error', reject);
  });
}

test('--https without a certificate serves a generated self-signed one for local names', async () => {
  const { server } = await startTestServer({ https: true });
  try {
    assert.equal(server.scheme, 'https');
    const { status, cert } = await httpsGet(`https://127.0.0.1:${server.port}/healthz`);
    assert.equal(status, 200);
    assert.equal(cert.subject.CN, 'Parley (self-signed)');
    assert.match(cert.subjectaltname ?? '', /DNS:localhost/);
    assert.match(cert.subjectaltname ?? '', /IP Address:127\.0\.0\.1/);
    assert.equal(cert.fingerprint256, server.tls?.fingerprint);
    // Signaling works over TLS too.
    const socket = io(`https://127.0.0.1:${server.port}/parley`, {
      transports: ['websocket'],
      reconnection: false,
      rejectUnauthorized: false,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    socket.disconnect();
  } finally {
    await server.close();
  }
});

test('TLS_CERT and TLS_KEY serve the given certificate', async () => {
  const pair = await selfSignedCertificate({ dns: ['meet.test'], ips: ['127.0.0.1'] });
  const dir = mkdtempSync(pathJoin(tmpdir(), 'parley-tls-'));
  writeFileSync(pathJoin(dir, 'cert.pem'), pair.cert);
  writeFileSync(pathJoin(dir, 'key.pem'), pair.key);
  const { server } = await startTestServer({
    https: true,
    tlsCert: pathJoin(dir, 'cert.pem'),
    tlsKey: pathJoin(dir, 'key.pem'),
  });
  try {
    const { cert } = await httpsGet(`https://127.0.0.1:${server.port}/healthz`);
    assert.equal(cert.fingerprint256, new X509Certificate(pair.cert).fingerprint256);
    assert.equal(server.tls?.selfSigned, false);
    assert.match(cert.subjectaltname ?? '', /DNS:meet\.test/);
  } finally {
    await server.close();
  }
});

test('an unreadable or wrong certificate file fails with the option named', async () => {
  const dir = mkdtempSync(pathJoin(tmpdir(), 'parley-tls-'));
  writeFileSync(pathJoin(dir, 'garbage.pem'), 'not a certificate');
  for (const [tlsCert, tlsKey, option] of [
    ['/nonexistent.pem', '/nonexistent.key', 'TLS_CERT'],
    [pathJoin(dir, 'garbage.pem'), pathJoin(dir, 'garbage.pem'), 'TLS_CERT'],
  ] as const) {
    await assert.rejects(startTestServer({ https: true, tlsCert, tlsKey }), (err: Error) =>
      err.message.startsWith(option),
    );
  }
});
