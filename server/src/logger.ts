import pino from 'pino';

/** Log level names accepted by LOG_LEVEL. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Logger = pino.Logger;

/** The root logger: JSON lines on stdout. Subsystems take a child with `{ subsystem }`. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'parley' } });
}
