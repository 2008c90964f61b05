// Span recording: llhttp reports the URL and each header name and value as offsets into
// the bytes it was given, possibly in several pieces when a head spans reads. The
// recorder writes them into the scope's spans, joining pieces. A head normally stays a
// set of spans over the bytes it arrived in; when those bytes are about to be reused
// (the shared read buffer) or the head continues in the next read, its spans are copied
// into the recorder's own buffer, kept across reuse, and later pieces are appended there.
import { MAX_HEADERS } from './headers.js';
import type { Scope } from './scope.js';

/** The last piece recorded, to join a span continued in the next callback. */
const LAST = { NONE: 0, URL: 1, FIELD: 2, VALUE: 3 } as const;

/** One per pooled exchange; reset() for every request. */
export class SpanRecorder {
  /** The head's own copy (kept across requests; dropped by the pool when large). */
  own: Buffer | null = null;
  ownLen = 0;
  /** Spans point into `own`: later pieces are appended to it. */
  owned = false;
  /** Bytes of the head so far (URL, names, values, 4 per line): checked against maxHeaderSize. */
  headBytes = 0;
  private last: number = LAST.NONE;

  reset(): void {
    this.ownLen = 0;
    this.owned = false;
    this.headBytes = 0;
    this.last = LAST.NONE;
  }

  /** The head is complete: the next piece starts a new span. */
  end(): void {
    this.last = LAST.NONE;
  }

  /** A piece of the request target. */
  url(scope: Scope, chunk: Buffer, off: number, len: number): void {
    this.headBytes += len;
    if (this.owned) {
      const at = this.append(scope, chunk, off, len);
      if (this.last !== LAST.URL) scope.urlStart = at;
      scope.urlEnd = at + len;
    } else {
      scope.urlStart = off;
      scope.urlEnd = off + len;
    }
    this.last = LAST.URL;
  }

  /** A piece of a header name. False when the head already has MAX_HEADERS lines (431). */
  field(scope: Scope, chunk: Buffer, off: number, len: number): boolean {
    const raw = scope.raw;
    this.headBytes += len;
    const at = this.owned ? this.append(scope, chunk, off, len) : off;
    const spans = raw.spans;
    if (this.last !== LAST.FIELD) {
      if (raw.size === MAX_HEADERS) return false;
      const k = raw.size++ * 4;
      this.headBytes += 4;
      spans[k] = at;
      spans[k + 1] = at + len;
      spans[k + 2] = at + len; // an empty value gets no callback
      spans[k + 3] = at + len;
    } else {
      spans[(raw.size - 1) * 4 + 1] += len;
    }
    this.last = LAST.FIELD;
    return true;
  }

  /** A piece of a header value. */
  value(scope: Scope, chunk: Buffer, off: number, len: number): void {
    const raw = scope.raw;
    this.headBytes += len;
    const at = this.owned ? this.append(scope, chunk, off, len) : off;
    const k = (raw.size - 1) * 4;
    if (this.last !== LAST.VALUE) {
      raw.spans[k + 2] = at;
      raw.spans[k + 3] = at + len;
    } else {
      raw.spans[k + 3] += len;
    }
    this.last = LAST.VALUE;
  }

  /**
   * Copies the URL and header spans of `scope` into the own buffer and rebases them there.
   * A head that arrived in one piece is copied as one range, separators included: each
   * Buffer.copy of a sub-range makes a view object (Node 20), ~100 B per span otherwise.
   * A head whose range is mostly padding (whitespace around values) is copied span by span.
   */
  copy(scope: Scope): void {
    const raw = scope.raw;
    const src = raw.buf;
    const spans = raw.spans;
    const pairs = raw.size * 2;
    let lo = scope.urlStart;
    let hi = scope.urlEnd;
    for (let i = 0; i < pairs; i++) {
      if (spans[i * 2] < lo) lo = spans[i * 2];
      if (spans[i * 2 + 1] > hi) hi = spans[i * 2 + 1];
    }
    const whole = hi - lo <= this.headBytes * 2;
    const need = Math.max(1024, this.headBytes * 2);
    if (this.own === null || this.own.length < need) this.own = Buffer.allocUnsafe(need);
    const own = this.own;
    let n: number;
    if (whole) {
      src.copy(own, 0, lo, hi);
      scope.urlStart -= lo;
      scope.urlEnd -= lo;
      for (let i = 0; i < pairs * 2; i++) spans[i] -= lo;
      n = hi - lo;
    } else {
      src.copy(own, 0, scope.urlStart, scope.urlEnd);
      n = scope.urlEnd - scope.urlStart;
      scope.urlStart = 0;
      scope.urlEnd = n;
      for (let i = 0; i < pairs; i++) {
        const s = spans[i * 2];
        const len = spans[i * 2 + 1] - s;
        src.copy(own, n, s, s + len);
        spans[i * 2] = n;
        spans[i * 2 + 1] = n + len;
        n += len;
      }
    }
    this.ownLen = n;
    this.owned = true;
    raw.buf = own;
  }

  /** Owned mode: appends chunk[off, off+len) to the copy; returns where it starts. */
  private append(scope: Scope, chunk: Buffer, off: number, len: number): number {
    let own = this.own!;
    if (this.ownLen + len > own.length) {
      const bigger = Buffer.allocUnsafe(Math.max(own.length * 2, this.ownLen + len));
      own.copy(bigger, 0, 0, this.ownLen);
      this.own = own = bigger;
      scope.raw.buf = bigger;
    }
    const at = this.ownLen;
    chunk.copy(own, at, off, off + len);
    this.ownLen += len;
    return at;
  }
}
