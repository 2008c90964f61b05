// Right-to-left iteration over the items of a comma-separated header field
// (X-Forwarded-For, -Proto, -Host, -Port, -Prefix), across repeated lines.
//
// Repeated lines of one field are one list in order (RFC 9110 §5.3), so the last
// item of the last line is the rightmost. The cursor walks byte offsets only: no
// split(','), no trim(), no strings. Empty items are skipped (RFC 9110 §5.6.1) and
// SP / HTAB around an item are not part of it.

/** The part of scope/headers.ts's Headers the trust stage reads (spans: [nameStart, nameEnd, valueStart, valueEnd] per line). */
export interface HeaderLines {
  readonly buf: Buffer;
  readonly size: number;
  readonly spans: Int32Array;
  readonly ids: Uint8Array;
}

const NO_LINES: HeaderLines = { buf: Buffer.alloc(0), size: 0, spans: new Int32Array(0), ids: new Uint8Array(0) };

/** One per Trust instance; reset() per list. */
export class ListCursor {
  /** The current item, valid after prev() returned true. */
  start = 0;
  end = 0;

  private h: HeaderLines = NO_LINES;
  private id = 0;
  /** Line being read, or h.size before the first prev(). */
  private line = 0;
  private lineStart = 0;
  /** Exclusive end of the next item to read in the current line. */
  private pos = 0;
  private inLine = false;

  /** Positions the cursor after the rightmost item of field `id`. */
  reset(h: HeaderLines, id: number): void {
    this.h = h;
    this.id = id;
    this.line = h.size;
    this.inLine = false;
  }

  /** Moves to the previous non-empty item; false when the list is exhausted. */
  prev(): boolean {
    const h = this.h;
    const buf = h.buf;
    for (;;) {
      if (!this.inLine) {
        const ids = h.ids;
        let l = this.line - 1;
        while (l >= 0 && ids[l] !== this.id) l--;
        this.line = l;
        if (l < 0) return false;
        this.lineStart = h.spans[l * 4 + 2];
        this.pos = h.spans[l * 4 + 3];
        this.inLine = true;
      }
      let e = this.pos;
      let s = e;
      while (s > this.lineStart && buf[s - 1] !== 0x2c /* , */) s--;
      if (s > this.lineStart) this.pos = s - 1;
      else this.inLine = false;
      while (s < e && (buf[s] === 0x20 || buf[s] === 0x09)) s++;
      while (e > s && (buf[e - 1] === 0x20 || buf[e - 1] === 0x09)) e--;
      if (s < e) {
        this.start = s;
        this.end = e;
        return true;
      }
    }
  }

  /** Number of non-empty items of field `id` (leaves the cursor exhausted). */
  count(h: HeaderLines, id: number): number {
    this.reset(h, id);
    let n = 0;
    while (this.prev()) n++;
    return n;
  }

  /** Moves to the k-th item from the right (k ≥ 1) of field `id`; false when there are fewer. */
  nth(h: HeaderLines, id: number, k: number): boolean {
    this.reset(h, id);
    for (let j = 0; j < k; j++) if (!this.prev()) return false;
    return true;
  }

  /** Drops the reference to the request's buffer (so a pooled scope's bytes are not kept alive by the cursor). */
  release(): void {
    this.h = NO_LINES;
  }
}
