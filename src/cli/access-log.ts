// The access log: one line per response, written by the transport's onResponse hook
// when the response is finished (no wrapper around the app or its send). Text lines
// follow uvicorn's: `client - "METHOD /path?query HTTP/1.1" 200 OK`, plus the duration.
//
// The log is on by default, so its cost is in every CLI user's figures. A text line is
// written as bytes into one reused buffer, not built as a string that the batch then
// concatenates and flattens (perf: String::WriteToFlat, ~0.3 µs per request). Hono on
// the CLI, GET /json 16-deep pipelined, server CPU µs per request (/proc, 3 runs of 3 s
// each, alternating, quiet machine): string lines 4.16 / 4.16 / 3.91, byte lines
// 3.85 / 3.70 / 3.72, --no-access-log 3.20 / 3.11 / 3.13. What is left is mostly reading
// the scope (rawPath is a string made from the request's bytes) and the line's bytes.
import { Writable } from 'node:stream';
import { REASONS } from '../http/reasons.js';
import { pathWithRoot, underRoot } from '../middleware/location.js';
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
 * request); what is pending is written at exit too.
 */
export function accessLog(format: LogFormat, target: Output, prefix = ''): OnResponse {
  const out = new LineBuffer(target);
  if (format === 'json') {
    return (scope, status, startedAt) => {
      out.text(
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
          duration_ms: Math.round((performance.now() - startedAt) * 1000) / 1000,
        })}\n`,
      );
    };
  }
  const head = Buffer.from(`INFO ${prefix}`);
  // The target as received (llhttp refuses control characters in it): no log injection.
  return (scope, status, startedAt) => out.line(head, scope, status, performance.now() - startedAt);
}

function clientOf(scope: Scope): string {
  const c = scope.client;
  return c === null ? '-' : c[0].indexOf(':') >= 0 ? `[${c[0]}]:${c[1]}` : `${c[0]}:${c[1]}`;
}

/** `200 OK`-style bytes per status, made on first use. */
const STATUS_TEXT: (Buffer | undefined)[] = [];

function statusText(status: number): Buffer {
  let b = STATUS_TEXT[status];
  if (b === undefined) {
    b = Buffer.from(`${status} ${REASONS[status] ?? ''}`);
    if (status >= 0 && status < 1000) STATUS_TEXT[status] = b;
  }
  return b;
}

const INITIAL = 64 * 1024;
const HTTP10 = Buffer.from(' HTTP/1.0" ');
const HTTP11 = Buffer.from(' HTTP/1.1" ');

/** Lines written as bytes into one buffer until the event loop turns, then written at once. */
class LineBuffer {
  private buf = Buffer.allocUnsafeSlow(INITIAL);
  private pos = 0;
  private scheduled = false;
  private readonly target: Output;
  /** A stream takes the bytes (copied); any other Output gets a string. */
  private readonly bytes: boolean;

  constructor(target: Output) {
    this.target = target;
    this.bytes = target instanceof Writable;
    process.once('exit', () => this.flush());
  }

  /** `INFO client - "METHOD target HTTP/x" status reason 1.234ms\n`, the same bytes as the string version made. */
  line(head: Buffer, scope: Scope, status: number, ms: number): void {
    const c = scope.client;
    const root = scope.rootPath;
    const raw = scope.rawPath;
    const q = scope.queryString;
    const method = scope.method;
    const st = statusText(status);
    // Bound: every string char can take 3 bytes in UTF-8; digits and punctuation ~60.
    const n = head.length + st.length + 3 * (method.length + root.length + raw.length + q.length + (c === null ? 0 : c[0].length)) + 96;
    const b = this.reserve(n);
    let p = this.pos;
    p = copy(b, p, head);
    if (c === null)
      b[p++] = 0x2d; // -
    else {
      const v6 = c[0].indexOf(':') >= 0;
      if (v6) b[p++] = 0x5b; // [
      p = put(b, p, c[0]);
      if (v6) b[p++] = 0x5d; // ]
      b[p++] = 0x3a; // :
      p = digits(b, p, c[1]);
    }
    b[p++] = 0x20;
    b[p++] = 0x2d;
    b[p++] = 0x20;
    b[p++] = 0x22; // ' - "'
    p = put(b, p, method);
    b[p++] = 0x20;
    // pathWithRoot(), without its strings: a request that arrived under the root path carries it in rawPath
    if (root.length > 0 && !underRoot(root, raw)) p = put(b, p, root);
    p = put(b, p, raw);
    if (q.length > 0) {
      b[p++] = 0x3f; // ?
      p = put(b, p, q);
    }
    p = copy(b, p, scope.httpVersion === '1.0' ? HTTP10 : HTTP11);
    p = copy(b, p, st);
    b[p++] = 0x20;
    p = millis(b, p, ms);
    b[p++] = 0x6d; // m
    b[p++] = 0x73; // s
    b[p++] = 0x0a;
    this.pos = p;
  }

  /** A line already made as a string (the JSON format). */
  text(s: string): void {
    const b = this.reserve(3 * s.length);
    this.pos += b.utf8Write(s, this.pos);
  }

  /** The buffer, with room for `n` more bytes; schedules the flush. */
  private reserve(n: number): Buffer {
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafeSlow(Math.max(n, 2 * this.buf.length));
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(flushBatch, this);
    }
    return this.buf;
  }

  flush(): void {
    this.scheduled = false;
    if (this.pos === 0) return;
    const n = this.pos;
    this.pos = 0;
    // The stream may keep the chunk queued: it gets a copy, and the buffer is reused.
    this.target.write(this.bytes ? (Buffer.from(this.buf.subarray(0, n)) as unknown as string) : this.buf.toString('utf8', 0, n));
  }
}

function flushBatch(b: LineBuffer): void {
  b.flush();
}

/** Copies the few bytes of `src` to `p`: a loop, as Buffer#copy's call costs more than these bytes. */
function copy(b: Buffer, p: number, src: Buffer): number {
  const n = src.length;
  for (let i = 0; i < n; i++) b[p + i] = src[i];
  return p + n;
}

/** Writes `s` at `p` as UTF-8: ASCII byte by byte (the usual case), the rest through utf8Write. */
function put(b: Buffer, p: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 0x80) return p + i + b.utf8Write(s.slice(i), p + i);
    b[p + i] = ch;
  }
  return p + n;
}

/** Decimal digits of a non-negative integer. */
function digits(b: Buffer, p: number, v: number): number {
  if (!(v >= 0 && v < 1e15) || v !== Math.floor(v)) return p + b.latin1Write(String(v), p);
  let len = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) len++;
  for (let i = p + len - 1; i >= p; i--) {
    b[i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
  return p + len;
}

/**
 * Milliseconds to 3 decimals as `String(Math.round(ms * 1000) / 1000)` prints them
 * (no trailing zeros, no point for a whole number), from integer microseconds.
 */
function millis(b: Buffer, p: number, ms: number): number {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 1e15)) return p + b.latin1Write(String(Math.round(ms * 1000) / 1000), p);
  p = digits(b, p, Math.floor(us / 1000));
  let frac = us % 1000;
  if (frac === 0) return p;
  b[p++] = 0x2e; // .
  let width = 3;
  while (frac % 10 === 0) {
    frac /= 10;
    width--;
  }
  for (let i = p + width - 1; i >= p; i--) {
    b[i] = 0x30 + (frac % 10);
    frac = Math.floor(frac / 10);
  }
  return p + width;
}
