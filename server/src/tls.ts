import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { generate } from 'selfsigned';
import { ConfigError, type Config } from './config';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** True when generated at start-up (browsers warn until the user accepts it). */
  selfSigned: boolean;
  /** SHA-256 fingerprint, to compare with what the browser shows. */
  fingerprint: string;
  /** Names and addresses the certificate is valid for. */
  names: string[];
}

/** Every address of this machine (so phones on the LAN can reach it by IP) plus localhost. */
export function localNames(): { dns: string[]; ips: string[] } {
  const ips = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal) ips.add(a.address.split('%')[0] ?? a.address);
  }
  return { dns: ['localhost'], ips: [...ips] };
}

/**
 * A self-signed certificate for this machine's names and addresses, generated in memory with
 * pure JavaScript (no openssl, works offline). EC P-256, valid for a year.
 */
export async function selfSignedCertificate(names = localNames()): Promise<TlsMaterial> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'Parley (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 365 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.dns.map((value) => ({ type: 2 as const, value })),
          ...names.ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return {
    cert: pems.cert,
    key: pems.private,
    selfSigned: true,
    fingerprint: fingerprintOf(pems.cert),
    names: [...names.dns, ...names.ips],
  };
}

function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** Read the configured certificate and key, or make a self-signed pair when none is given. */
export async function loadTls(config: Pick<Config, 'tlsCert' | 'tlsKey'>): Promise<TlsMaterial> {
  if (config.tlsCert === '') return selfSignedCertificate();
  const read = async (file: string, option: string): Promise<string> => {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      throw new ConfigError(option, `cannot read "${file}": ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  };
  // One after the other: when both are wrong, the error always names TLS_CERT first.
  const cert = await read(config.tlsCert, 'TLS_CERT');
  const key = await read(config.tlsKey, 'TLS_KEY');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new ConfigError('TLS_CERT', `"${config.tlsCert}" is not a PEM certificate`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    throw new ConfigError('TLS_KEY', `"${config.tlsKey}" is not a PEM private key`);
  }
  return {
    cert,
    key,
    selfSigned: false,
    fingerprint: x509.fingerprint256,
    names: (x509.subjectAltName ?? '').split(', ').filter(Boolean),
  };
}

/** A short id of a certificate for logs. */
export function certId(certPem: string): string {
  return createHash('sha256').update(certPem).digest('hex').slice(0, 16);
}
