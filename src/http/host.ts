// The host grammar, once: RFC 3986 §3.2.2 host [ ":" port ] (§3.2.3) over byte ranges,
// as the Host field (RFC 9112 §3.2), a forwarded host (RFC 7239 §5.3) or a name an app
// compares. Callers differ in how much of the RFC they accept; each difference is one
// bit of HOST_RULE, and each caller's choice is one HOST_MODE below.
import { isHex } from './ascii.js';
import { parseIPv6 } from './ip.js';

/** Longest host a SHORT mode accepts: a DNS name (253) plus ':65535'. */
export const MAX_HOST_LENGTH = 260;

/** The switchable parts of the grammar. Always: IP-literal is a strict bracketed IPv6 (IPvFuture refused). */
export const HOST_RULE = {
  /** The name may be empty ('' and ':80'): reg-name = *( ... ), and RFC 9112 §3.2 allows an empty Host. */
  EMPTY: 1,
  /**
   * reg-name as the RFC has it: unreserved, pct-encoded ('%' HEXDIG HEXDIG) and sub-delims
   * ("!$&'()*+,;="). Without it, unreserved only (ALPHA DIGIT '-' '.' '_' '~'): no DNS
   * name needs the rest, and it only serves header injection into generated URLs.
   */
  WIDE: 2,
  /** port = *DIGIT (RFC 3986 §3.2.3: may be empty or long); without it 1-5 digits up to 65535. */
  ANY_PORT: 4,
  /** At most MAX_HOST_LENGTH bytes, and not empty. */
  SHORT: 8,
  /** DNS labels (RFC 1035 §2.3.1): none empty ('a..b', '.a'); one trailing dot, the root, is allowed. */
  LABELS: 16,
} as const;

/** Each caller's grammar. */
export const HOST_MODE = {
  /**
   * The Host field the server lets through to the app (server/head-checks): the RFC's
   * whole grammar, so no valid request is refused; what the name means is the app's business.
   */
  FIELD: HOST_RULE.EMPTY | HOST_RULE.WIDE | HOST_RULE.ANY_PORT,
  /** A host a trusted proxy forwarded (trust/values): strict, since it becomes scope.server. */
  FORWARDED: HOST_RULE.SHORT,
  /** A host the middleware compares or writes into a Location: FORWARDED plus DNS labels. */
  NAME: HOST_RULE.SHORT | HOST_RULE.LABELS,
} as const;

// Byte classes of reg-name (RFC 3986 §2.2-2.3).
const UNRESERVED = 1;
const SUB_DELIM = 2;
const PCT = 4;
const CLASS = new Uint8Array(256);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~') CLASS[c.charCodeAt(0)] = UNRESERVED;
for (const c of "!$&'()*+,;=") CLASS[c.charCodeAt(0)] = SUB_DELIM;
CLASS[0x25 /* % */] = PCT;

// Where an IPv6 literal goes when the caller does not need its bits.
const WORDS = new Int32Array(4);

/**
 * Checks buf[s, e) as host [":" port] under `mode` (a HOST_MODE, or HOST_RULE bits).
 * Returns where the host ends (the ':' before the port, or e), or -1 when invalid.
 * A bracketed IPv6 literal's 128 bits go to `words` when given. Allocates nothing.
 */
export function hostEnd(buf: Uint8Array, s: number, e: number, mode: number, words: Int32Array | null): number {
  if ((mode & HOST_RULE.SHORT) !== 0 && (e <= s || e - s > MAX_HOST_LENGTH)) return -1;
  let i = s;
  if (i < e && buf[i] === 0x5b /* [ */) {
    let close = s + 1;
    while (close < e && buf[close] !== 0x5d /* ] */) close++;
    if (close === e || !parseIPv6(buf, s + 1, close, words ?? WORDS)) return -1;
    i = close + 1;
  } else {
    const allowed = (mode & HOST_RULE.WIDE) !== 0 ? UNRESERVED | SUB_DELIM | PCT : UNRESERVED;
    for (; i < e; i++) {
      const k = CLASS[buf[i]] & allowed;
      if (k === 0) break;
      if (k === PCT) {
        if (i + 2 >= e || !isHex(buf[i + 1]) || !isHex(buf[i + 2])) return -1;
        i += 2;
      }
    }
    if (i === s && (mode & HOST_RULE.EMPTY) === 0) return -1;
    if ((mode & HOST_RULE.LABELS) !== 0 && !labels(buf, s, i)) return -1;
  }
  if (i === e) return i;
  if (buf[i] !== 0x3a /* : */) return -1;
  if ((mode & HOST_RULE.ANY_PORT) !== 0) {
    for (let p = i + 1; p < e; p++) if (buf[p] < 0x30 || buf[p] > 0x39) return -1;
    return i;
  }
  return parsePort(buf, i + 1, e) >= 0 ? i : -1;
}

/** No empty label in the name buf[s, e): no leading dot, no '..'; a trailing dot (the root) is fine. */
function labels(buf: Uint8Array, s: number, e: number): boolean {
  if (e <= s || buf[s] === 0x2e /* . */) return false;
  for (let i = s + 1; i < e; i++) if (buf[i] === 0x2e && buf[i - 1] === 0x2e) return false;
  return true;
}

/** 1-5 digits, at most 65535; -1 otherwise (RFC 3986 §3.2.3 port, RFC 7239 node-port). */
export function parsePort(buf: Uint8Array, start: number, end: number): number {
  const digits = end - start;
  if (digits < 1 || digits > 5) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v <= 65535 ? v : -1;
}
