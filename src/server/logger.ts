import type { Logger } from '../types.js';

export const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
export type LogLevel = keyof typeof LEVELS;

/** One line per message on stderr; debug lines only at level 'debug'. */
export function consoleLogger(level: LogLevel = 'info'): Logger {
  const n = LEVELS[level];
  const line = (tag: string, message: string, err?: unknown): void => {
    const detail = err instanceof Error ? `: ${err.stack ?? err.message}` : err !== undefined ? `: ${String(err)}` : '';
    process.stderr.write(`${tag} ${message}${detail}\n`);
  };
  return {
    error: (m, e) => line('ERROR', m, e),
    warn: (m) => n >= 1 && line('WARN', m),
    info: (m) => n >= 2 && line('INFO', m),
    debug: n >= 3 ? (m) => line('DEBUG', m) : undefined,
  } as Logger;
}
