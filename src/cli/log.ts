// The CLI's loggers: uvicorn-like text lines (server/logger.ts), or one JSON object per
// line for log shippers; and --log-config, a JSON file of the same settings.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LEVELS, consoleLogger } from '../server/logger.js';
import type { Logger } from '../types.js';
import { type CliConfig, type Given, type LogFormat, type LogLevel, UsageError, logLevel, parseBool } from './args.js';
import { firstLine } from './detect.js';

interface Output {
  write(text: string): unknown;
}

export function makeLogger(level: LogLevel, format: LogFormat, out: Output, prefix: string): Logger {
  if (format === 'text') return consoleLogger(level, out, prefix);
  const n = LEVELS[level];
  const line = (tag: string, message: string, err?: unknown): void => {
    const record: Record<string, unknown> = { time: new Date().toISOString(), level: tag, logger: 'fasterapi', pid: process.pid, message };
    if (err instanceof Error) record.error = err.stack ?? err.message;
    else if (err !== undefined) record.error = String(err);
    out.write(`${JSON.stringify(record)}\n`);
  };
  return {
    error: (m, e) => line('error', m, e),
    warn: (m) => {
      if (n >= LEVELS.warn) line('warning', m);
    },
    info: (m) => {
      if (n >= LEVELS.info) line('info', m);
    },
    debug: n >= LEVELS.debug ? (m) => line('debug', m) : undefined,
  };
}

/**
 * --log-config FILE: `{ "level": "info", "format": "json", "access_log": true }`. Its
 * settings apply where no flag or environment variable gave one.
 */
export function applyLogConfig(config: CliConfig, given: Given, cwd: string): void {
  const file = config.logConfig;
  if (file === null) return;
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(readFileSync(resolve(cwd, file), 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`--log-config ${file}: ${firstLine(err)}`);
  }
  const bad = (why: string): UsageError => new UsageError(`--log-config ${file}: ${why}`);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw bad('expected a JSON object');
  for (const [k, v] of Object.entries(data)) {
    if (k === 'level') {
      if (!given.has('logLevel')) config.logLevel = logLevel(String(v), bad);
    } else if (k === 'format') {
      if (v !== 'text' && v !== 'json') throw bad('format must be "text" or "json"');
      if (!given.has('logFormat')) config.logFormat = v;
    } else if (k === 'access_log') {
      if (!given.has('accessLog')) config.accessLog = typeof v === 'boolean' ? v : parseBool(String(v), 'access_log');
    } else throw bad(`unknown key "${k}" (expected level, format, access_log)`);
  }
}
