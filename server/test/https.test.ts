import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { test } from 'node:test';
import { io } from 'socket.io-client';
import { generate } from 'selfsigned';
import { keptSelfSignedCertificate, SELF_SIGNED_FILE, selfSignedCertificate } from '../src/tls';
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

test('the generated certificate is kept (mode 0600) and reused until names change, it expires or it is damaged', async () => {
  const dir = pathJoin(mkdtempSync(pathJoin(tmpdir(), 'parley-state-')), 'parley');
  const names = { dns: ['localhost'], ips: ['127.0.0.1', '::1'] };
  const first = await keptSelfSignedCertificate(dir, names);
  const file = pathJoin(dir, SELF_SIGNED_FILE);
  assert.equal(first.stored, file);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const second = await keptSelfSignedCertificate(dir, names);
  assert.equal(second.fingerprint, first.fingerprint, 'the same certificate after a restart');
  assert.equal(second.key, first.key);

  // A new address on this machine: the kept certificate does not cover it.
  const moved = await keptSelfSignedCertificate(dir, { ...names, ips: [...names.ips, '192.0.2.7'] });
  assert.notEqual(moved.fingerprint, first.fingerprint);
  assert.equal(
    (await keptSelfSignedCertificate(dir, { ...names, ips: [...names.ips, '192.0.2.7'] })).fingerprint,
    moved.fingerprint,
  );

  // Expiring within a week: replaced.
  const notBeforeDate = new Date(Date.now() - 360 * 86_400_000);
  const old = await generate([{ name: 'commonName', value: 'Parley (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(Date.now() + 86_400_000),
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  writeFileSync(file, old.cert + old.private);
  const renewed = await keptSelfSignedCertificate(dir, names);
  assert.notEqual(renewed.fingerprint, new X509Certificate(old.cert).fingerprint256);
  assert.ok(Date.parse(new X509Certificate(renewed.cert).validTo) > Date.now() + 300 * 86_400_000);

  // Damaged, or a key that is not the certificate's: replaced.
  writeFileSync(file, 'garbage');
  assert.notEqual((await keptSelfSignedCertificate(dir, names)).fingerprint, renewed.fingerprint);
  const other = await selfSignedCertificate(names);
  writeFileSync(file, renewed.cert + other.key);
  const fixed = await keptSelfSignedCertificate(dir, names);
  assert.ok(new X509Certificate(fixed.cert).checkPrivateKey(createPrivateKey(fixed.key)));

  // A directory that cannot be written: a certificate all the same, with a warning.
  const blocked = pathJoin(mkdtempSync(pathJoin(tmpdir(), 'parley-state-')), 'file');
  writeFileSync(blocked, '');
  const memory = await keptSelfSignedCertificate(pathJoin(blocked, 'parley'), names);
  assert.equal(memory.stored, undefined);
  assert.match(memory.warning ?? '', /cannot keep the self-signed certificate/);
});
