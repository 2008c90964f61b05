// Every response head the server writes is assembled here: the app's (fast path, ASGI,
// fetch, app layer: through writeHead), the server's own error answers, 100 Continue.
// Status lines are precomputed, the Date line comes from the one-second clock, header
// blocks are validated (http/fields) and encoded once where the app allows it.
import { assertField, isReason, isStatus, parseLength } from '../http/fields.js';
import { REASONS } from '../http/reasons.js';
import type { EncodedHeaders, ResponseHeaders } from '../types.js';
import { DATE_LINE } from './clock.js';

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

/**
 * The app's reason phrase for `status`: null when it is absent, empty or the table's own
 * (the precomputed line serves), else the phrase, checked by the one grammar (http/fields).
 * @throws TypeError for a phrase with CR, LF or another control, or a code unit above 0xFF.
 */
export function customReason(status: number, reason: string | null | undefined): string | null {
  if (reason == null || reason === '' || reason === REASONS[status]) return null;
  if (typeof reason !== 'string' || !isReason(reason)) throw new TypeError('Invalid reason phrase: only HTAB, SP, VCHAR and obs-text (RFC 9112 §4)');
  return reason;
}

/** The longest status line there can be: a table reason, or 'Unknown' for other codes. */
const STATUS_LINE_MAX = Math.max(statusLine(999).length, ...STATUS_LINES.filter((l) => l !== undefined).map((l) => l.length));

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
export function headerLines(headers: ResponseHeaders | Headers | undefined | null): HeaderLines {
  const out: HeaderLines = { text: '', framed: false, length: -1, hasConnection: false, close: false };
  if (headers != null) eachField(headers, addHeaderLine, out);
  return out;
}

/**
 * Calls `visit(ctx, name, value)` for every field of any header shape an app may give:
 * [name, value] pairs, a record (an array value repeats the field), or a Headers (its
 * set-cookie fields one by one). The one flattener: a module function and a context,
 * so no closure is made per call.
 */
export function eachField<C>(headers: ResponseHeaders | Headers, visit: (ctx: C, name: string, value: string) => void, ctx: C): void {
  if (Array.isArray(headers)) {
    // Indexed, not `for (const [n, v] of …)`: that makes an iterator per list and per pair (~220 B per
    // realistic-app response behind a wrapped send, bench/micro 'app realistic').
    const list = headers as ReadonlyArray<readonly [string, string]>;
    for (let i = 0; i < list.length; i++) {
      const pair = list[i];
      visit(ctx, String(pair[0]), String(pair[1]));
    }
  } else if (headers instanceof NativeHeaders) {
    for (const [n, v] of headers as unknown as Iterable<[string, string]>) visit(ctx, n, v);
  } else {
    for (const [n, v] of Object.entries(headers as Record<string, string | number | readonly string[]>)) {
      if (Array.isArray(v)) for (const item of v) visit(ctx, n, String(item));
      else visit(ctx, n, String(v));
    }
  }
}

const NativeHeaders = globalThis.Headers;

/** The fields of `headers` as [name, value] pairs (see eachField). */
export function fieldPairs(headers: ResponseHeaders | Headers): [string, string][] {
  const out: [string, string][] = [];
  eachField(headers, pushPair, out);
  return out;
}

function pushPair(out: [string, string][], name: string, value: string): void {
  out.push([name, value]);
}

/** One field checked and appended to `out` (headerLines' step, for callers that walk their own fields). @throws TypeError naming the header. */
export function addHeaderLine(out: HeaderLines, name: string, value: string): void {
  if (checkLine(out, name, value)) out.text += name + ': ' + value + '\r\n';
}

/**
 * headerLines() written as bytes into a buffer its owner keeps (an exchange's, reused
 * for every ASGI start message it gets): the same checks, no string built per field.
 */
export class FieldBytes {
  buf: Buffer = Buffer.allocUnsafe(256);
  /** Bytes of fields in `buf`. */
  len = 0;
  framed = false;
  length = -1;
  hasConnection = false;
  close = false;
}

/** Checks and encodes `headers` into `out` (from its start). @throws TypeError naming the header. */
export function encodeFields(headers: ResponseHeaders | Headers | undefined | null, out: FieldBytes): void {
  out.len = 0;
  out.framed = false;
  out.length = -1;
  out.hasConnection = false;
  out.close = false;
  if (headers != null) eachField(headers, addFieldBytes, out);
}

function addFieldBytes(out: FieldBytes, name: string, value: string): void {
  if (!checkLine(out, name, value)) return;
  let p = out.len;
  const need = p + name.length + value.length + 4;
  if (need > out.buf.length) {
    const grown = Buffer.allocUnsafe(Math.max(2 * out.buf.length, need));
    out.buf.copy(grown, 0, 0, p);
    out.buf = grown;
  }
  const buf = out.buf;
  // One byte per code unit, as latin1Write: the field grammar has checked every one.
  for (let i = 0; i < name.length; i++) buf[p++] = name.charCodeAt(i);
  buf[p++] = 0x3a;
  buf[p++] = 0x20;
  for (let i = 0; i < value.length; i++) buf[p++] = value.charCodeAt(i);
  buf[p++] = 13;
  buf[p++] = 10;
  out.len = p;
}

/** The rules of one response field, for both encodings: checks it, records framing and connection; false when the field is dropped. */
function checkLine(out: Omit<HeaderLines, 'text'>, name: string, value: string): boolean {
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
    return false;
  } else if (n === 10 && name.toLowerCase() === 'connection') {
    out.hasConnection = true;
    // RFC 9110 §7.6.1: a comma-separated list of tokens, case-insensitive.
    if (/(^|,)\s*close\s*(,|$)/i.test(value)) out.close = true;
  }
  return true;
}

/**
 * A field a trailer section may not carry: it frames the message or names connection
 * options (RFC 9110 §6.5.1). The one list for ASGI trailers and res.addTrailers().
 */
export function notInTrailers(name: string): boolean {
  const n = name.length;
  if (n !== 14 && n !== 17 && n !== 10) return false;
  const lower = name.toLowerCase();
  return lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection';
}

/** Throws when a trailer field is one notInTrailers() names. */
export function checkTrailerField(_ctx: null, name: string): void {
  if (notInTrailers(name)) throw new TypeError(`Trailer field "${name}" may not frame the message or name connection options (RFC 9110 §6.5.1)`);
}

/** 'chunked' in any case, with optional whitespace around it (RFC 9112 §7). */
function isChunked(value: string): boolean {
  return value.trim().toLowerCase() === 'chunked';
}

/**
 * [name, value] pairs of a header text as headerLines() writes it ('name: value\r\n'*),
 * for an ASGI start message made from an encoded block (respond() behind a wrapped send,
 * the fetch adapter's streams).
 */
export function headPairs(text: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(': ', i);
    const end = text.indexOf('\r\n', colon);
    out.push([text.slice(i, colon), text.slice(colon + 2, end)]);
    i = end + 2;
  }
  return out;
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
  return Object.freeze({ bytes: Buffer.from(text, 'latin1'), framed, length, close, fields: Object.freeze(fieldPairs(headers)) });
}

/** Writes the decimal digits of n (>= 0) at buf[pos]; returns the new position. */
export function writeDecimal(buf: Buffer, pos: number, n: number): number {
  if (n < 10) {
    buf[pos] = 0x30 + n;
    return pos + 1;
  }
  let digits = 0;
  for (let m = n; m > 0; m = Math.floor(m / 10)) digits++;
  const end = pos + digits;
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

/** The connection field writeHead() adds. */
export const CONNECTION = { NONE: 0, CLOSE: 1, KEEP_ALIVE: 2 } as const;

/** An upper bound of writeHead()'s output for `fieldsLen` bytes of fields (writeHead looks the status line up). */
export function headSize(serverLine: Buffer, fieldsLen: number, contentLength: number): number {
  return (
    STATUS_LINE_MAX + DATE_LINE.length + serverLine.length + CONNECTION_KEEP_ALIVE.length + fieldsLen + (contentLength >= 0 ? CONTENT_LENGTH.length + 18 : 0) + CHUNKED.length + 2
  );
}

/**
 * Writes a head at buf[p]: status line, Date, Server (`serverLine`, may be empty), the
 * connection field, the fields (the first `fieldLen` bytes of `fieldBytes`, validated), the framing
 * (content-length when `contentLength` >= 0, else transfer-encoding when `chunked`) and
 * the blank line. Returns the new position. `buf` has headSize() bytes from `p`, plus the
 * length of `reason` (customReason()) when there is one.
 */
export function writeHead(
  buf: Buffer,
  p: number,
  status: number,
  date: Buffer,
  serverLine: Buffer,
  connection: number,
  fieldBytes: Buffer | null,
  fieldLen: number,
  contentLength: number,
  chunked: boolean,
  reason: string | null = null,
): number {
  if (reason === null) {
    const line = statusLine(status);
    buf.set(line, p);
    p += line.length;
  } else {
    // 'HTTP/1.1 ' (9 bytes) and the three digits of the table's line, then the app's phrase
    const line = statusLine(status);
    for (let i = 0; i < 13; i++) buf[p++] = line[i];
    p += buf.latin1Write(reason, p);
    buf[p++] = 13;
    buf[p++] = 10;
  }
  if (date.length > 0) {
    buf.set(date, p);
    p += date.length;
  }
  if (serverLine.length > 0) {
    buf.set(serverLine, p);
    p += serverLine.length;
  }
  if (connection === CONNECTION.CLOSE) {
    buf.set(CONNECTION_CLOSE, p);
    p += CONNECTION_CLOSE.length;
  } else if (connection === CONNECTION.KEEP_ALIVE) {
    buf.set(CONNECTION_KEEP_ALIVE, p);
    p += CONNECTION_KEEP_ALIVE.length;
  }
  if (fieldBytes !== null && fieldLen > 0) {
    if (fieldLen === fieldBytes.length) buf.set(fieldBytes, p);
    else if (fieldLen <= 256) for (let i = 0; i < fieldLen; i++) buf[p + i] = fieldBytes[i];
    else fieldBytes.copy(buf, p, 0, fieldLen); // (Node 20's copy() makes a Uint8Array view for a part: only for long blocks)
    p += fieldLen;
  }
  if (contentLength >= 0) {
    buf.set(CONTENT_LENGTH, p);
    p = writeDecimal(buf, p + CONTENT_LENGTH.length, contentLength);
    buf[p++] = 13;
    buf[p++] = 10;
  } else if (chunked) {
    buf.set(CHUNKED, p);
    p += CHUNKED.length;
  }
  buf[p++] = 13;
  buf[p++] = 10;
  return p;
}

const TEXT_PLAIN = Buffer.from('content-type: text/plain; charset=utf-8\r\n', 'latin1');

/**
 * A whole response the server answers in the app's place (400, 408, 413, 503 …): the
 * reason as a short text body, `connection: close` (nothing follows an error on the
 * connection), and `fields` (validated 'name: value\r\n' lines) if given. Errors are
 * rare: one Buffer each, the Date current.
 */
export function errorResponse(status: number, fields: Buffer | null = null): Buffer {
  const body = `${REASONS[status] ?? 'Error'}\n`;
  const fieldBytes = fields === null ? TEXT_PLAIN : Buffer.concat([TEXT_PLAIN, fields]);
  const buf = Buffer.allocUnsafe(headSize(EMPTY_LINE, fieldBytes.length, body.length) + body.length);
  let p = writeHead(buf, 0, status, DATE_LINE, EMPTY_LINE, CONNECTION.CLOSE, fieldBytes, fieldBytes.length, body.length, false);
  p += buf.latin1Write(body, p);
  return buf.subarray(0, p);
}

const EMPTY_LINE = Buffer.alloc(0);

/**
 * The lines every response carries after Date: 'server: …' (the serverHeader option) and
 * the `headers` option's fields (the CLI's --header), validated once; empty when neither.
 */
export function serverLine(value: string | null | undefined, extra: ReadonlyArray<readonly [string, string]> = []): Buffer {
  let text = '';
  if (value) {
    assertField('server', String(value));
    text += `server: ${value}\r\n`;
  }
  if (extra.length > 0) {
    const lines = headerLines(extra);
    if (lines.framed || lines.hasConnection) throw new TypeError("headers: content-length and connection are the server's to set");
    text += lines.text;
  }
  return text.length === 0 ? EMPTY_LINE : Buffer.from(text, 'latin1');
}

/** The Date line, or nothing (dateHeader: false). */
export function dateLine(on: boolean | undefined): Buffer {
  return on === false ? EMPTY_LINE : DATE_LINE;
}
