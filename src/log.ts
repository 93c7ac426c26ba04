import { pino, type Logger } from 'pino';

/** JSON logs on stdout; LOG_LEVEL picks the level (default info; "silent" in tests). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'switchboard' } });
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
