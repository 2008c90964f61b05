// Response bytes: precomputed status lines, a Date line refreshed once a second,
// and header blocks validated and encoded once.
import { assertField, isReason, isStatus, parseLength } from '../http/fields.js';
import { REASONS } from '../http/reasons.js';
import type { EncodedHeaders, ResponseHeaders } from '../types.js';

/** 'HTTP/1.1 200 OK\r\n' per status, built once (uWS keeps the same table). */
const STATUS_LINES: Buffer[] = [];
export function statusLine(status: number): Buffer {
  let line = STATUS_LINES[status];
  if (line === undefined) {
    if (!isStatus(status)) throw new RangeError(`Invalid status code: ${String(status)}`);
    const reason = REASONS[status] ?? 'Unknown';
    if (!isReason(reason)) throw new RangeError(`Invalid reason phrase for status ${status}`);
    line = Buffer.from(`HTTP/1.1 ${status} ${reason}\r\n`, 'latin1');
    STATUS_LINES[status] = line;
  }
  return line;
}
for (const code of Object.keys(REASONS)) statusLine(Number(code));

export const CONNECTION_CLOSE = Buffer.from('connection: close\r\n', 'latin1');
export const CONNECTION_KEEP_ALIVE = Buffer.from('connection: keep-alive\r\n', 'latin1');
export const CHUNKED = Buffer.from('transfer-encoding: chunked\r\n', 'latin1');
export const CONTENT_LENGTH = Buffer.from('content-length: ', 'latin1');
export const CRLF = Buffer.from('\r\n', 'latin1');
export const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
export const CONTINUE_100 = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

/** What headerLines() found besides the text. */
export interface HeaderLines {
  text: string;
  /** The app set content-length (the transport adds none and holds the body to it). */
  framed: boolean;
  /** That content-length, else -1. */
  length: number;
  hasConnection: boolean;
  close: boolean;
}

/**
 * Encodes a header list or record as 'name: value\r\n' lines; every field is checked by
 * the one field grammar (http/fields), so nothing the app chose can end a line early.
 * Framing stays the transport's: `transfer-encoding: chunked` is dropped (the transport
 * chunks or counts the body itself, never passes it raw), any other transfer coding is
 * refused, and a content-length must be 1*DIGIT and appear once.
 *
 * Other transfer codings are refused rather than dropped: a body the app encoded (gzip)
 * would otherwise reach the client labelled as plain bytes; node:http sends it
 * close-delimited instead, which a proxy pooling upstream connections handles poorly.
 * Content-Encoding is the field for compression.
 *
 * @throws TypeError naming the header.
 */
export function headerLines(headers: ResponseHeaders | undefined | null): HeaderLines {
  const out: HeaderLines = { text: '', framed: false, length: -1, hasConnection: false, close: false };
  if (headers == null) return out;
  if (Array.isArray(headers)) {
    for (const [n, v] of headers as ReadonlyArray<readonly [string, string]>) addLine(out, String(n), String(v));
  } else {
    for (const [n, v] of Object.entries(headers as Record<string, string | number | readonly string[]>)) {
      if (Array.isArray(v)) for (const item of v) addLine(out, n, String(item));
      else addLine(out, n, String(v));
    }
  }
  return out;
}

function addLine(out: HeaderLines, name: string, value: string): void {
  assertField(name, value);
  const n = name.length;
  if (n === 14 && name.toLowerCase() === 'content-length') {
    const length = parseLength(value);
    if (length < 0) throw new TypeError('Invalid response header value for "content-length": not a decimal length (RFC 9110 §8.6)');
    if (out.framed) throw new TypeError('Response header "content-length" given twice');
    out.framed = true;
    out.length = length;
  } else if (n === 17 && name.toLowerCase() === 'transfer-encoding') {
    if (!isChunked(value)) throw new TypeError('Response header "transfer-encoding": only chunked, which the server applies itself (use content-encoding for compression)');
    return;
  } else if (n === 10 && name.toLowerCase() === 'connection') {
    out.hasConnection = true;
    // RFC 9110 §7.6.1: a comma-separated list of tokens, case-insensitive.
    if (/(^|,)\s*close\s*(,|$)/i.test(value)) out.close = true;
  }
  out.text += name + ': ' + value + '\r\n';
}

/** 'chunked' in any case, with optional whitespace around it (RFC 9112 §7). */
function isChunked(value: string): boolean {
  return value.trim().toLowerCase() === 'chunked';
}

/**
 * Header block encoded once at start-up for the fast path: send(status, HEAD, body).
 * Validated here, so the transport writes its bytes per request without a second check.
 *
 * @throws TypeError naming the header (see headerLines).
 */
export function encodeHeaders(headers: ResponseHeaders): EncodedHeaders {
  const { text, framed, length, close } = headerLines(headers);
  // `close`: the block says connection: close, so the transport closes after the response.
  // `length`: the app's content-length, which the body sent with this block must match.
  return Object.freeze({ bytes: Buffer.from(text, 'latin1'), framed, length, close });
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
