// The access log: one line per response, written by the transport's onResponse hook
// when the response is finished (no wrapper around the app or its send). Text lines
// follow uvicorn's: `client - "METHOD /path?query HTTP/1.1" 200 OK`, plus the duration.
import { REASONS } from '../http/reasons.js';
import { pathWithRoot } from '../middleware/location.js';
import type { Scope } from '../types.js';
import type { LogFormat } from './args.js';

interface Output {
  write(text: string): unknown;
}

/** ServerOptions.onResponse: `startedAt` is performance.now() at the request's first byte. */
export type OnResponse = (scope: Scope, status: number, startedAt: number) => void;

/**
 * The onResponse hook writing one access line per response to `out`. The lines of one
 * turn of the event loop go out in one write (a write per request cost more than the
 * request: the access log is on by default); what is pending is written at exit too.
 */
export function accessLog(format: LogFormat, target: Output, prefix = ''): OnResponse {
  const out = new Batched(target);
  if (format === 'json') {
    return (scope, status, startedAt) => {
      out.write(
        `${JSON.stringify({
          time: new Date().toISOString(),
          level: 'info',
          logger: 'access',
          pid: process.pid,
          client: clientOf(scope),
          method: scope.method,
          path: pathWithRoot(scope),
          http_version: scope.httpVersion,
          status,
          duration_ms: elapsedMs(startedAt),
        })}\n`,
      );
    };
  }
  return (scope, status, startedAt) => {
    // The target as received (llhttp refuses control characters in it): no log injection.
    out.write(
      `INFO ${prefix}${clientOf(scope)} - "${scope.method} ${pathWithRoot(scope)} HTTP/${scope.httpVersion}" ${status} ${REASONS[status] ?? ''} ${elapsedMs(startedAt)}ms\n`,
    );
  };
}

function clientOf(scope: Scope): string {
  const c = scope.client;
  return c === null ? '-' : c[0].indexOf(':') >= 0 ? `[${c[0]}]:${c[1]}` : `${c[0]}:${c[1]}`;
}

/** Milliseconds since `startedAt`, 3 decimals. */
function elapsedMs(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 1000) / 1000;
}

/** Lines gathered until the event loop turns, then written at once. */
class Batched implements Output {
  private text = '';
  private scheduled = false;
  private readonly target: Output;

  constructor(target: Output) {
    this.target = target;
    process.once('exit', () => this.flush());
  }

  write(line: string): void {
    this.text += line;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(flushBatch, this);
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.text.length === 0) return;
    const text = this.text;
    this.text = '';
    this.target.write(text);
  }
}

function flushBatch(b: Batched): void {
  b.flush();
}
