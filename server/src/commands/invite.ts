import { parseArgs } from 'node:util';
import { ROLES, nameProblem, roomProblem, type Role } from '@parley/protocol';
import { ACCESS_SECRET_MIN, ConfigError, defaults, options } from '../config';
import { describeSeconds, invitationLink, mintInvitation } from '../access/invitations';

export const INVITE_USAGE = `Usage: parley invite --room ROOM [--name NAME] [--role host|guest] [--ttl DURATION] [--base-url URL]

Prints an invitation link signed with ACCESS_SECRET (read from the environment).
  --room      room the link opens (required)
  --name      display name the invited person gets
  --role      host (becomes host, passes lock/password/lobby) or guest (never hosts)
  --ttl       lifetime: 90s, 30m, 12h, 7d (default 24h; at most INVITE_MAX_TTL, 30 days
              unless set, the same as the server's)
  --base-url  public address of the server (default PUBLIC_URL, else http://localhost:PORT)
`;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Parse a lifetime such as `90s`, `30m`, `12h`, `7d` (a bare number is seconds). */
export function parseTtl(raw: string): number | null {
  const m = /^(\d+)([smhd]?)$/.exec(raw.trim());
  if (!m) return null;
  const seconds = Number(m[1]) * (UNITS[m[2] || 's'] ?? 1);
  return seconds > 0 && seconds <= 365 * 86_400 ? seconds : null;
}

/** The server's INVITE_MAX_TTL as the environment sets it, or a sentence saying what is wrong. */
function inviteMaxTtl(env: NodeJS.ProcessEnv): number | string {
  const raw = env.INVITE_MAX_TTL;
  if (raw === undefined || raw.trim() === '') return defaults.inviteMaxTtl;
  const spec = options.find((o) => o.key === 'inviteMaxTtl');
  try {
    return spec ? (spec.parse(raw, 'INVITE_MAX_TTL') as number) : defaults.inviteMaxTtl;
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
}

export interface InviteOutcome {
  code: number;
  out: string;
}

/** `parley invite ...`: returns what to print and the exit code (kept pure for tests). */
export function runInvite(argv: string[], env: NodeJS.ProcessEnv, nowMs = Date.now()): InviteOutcome {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        room: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        ttl: { type: 'string', default: '24h' },
        'base-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    return { code: 2, out: `parley invite: ${(err as Error).message}\n\n${INVITE_USAGE}` };
  }
  if (values.help) return { code: 0, out: INVITE_USAGE };
  const fail = (msg: string): InviteOutcome => ({ code: 2, out: `parley invite: ${msg}\n` });
  const secret = env.ACCESS_SECRET ?? '';
  if (secret.length < ACCESS_SECRET_MIN) {
    return fail(`set ACCESS_SECRET (at least ${ACCESS_SECRET_MIN} characters), the same as the server's`);
  }
  if (!values.room) return fail('--room is required');
  const problem = roomProblem(values.room);
  if (problem) return fail(`--room: ${problem}`);
  if (values.role !== undefined && !(ROLES as readonly string[]).includes(values.role)) {
    return fail('--role must be host or guest');
  }
  if (values.name !== undefined) {
    const nameError = nameProblem(values.name);
    if (nameError) return fail(`--name: ${nameError}`);
  }
  const maxTtl = inviteMaxTtl(env);
  if (typeof maxTtl === 'string') return fail(maxTtl);
  const ttl = parseTtl(values.ttl);
  if (ttl === null) return fail(`--ttl: expected a duration like 30m, 12h or 7d, got "${values.ttl}"`);
  if (ttl > maxTtl) {
    return fail(`--ttl: at most ${describeSeconds(maxTtl)} (INVITE_MAX_TTL; the server refuses longer invitations)`);
  }
  const base = values['base-url'] ?? env.PUBLIC_URL ?? `http://localhost:${env.PORT || 8080}`;
  if (!/^https?:\/\/[^\s/]+/.test(base)) return fail(`--base-url: "${base}" is not an http(s) URL`);
  const token = mintInvitation(
    {
      room: values.room,
      ttlSeconds: ttl,
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values.role !== undefined ? { role: values.role as Role } : {}),
    },
    secret,
    nowMs,
  );
  return { code: 0, out: `${invitationLink(base, values.room, token)}\n` };
}
