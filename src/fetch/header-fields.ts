// The header fields of a Response (its HeadersInit) as validated field lines for the
// transport, which writes the head itself (server/response-head.ts); and the
// EncodedHeaders the transport's whole-response fast path takes.
import { assertField, parseLength } from '../http/fields.js';
import type { EncodedHeaders } from '../types.js';

const NativeHeaders = globalThis.Headers;

/** What `headText` found besides the text. */
export const head = {
  /** A Content-Type field is present. */
  contentType: false,
  /** A Content-Length the app set (kept only where the writer says so), else -1. */
  contentLength: -1,
  /** A Connection field is present: the ASGI path handles its `close`. */
  connection: false,
};

/**
 * 'name: value\r\n' lines for `init`, every field checked by the one field grammar
 * (http/fields). A Headers object is checked too: it refuses NUL, CR, LF and code units
 * above 0xFF, but lets other controls (0x01, DEL) through, which RFC 9110 §5.5 does not.
 * Fields the transport owns are left out: Transfer-Encoding (it frames the body), Date
 * (it sends its cached one) and Content-Length (recorded in `head.contentLength`; the
 * transport counts static bodies itself).
 *
 * @throws TypeError for a name that is not a token or a value with a control character
 *   (CR/LF: response splitting) or a character above U+00FF.
 */
export function headText(init: HeadersInit | undefined): string {
  resetHead();
  let text = '';
  if (init == null) return text;
  if (init instanceof NativeHeaders) {
    // Iteration yields set-cookie fields one by one.
    for (const [name, value] of init as unknown as Iterable<[string, string]>) text += checked(name, value);
  } else if (Symbol.iterator in (init as object)) {
    for (const pair of init as Iterable<readonly string[]>) {
      if (pair.length !== 2) throw new TypeError('Header pairs must contain exactly two items');
      text += checked(String(pair[0]), String(pair[1]));
    }
  } else {
    return recordText(init as Record<string, string>);
  }
  return text;
}

/**
 * The last field list seen and what it gave, per kind. A framework sends the same fields
 * for a route every time (Hono's c.json: `{ 'Content-Type': 'application/json' }`, h3's
 * JSON: content-type and a content-length), as strings it keeps: the same names and
 * values (compared as strings) give back the same text and flags without checking and
 * concatenating them again, and the same text string keeps `encoded()`'s lookup cheap.
 * A Content-Length value is not part of the text: a new one is checked and recorded.
 */
class Memo {
  fields: string[] = [];
  text = '';
  contentType = false;
  connection = false;

  /** True (and `head` filled) when `fields` equal the kept ones. */
  hit(fields: readonly string[], n: number): boolean {
    const kept = this.fields;
    if (n !== kept.length) return false;
    let length = -1;
    for (let i = 0; i < n; i += 2) {
      const name = fields[i];
      if (name !== kept[i]) return false;
      const value = fields[i + 1];
      if (value === kept[i + 1]) {
        if (name.length === 14 && name === 'content-length') length = parseLength(String(value));
        continue;
      }
      if (name.length !== 14 || name !== 'content-length') return false;
      assertField(name, String(value));
      length = parseLength(String(value));
    }
    head.contentType = this.contentType;
    head.connection = this.connection;
    head.contentLength = length < 0 ? -1 : length;
    return true;
  }

  keep(fields: string[], text: string): string {
    this.fields = fields;
    this.text = text;
    this.contentType = head.contentType;
    this.connection = head.connection;
    return text;
  }
}

const recordMemo = new Memo();
const flatMemo = new Memo();
/** A record's fields as [name, value, …], reused for the memo compare. */
let scratch: string[] = [];

function recordText(record: Record<string, string>): string {
  const fields = scratch;
  let n = 0;
  for (const name in record) {
    fields[n++] = name;
    fields[n++] = String(record[name]);
  }
  if (recordMemo.hit(fields, n)) return recordMemo.text;
  fields.length = n;
  scratch = [];
  return recordMemo.keep(fields, fieldsText(fields));
}

function fieldsText(fields: readonly string[]): string {
  resetHead();
  let text = '';
  for (let i = 0; i + 1 < fields.length; i += 2) text += checked(String(fields[i]), String(fields[i + 1]));
  return text;
}

/** The same for srvx's flat `[name, value, name, value, …]` list. */
export function flatHeadText(list: string[]): string {
  if (flatMemo.hit(list, list.length)) return flatMemo.text;
  return flatMemo.keep(list, fieldsText(list));
}

function resetHead(): void {
  head.contentType = false;
  head.contentLength = -1;
  head.connection = false;
}

function checked(name: string, value: string): string {
  assertField(name, value);
  return line(name, value);
}

/** Compares lengths first, then the lowercase spelling (names of a Headers already are). */
function line(name: string, value: string): string {
  const n = name.length;
  if (n === 12) {
    if (name === 'content-type' || name.toLowerCase() === 'content-type') head.contentType = true;
  } else if (n === 14) {
    if (name === 'content-length' || name.toLowerCase() === 'content-length') {
      const v = parseLength(value);
      if (v >= 0) head.contentLength = v;
      return '';
    }
  } else if (n === 17) {
    if (name === 'transfer-encoding' || name.toLowerCase() === 'transfer-encoding') return '';
  } else if (n === 10) {
    if (name === 'connection' || name.toLowerCase() === 'connection') head.connection = true;
  } else if (n === 4) {
    if (name === 'date' || name.toLowerCase() === 'date') return '';
  }
  return name + ': ' + value + '\r\n';
}

/**
 * EncodedHeaders per distinct header text, so the common response shapes (Hono's c.json
 * sends the same 'Content-Type: application/json' every time) cost a Map lookup instead
 * of a Buffer. CPU is a wash (2.69 vs 2.72 µs per request with a fresh Buffer.from each
 * time, same benchmark as write.ts); it saves the garbage. Bounded: cleared when full,
 * texts over 1 KiB are not kept.
 */
const CACHE_MAX = 512;
const TEXT_MAX = 1024;
const cache = new Map<string, EncodedHeaders>();

export function encoded(text: string): EncodedHeaders {
  let e = cache.get(text);
  if (e === undefined) {
    e = Object.freeze({ bytes: Buffer.from(text, 'latin1'), framed: false });
    if (text.length <= TEXT_MAX) {
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(text, e);
    }
  }
  return e;
}

/** A header block that stops the transport adding Content-Length (HEAD without a body). */
export function encodedFramed(text: string): EncodedHeaders {
  return { bytes: Buffer.from(text, 'latin1'), framed: true };
}
