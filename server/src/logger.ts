import pino from 'pino';

/** Log level names accepted by LOG_LEVEL. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Logger = pino.Logger;

/**
 * The root logger: JSON lines on stdout. Subsystems take a child with `{ subsystem }`.
 *
 * Lines are written asynchronously: a line goes out at once when nothing is being written, and
 * lines logged while a write is under way go out together in the next one, so a burst of joins
 * costs one write system call instead of one each (a synchronous write per line was a sixth of
 * the seed protocol's join cost). Pino flushes what is left synchronously when the process exits.
 */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'parley' } }, pino.destination({ dest: 1, sync: false }));
}
