import { createHash, createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
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
  /** A generated certificate: the file it was read from or written to (absent: memory only). */
  stored?: string;
  /** Why a generated certificate could not be kept on disk (it still serves, until a restart). */
  warning?: string;
}

/** File of the generated certificate and its key, beside the resume key (RESUME_SECRET_FILE). */
export const SELF_SIGNED_FILE = 'self-signed.pem';

/** A kept certificate is replaced this long before it expires, so it never lapses while running. */
const RENEW_BEFORE_MS = 7 * 86_400_000;

/** The kept certificate at `file`, if it is intact, current, and valid for every one of `names`. */
function readKept(file: string, names: { dns: string[]; ips: string[] }): TlsMaterial | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\r?\n?/.exec(text)?.[0];
  const key = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]+?-----END \1PRIVATE KEY-----\r?\n?/.exec(text)?.[0];
  if (!cert || !key) return null;
  try {
    const x509 = new X509Certificate(cert);
    const now = Date.now();
    if (Date.parse(x509.validFrom) > now || Date.parse(x509.validTo) - RENEW_BEFORE_MS < now) return null;
    if (!x509.checkPrivateKey(createPrivateKey(key))) return null;
    if (!names.dns.every((n) => x509.checkHost(n) !== undefined)) return null;
    if (!names.ips.every((ip) => x509.checkIP(ip) !== undefined)) return null;
    return {
      cert,
      key,
      selfSigned: true,
      fingerprint: x509.fingerprint256,
      names: [...names.dns, ...names.ips],
      stored: file,
    };
  } catch {
    return null;
  }
}

/**
 * The self-signed certificate kept in `dir` (mode 0600), so that browsers and phones that
 * accepted it once keep accepting it after a restart. A new one is made and kept when there is
 * none, when it expires within a week, or when it does not cover this machine's current names
 * and addresses. `dir` '' keeps a new certificate in memory only.
 */
export async function keptSelfSignedCertificate(dir: string, names = localNames()): Promise<TlsMaterial> {
  if (dir === '') return selfSignedCertificate(names);
  const file = join(dir, SELF_SIGNED_FILE);
  const kept = readKept(file, names);
  if (kept) return kept;
  const fresh = await selfSignedCertificate(names);
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, `${fresh.cert.trimEnd()}\n${fresh.key.trimEnd()}\n`, { mode: 0o600, flag: 'wx' });
    // Renamed into place: a reader never sees half a file.
    renameSync(tmp, file);
    return { ...fresh, stored: file };
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing was written.
    }
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return {
      ...fresh,
      warning: `cannot keep the self-signed certificate in "${file}" (${code}): a new one at every start`,
    };
  }
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

/**
 * Read the configured certificate and key, or, when none is given, the self-signed pair kept
 * beside the resume key (made on first use; in memory only when RESUME_SECRET_FILE is off).
 */
export async function loadTls(config: Pick<Config, 'tlsCert' | 'tlsKey' | 'resumeSecretFile'>): Promise<TlsMaterial> {
  if (config.tlsCert === '') {
    return keptSelfSignedCertificate(config.resumeSecretFile === '' ? '' : dirname(config.resumeSecretFile));
  }
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
