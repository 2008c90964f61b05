// RFC 7239 `Forwarded` parsed into a fixed table of element spans.
//
// A quoted-string may contain ',' and ';', so a Forwarded line cannot be cut from
// the right the way X-Forwarded-For is; each line is tokenised left to right once
// and its elements are recorded as offsets in one Int32Array owned by the Trust
// instance (nothing allocated per request). The table is a ring: a request with
// more than MAX_ELEMENTS elements keeps the rightmost ones, and a walk that needs
// an element that fell off stops there, like any other garbage.
//
// Grammar (RFC 7239 §4, RFC 9110 §5.6):
//   Forwarded         = 1#forwarded-element
//   forwarded-element = [ forwarded-pair ] *( ";" [ forwarded-pair ] )
//   forwarded-pair    = token "=" value ; value = token / quoted-string
// OWS is tolerated around ',' and ';' (not around '='). A parameter given twice in
// one element makes the element invalid (§4: "MUST NOT occur more than once").
// A syntax error makes the element invalid and parsing resumes after the next
// ',' outside quotes; an unterminated quote invalidates the rest of the line.
import type { HeaderLines } from './list.js';
import { isTchar } from '../http/ascii.js';
import { H } from '../parser/header-names.js';

/** Elements kept per request (the rightmost ones). */
export const MAX_ELEMENTS = 64;

/** Int32 slots per element in ForwardedTable.table. */
export const SLOT = {
  FLAGS: 0,
  FOR_START: 1,
  FOR_END: 2,
  PROTO_START: 3,
  PROTO_END: 4,
  HOST_START: 5,
  HOST_END: 6,
} as const;
const SLOTS = 7;

/** Bits of SLOT.FLAGS. A *_BAD bit means the parameter was there but unusable (empty, or with quoted-pairs). */
export const EL = {
  INVALID: 1,
  FOR: 2,
  PROTO: 4,
  HOST: 8,
  BY: 16,
  FOR_BAD: 32,
  PROTO_BAD: 64,
  HOST_BAD: 128,
} as const;

const PARAM_OTHER = 0;
const PARAM_FOR = 1;
const PARAM_BY = 2;
const PARAM_PROTO = 3;
const PARAM_HOST = 4;

/** RFC 9110 §5.6.4 qdtext (without '"' and '\'). */
function isQdtext(c: number): boolean {
  return c === 0x09 || c === 0x20 || c === 0x21 || (c >= 0x23 && c <= 0x7e && c !== 0x5c) || c >= 0x80;
}

function paramOf(buf: Uint8Array, s: number, e: number): number {
  const n = e - s;
  const c0 = buf[s] | 0x20;
  if (n === 3 && c0 === 0x66 && (buf[s + 1] | 0x20) === 0x6f && (buf[s + 2] | 0x20) === 0x72) return PARAM_FOR;
  if (n === 2 && c0 === 0x62 && (buf[s + 1] | 0x20) === 0x79) return PARAM_BY;
  if (n === 4 && c0 === 0x68 && (buf[s + 1] | 0x20) === 0x6f && (buf[s + 2] | 0x20) === 0x73 && (buf[s + 3] | 0x20) === 0x74) {
    return PARAM_HOST;
  }
  if (n === 5 && c0 === 0x70 && (buf[s + 1] | 0x20) === 0x72 && (buf[s + 2] | 0x20) === 0x6f && (buf[s + 3] | 0x20) === 0x74 && (buf[s + 4] | 0x20) === 0x6f) {
    return PARAM_PROTO;
  }
  return PARAM_OTHER;
}

/** The Forwarded elements of one request, as spans. Reused for every request. */
export class ForwardedTable {
  readonly table = new Int32Array(MAX_ELEMENTS * SLOTS);
  /** Elements parsed (may exceed MAX_ELEMENTS; only the rightmost are kept). */
  count = 0;

  // The element being built.
  private flags = 0;
  private forStart = 0;
  private forEnd = 0;
  private protoStart = 0;
  private protoEnd = 0;
  private hostStart = 0;
  private hostEnd = 0;

  /** Parses every Forwarded line of `h`, in order, into the table. */
  parse(h: HeaderLines): void {
    this.count = 0;
    const ids = h.ids;
    const spans = h.spans;
    for (let l = 0; l < h.size; l++) {
      if (ids[l] === H.FORWARDED) this.parseLine(h.buf, spans[l * 4 + 2], spans[l * 4 + 3]);
    }
  }

  /** Table offset of the k-th element from the right (k ≥ 1), or -1 when there is none (or it fell off the ring). */
  fromRight(k: number): number {
    if (k < 1 || k > this.count || k > MAX_ELEMENTS) return -1;
    return ((this.count - k) % MAX_ELEMENTS) * SLOTS;
  }

  private begin(): void {
    this.flags = 0;
    this.forStart = this.forEnd = this.protoStart = this.protoEnd = this.hostStart = this.hostEnd = 0;
  }

  private push(): void {
    const o = (this.count % MAX_ELEMENTS) * SLOTS;
    const t = this.table;
    t[o] = this.flags;
    t[o + 1] = this.forStart;
    t[o + 2] = this.forEnd;
    t[o + 3] = this.protoStart;
    t[o + 4] = this.protoEnd;
    t[o + 5] = this.hostStart;
    t[o + 6] = this.hostEnd;
    this.count++;
  }

  /** Records one parameter of the element being built. */
  private param(kind: number, vs: number, ve: number, bad: boolean): void {
    switch (kind) {
      case PARAM_FOR:
        if ((this.flags & EL.FOR) !== 0) this.flags |= EL.INVALID;
        this.flags |= bad ? EL.FOR | EL.FOR_BAD : EL.FOR;
        this.forStart = vs;
        this.forEnd = ve;
        break;
      case PARAM_PROTO:
        if ((this.flags & EL.PROTO) !== 0) this.flags |= EL.INVALID;
        this.flags |= bad ? EL.PROTO | EL.PROTO_BAD : EL.PROTO;
        this.protoStart = vs;
        this.protoEnd = ve;
        break;
      case PARAM_HOST:
        if ((this.flags & EL.HOST) !== 0) this.flags |= EL.INVALID;
        this.flags |= bad ? EL.HOST | EL.HOST_BAD : EL.HOST;
        this.hostStart = vs;
        this.hostEnd = ve;
        break;
      case PARAM_BY:
        if ((this.flags & EL.BY) !== 0) this.flags |= EL.INVALID;
        this.flags |= EL.BY;
        break;
      default:
      // Extension parameters (RFC 7239 §5.5) are allowed and ignored.
    }
  }

  private parseLine(buf: Uint8Array, s: number, e: number): void {
    let i = s;
    while (i <= e) {
      this.begin();
      let any = false; // the element had at least one pair (empty list elements are skipped, RFC 9110 §5.6.1)
      let error = false;
      let inQuote = false;
      pairs: for (;;) {
        while (i < e && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
        if (i >= e || buf[i] === 0x2c /* , */) break;
        if (buf[i] === 0x3b /* ; */) {
          i++;
          continue;
        }
        const ns = i;
        while (i < e && isTchar(buf[i])) i++;
        if (i === ns || i >= e || buf[i] !== 0x3d /* = */) {
          error = true;
          break;
        }
        const kind = paramOf(buf, ns, i);
        i++;
        let vs: number;
        let ve: number;
        let bad = false;
        if (i < e && buf[i] === 0x22 /* " */) {
          vs = ++i;
          for (;;) {
            if (i >= e) {
              // Unterminated quote: it swallowed the rest of the line.
              this.flags |= EL.INVALID;
              this.push();
              return;
            }
            const c = buf[i];
            if (c === 0x22) break;
            if (c === 0x5c /* \ */) {
              // quoted-pair: legal, but no node, proto or host contains one.
              bad = true;
              i += 2;
              continue;
            }
            if (!isQdtext(c)) {
              error = true;
              inQuote = true;
              break pairs;
            }
            i++;
          }
          ve = i++;
        } else {
          vs = i;
          while (i < e && isTchar(buf[i])) i++;
          ve = i;
        }
        if (ve === vs) bad = true;
        any = true;
        this.param(kind, vs, ve, bad);
        while (i < e && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
        if (i < e && buf[i] !== 0x2c && buf[i] !== 0x3b) {
          error = true;
          break;
        }
      }
      if (error) {
        this.flags |= EL.INVALID;
        this.push();
        i = skipToComma(buf, i, e, inQuote);
        if (i < 0) return;
      } else if (any) {
        this.push();
      }
      if (i >= e) return;
      i++; // ','
    }
  }
}

/** Index of the next ',' outside a quoted-string at or after i, or -1 (end of line or unterminated quote). */
function skipToComma(buf: Uint8Array, i: number, e: number, quoted: boolean): number {
  for (; i < e; i++) {
    const c = buf[i];
    if (quoted) {
      if (c === 0x5c) i++;
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) {
      quoted = true;
    } else if (c === 0x2c) {
      return i;
    }
  }
  return -1;
}
