// The one logger: 'LEVEL message' lines, used by the server's default and by the CLI.
import type { Logger } from '../types.js';

export const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
export type LogLevel = keyof typeof LEVELS;

interface Output {
  write(text: string): unknown;
}

/**
 * One line per message on `out` (default stderr): 'LEVEL ' + `prefix` + message, and
 * for errors ': ' + the stack. Lines below `level` are dropped; `debug` is undefined
 * unless the level is 'debug', so callers can skip building debug lines.
 */
export function consoleLogger(level: LogLevel = 'info', out: Output = process.stderr, prefix = ''): Logger {
  const n = LEVELS[level];
  const line = (tag: string, message: string, err?: unknown): void => {
    const detail = err instanceof Error ? `: ${err.stack ?? err.message}` : err !== undefined ? `: ${String(err)}` : '';
    out.write(`${tag} ${prefix}${message}${detail}\n`);
  };
  return {
    error: (m, e) => line('ERROR', m, e),
    warn: (m) => {
      if (n >= LEVELS.warn) line('WARN', m);
    },
    info: (m) => {
      if (n >= LEVELS.info) line('INFO', m);
    },
    debug: n >= LEVELS.debug ? (m) => line('DEBUG', m) : undefined,
  };
}
