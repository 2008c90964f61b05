// Response bytes: precomputed status lines, a Date line refreshed once a second,
// and header blocks validated and encoded once.
import { REASONS } from '../http/reasons.js';
import type { EncodedHeaders, ResponseHeaders } from '../types.js';

/** 'HTTP/1.1 200 OK\r\n' per status, built once (uWS keeps the same table). */
const STATUS_LINES: Buffer[] = [];
export function statusLine(status: number): Buffer {
  let line = STATUS_LINES[status];
  if (line === undefined) {
    if (!Number.isInteger(status) || status < 100 || status > 999) throw new RangeError(`Invalid status code: ${status}`);
    line = Buffer.from(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\n`, 'latin1');
    STATUS_LINES[status] = line;
  }
  return line;
}
for (const code of Object.keys(REASONS)) statusLine(Number(code));

/** 'date: <IMF-fixdate>\r\n', rewritten in place by a 1 s timer (never per request). */
export const DATE_LINE = Buffer.alloc(6 + 29 + 2);
DATE_LINE.write('date: ', 0, 'latin1');
DATE_LINE.write('\r\n', 35, 'latin1');
/** Coarse clock (ms) for timeouts, updated with the Date line. */
export let now = Date.now();
function tick(): void {
  now = Date.now();
  DATE_LINE.write(new Date(now).toUTCString(), 6, 'latin1');
}
tick();
let clockTimer: NodeJS.Timeout | null = null;
let clockUsers = 0;
export function startClock(): void {
  if (clockUsers++ === 0) {
    tick();
    clockTimer = setInterval(tick, 1000);
    clockTimer.unref();
  }
}
export function stopClock(): void {
  if (--clockUsers === 0 && clockTimer !== null) {
    clearInterval(clockTimer);
    clockTimer = null;
  }
}

export const CONNECTION_CLOSE = Buffer.from('connection: close\r\n', 'latin1');
export const CONNECTION_KEEP_ALIVE = Buffer.from('connection: keep-alive\r\n', 'latin1');
export const CHUNKED = Buffer.from('transfer-encoding: chunked\r\n', 'latin1');
export const CONTENT_LENGTH = Buffer.from('content-length: ', 'latin1');
export const CRLF = Buffer.from('\r\n', 'latin1');
export const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
export const CONTINUE_100 = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

// RFC 9110 §5.1 token and §5.5 field-value (no CR, LF, NUL).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;

/** Throws on a name or value that could split the response (CR/LF injection). */
export function checkHeader(name: string, value: string): void {
  if (!TOKEN.test(name)) throw new TypeError(`Invalid response header name: ${JSON.stringify(name)}`);
  if (BAD_VALUE.test(value)) throw new TypeError(`Invalid response header value for ${name}`);
}

/** Encodes a header list or record as 'name: value\r\n' lines; validates every field. */
export function headerLines(headers: ResponseHeaders | undefined | null): { text: string; framed: boolean; hasConnection: boolean; close: boolean } {
  let text = '';
  let framed = false;
  let hasConnection = false;
  let close = false;
  if (headers == null) return { text, framed, hasConnection, close };
  const add = (name: string, value: string): void => {
    checkHeader(name, value);
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding') framed = true;
    if (lower === 'connection') {
      hasConnection = true;
      // RFC 9110 §7.6.1: a comma-separated list of tokens, case-insensitive.
      if (/(^|,)\s*close\s*(,|$)/i.test(value)) close = true;
    }
    text += name + ': ' + value + '\r\n';
  };
  if (Array.isArray(headers)) {
    for (const [n, v] of headers as ReadonlyArray<readonly [string, string]>) add(n, String(v));
  } else {
    for (const [n, v] of Object.entries(headers as Record<string, string | number | readonly string[]>)) {
      if (Array.isArray(v)) for (const item of v) add(n, String(item));
      else add(n, String(v));
    }
  }
  return { text, framed, hasConnection, close };
}

/** Header block encoded once at start-up for the fast path: send(status, HEAD, body). */
export function encodeHeaders(headers: ResponseHeaders): EncodedHeaders {
  const { text, framed, close } = headerLines(headers);
  // `close`: the block says connection: close, so the transport closes after the response.
  return Object.freeze({ bytes: Buffer.from(text, 'latin1'), framed, close });
}

/** Writes the decimal digits of n (>= 0) at buf[pos]; returns the new position. */
export function writeDecimal(buf: Buffer, pos: number, n: number): number {
  if (n < 10) {
    buf[pos] = 0x30 + n;
    return pos + 1;
  }
  let digits = 0;
  for (let m = n; m > 0; m = Math.floor(m / 10)) digits++;
  let end = pos + digits;
  for (let m = n, i = end - 1; i >= pos; i--) {
    buf[i] = 0x30 + (m % 10);
    m = Math.floor(m / 10);
  }
  return end;
}

/** Status codes that never carry a body (RFC 9110 §6.4.1). */
export function bodyless(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}
