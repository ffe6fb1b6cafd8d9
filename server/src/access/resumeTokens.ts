import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, RESUME_SECRET_MIN, type Config } from '../config';

/** Bytes of a generated resume key (256 bits, as HMAC-SHA256 wants). */
const KEY_BYTES = 32;

/**
 * Resume tokens: the proof that a client is the participant it claims to be when it rejoins.
 * A token is HMAC-SHA256 under the server's resume key of the room and the participant id, so
 * the server can check it without remembering anything: after a restart the same participant
 * is recognised (peers keep its tile), and nobody can take an id without the token the server
 * gave its owner. The key comes from RESUME_SECRET or a generated file (see `loadResumeKey`).
 */
export class ResumeTokens {
  #key: Buffer;

  constructor(key: Buffer = randomBytes(KEY_BYTES)) {
    this.#key = ResumeTokens.#checked(key);
  }

  static #checked(key: Buffer): Buffer {
    if (key.length < RESUME_SECRET_MIN)
      throw new TypeError(`ResumeTokens: key must be at least ${RESUME_SECRET_MIN} bytes`);
    return key;
  }

  /** Use another key (once the configured one is loaded); tokens of the old key stop verifying. */
  rekey(key: Buffer): void {
    this.#key = ResumeTokens.#checked(key);
  }

  #mac(room: string, id: string): Buffer {
    // Length-prefixed parts: no (room, id) pair can be spelled as another.
    return createHmac('sha256', this.#key).update(`parley-resume:${room.length}:${room}:${id}`).digest();
  }

  /** The token of participant `id` in `room`. */
  mint(room: string, id: string): string {
    return this.#mac(room, id).toString('base64url');
  }

  /** Did this server (or one with the same key) give `token` to participant `id` of `room`? */
  verify(room: string, id: string, token: string): boolean {
    const given = Buffer.from(token, 'base64url');
    const expected = this.#mac(room, id);
    return (
      given.length === expected.length && timingSafeEqual(given, expected) && token === given.toString('base64url')
    );
  }
}

export interface ResumeKey {
  key: Buffer;
  /** Where it came from, for the start-up log. */
  source: 'RESUME_SECRET' | 'file' | 'memory';
  /** Set when the key could not be kept: resumes will not survive a restart. */
  warning?: string;
}

/**
 * The resume key: RESUME_SECRET when set; else the key kept in RESUME_SECRET_FILE, generated
 * there on first start (mode 0600, in a 0700 directory); else (no file configured, or it
 * cannot be written) a key in memory, which a restart loses. A file other users could read or
 * write is refused: whoever knows the key can claim any participant's identity.
 */
export function loadResumeKey(config: Pick<Config, 'resumeSecret' | 'resumeSecretFile'>): ResumeKey {
  if (config.resumeSecret !== '') return { key: Buffer.from(config.resumeSecret), source: 'RESUME_SECRET' };
  const file = config.resumeSecretFile;
  if (file === '') return { key: randomBytes(KEY_BYTES), source: 'memory' };
  const existing = readKeyFile(file);
  if (existing) return { key: existing, source: 'file' };
  const fresh = randomBytes(KEY_BYTES);
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Written beside, then linked into place: a second server starting at the same moment
    // either wins the link or reads the winner's complete file, never half of one.
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
    writeFileSync(tmp, `${fresh.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  } catch (err) {
    return {
      key: fresh,
      source: 'memory',
      warning: `cannot keep the resume key in ${file} (${(err as Error).message}): participants get new ids after a restart; set RESUME_SECRET or RESUME_SECRET_FILE`,
    };
  }
  const saved = readKeyFile(file);
  if (!saved) throw new ConfigError('RESUME_SECRET_FILE', `${file} vanished right after it was written`);
  return { key: saved, source: 'file' };
}

/** The key in `file`, null when there is no such file; throws a ConfigError for an unsafe or bad one. */
function readKeyFile(file: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new ConfigError('RESUME_SECRET_FILE', `cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ConfigError('RESUME_SECRET_FILE', `${file} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw new ConfigError(
        'RESUME_SECRET_FILE',
        `${file} is open to other users (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
      throw new ConfigError('RESUME_SECRET_FILE', `${file} belongs to another user (uid ${st.uid})`);
    }
    const text = readFileSync(fd, 'utf8').trim();
    if (text.length < RESUME_SECRET_MIN) {
      throw new ConfigError('RESUME_SECRET_FILE', `${file} holds no key of at least ${RESUME_SECRET_MIN} characters`);
    }
    return Buffer.from(text);
  } finally {
    closeSync(fd);
  }
}
