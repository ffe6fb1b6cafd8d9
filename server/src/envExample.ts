import { defaults, options } from './config';

/** Defaults that depend on the machine or are secrets: described, not written out. */
const DESCRIBED: Partial<Record<string, string>> = {
  STATIC_DIR: 'web/dist of the installed package',
  RESUME_SECRET_FILE: '$XDG_STATE_HOME/parley/resume-secret, else ~/.local/state/parley/resume-secret',
};

/**
 * The text of .env.example: every option of the table in server/src/config.ts, commented out
 * with its default, so the file changes nothing until a line is uncommented. The same syntax
 * works for a shell (`set -a; . ./.env`) and systemd's EnvironmentFile=.
 * Regenerate: node --import tsx server/src/envExample.ts > .env.example
 */
export function envExample(): string {
  const lines = [
    '# Parley settings. Every line is optional; uncomment and change what you need.',
    '# The flags of `parley --help` win over these. Details: docs/CONFIG.md.',
    '# Used as is by systemd (EnvironmentFile=/etc/parley/parley.env, see docs/OPERATIONS.md).',
  ];
  for (const o of options) {
    const def = defaults[o.key];
    const shown = Array.isArray(def) ? def.join(',') : def === null ? '' : String(def);
    const described = DESCRIBED[o.env];
    lines.push('', `# ${o.help}${described ? ` (default ${described})` : ''}`);
    lines.push(`#${o.env}=${described || o.env.endsWith('SECRET') ? '' : shown}`);
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1])) process.stdout.write(envExample());
