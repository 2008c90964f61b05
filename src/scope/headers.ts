import { equalsLower } from '../http/ascii.js';
import { H, HEADER_NAMES, headerId, headerIdOf } from '../parser/header-names.js';
import type { HeaderView } from '../types.js';

/** Header lines one request may carry; more → 431 (node:http's default maxHeadersCount is 2000, Go's is none; 100 is nginx-like). */
export const MAX_HEADERS = 100;

// One bit per well-known id in Headers' present/repeated masks.
if (HEADER_NAMES.length > 31) throw new Error('more well-known header ids than bits in a mask');

/**
 * Request header fields as spans over bytes the scope holds (the read chunk itself,
 * or the scope's own copy when a head arrived over several reads). Strings are made
 * only when a name or value is read.
 *
 * spans: [nameStart, nameEnd, valueStart, valueEnd] per line; ids: well-known name id.
 */
export class Headers implements HeaderView {
  buf: Buffer = EMPTY;
  size = 0;
  readonly spans = new Int32Array(MAX_HEADERS * 4);
  readonly ids = new Uint8Array(MAX_HEADERS);
  /**
   * Bit `id` set by intern() when some line has the well-known id, and when more than one
   * has it. The head checks ask for the same ids on every request, most of them absent
   * (transfer-encoding, content-length, expect, a second Host): answered without a scan.
   */
  private present = 0;
  private repeated = 0;
  /** intern() has run since reset(): the bits describe these lines. */
  private interned = false;

  reset(): void {
    this.buf = EMPTY;
    this.size = 0;
    this.interned = false;
  }

  /** Index of the first line at or after `from` with well-known id `id`, or -1. */
  indexOfId(id: number, from = 0): number {
    if (this.interned && (this.present & (1 << id)) === 0) return -1;
    const ids = this.ids;
    for (let i = from; i < this.size; i++) if (ids[i] === id) return i;
    return -1;
  }

  /** More than one line has the well-known id `id`. */
  repeats(id: number): boolean {
    if (this.interned) return (this.repeated & (1 << id)) !== 0;
    const first = this.indexOfId(id);
    return first >= 0 && this.indexOfId(id, first + 1) >= 0;
  }

  valueStart(i: number): number {
    return this.spans[i * 4 + 2];
  }

  valueEnd(i: number): number {
    return this.spans[i * 4 + 3];
  }

  nameAt(i: number): string {
    const id = this.ids[i];
    if (id !== H.OTHER) return HEADER_NAMES[id];
    return this.buf.latin1Slice(this.spans[i * 4], this.spans[i * 4 + 1]).toLowerCase();
  }

  valueAt(i: number): string {
    return this.buf.latin1Slice(this.spans[i * 4 + 2], this.spans[i * 4 + 3]);
  }

  /** Value of line i compared to lowercase ASCII `lower`, case-insensitively, without a string. */
  valueEquals(i: number, lower: string): boolean {
    return equalsLower(this.buf, this.spans[i * 4 + 2], this.spans[i * 4 + 3], lower);
  }

  private indexOfName(name: string, from: number): number {
    const id = headerIdOf(name);
    if (id !== H.OTHER) return this.indexOfId(id, from);
    const len = name.length;
    const spans = this.spans;
    const buf = this.buf;
    outer: for (let i = from; i < this.size; i++) {
      const s = spans[i * 4];
      if (spans[i * 4 + 1] - s !== len) continue;
      for (let k = 0; k < len; k++) {
        let c = buf[s + k];
        if (c >= 0x41 && c <= 0x5a) c |= 0x20;
        let d = name.charCodeAt(k);
        if (d >= 0x41 && d <= 0x5a) d |= 0x20;
        if (c !== d) continue outer;
      }
      return i;
    }
    return -1;
  }

  get(name: string): string | null {
    const i = this.indexOfName(name, 0);
    if (i < 0) return null;
    let value = this.valueAt(i);
    for (let j = this.indexOfName(name, i + 1); j >= 0; j = this.indexOfName(name, j + 1)) {
      value += ', ' + this.valueAt(j);
    }
    return value;
  }

  has(name: string): boolean {
    return this.indexOfName(name, 0) >= 0;
  }

  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.size; i++) yield [this.nameAt(i), this.valueAt(i)];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** A DataView over `buf` (the process's one cached view when it is the last head's buffer): for word-wide compares. */
  view(): DataView {
    return viewOver(this.buf);
  }

  /** Classify every line once the head is complete. */
  intern(): void {
    const spans = this.spans;
    const buf = this.buf;
    const view = viewOver(buf);
    let present = 0;
    let repeated = 0;
    for (let i = 0; i < this.size; i++) {
      const k = i * 4;
      const id = headerId(view, spans[k], spans[k + 1]);
      this.ids[i] = id;
      const bit = 1 << id;
      repeated |= present & bit;
      present |= bit;
      // llhttp drops the OWS before a value but hands over the OWS after it (RFC 9112 §5.1).
      let e = spans[k + 3];
      while (e > spans[k + 2] && (buf[e - 1] === 0x20 || buf[e - 1] === 0x09)) e--;
      spans[k + 3] = e;
    }
    this.present = present;
    this.repeated = repeated;
    this.interned = true;
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * The DataView headerId() compares through, for the buffer of the last head interned:
 * almost every head lies in the connection's shared read buffer, so it is made again only
 * for a head copied into an exchange's own buffer. One entry for the process, not one per
 * pooled Headers: a per-instance cache kept every pool entry's last buffer alive, a large
 * stash among them.
 */
let viewBuf: Buffer = EMPTY;
let view: DataView = new DataView(EMPTY.buffer, EMPTY.byteOffset, 0);

function viewOver(buf: Buffer): DataView {
  if (buf !== viewBuf) {
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    viewBuf = buf;
  }
  return view;
}
