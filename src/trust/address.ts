// Strict address parsing over byte ranges, for the items of forwarding headers,
// on the address grammars of the http/ leaf (re-exported here for trust's users).
//
// Everything here works on (buf, start, end) and writes into caller-owned typed
// arrays: nothing allocates. An address is kept as 128 bits in four signed 32-bit
// words (big-endian word order); an IPv4 address is stored as its IPv4-mapped IPv6
// form ::ffff:a.b.c.d (RFC 4291 §2.5.5.2), so one comparison path serves both
// families and a mapped peer matches IPv4 ranges.
//
// Strictness (the "take the secure one"): ipaddr.js's IPv4.parse accepts
// '127.1', '0x7f.1', '2130706433' and '010.0.0.1' (octal!), which browsers and
// libc disagree about, so they are refused here, exactly as
// ipaddr.IPv4.isValidFourPartDecimal refuses them. IPv6 zones ('%eth0') are refused
// inside headers: a zone is meaningful only on the host that wrote it.
import { equalsLower } from '../http/ascii.js';
import { parsePort } from '../http/host.js';
import { parseIPv4, parseIPv6 } from '../http/ip.js';

export { parseIPv4, parseIPv6, parsePort };

// Scratch for formatIPv6's groups; module-level, formatting is synchronous.
const GROUPS = new Uint16Array(8);

/** Result codes of parseNode(). Only ADDRESS yields an address; the others stop a walk. */
export const NODE = {
  INVALID: 0,
  ADDRESS: 1,
  /** RFC 7239 §6.2 'unknown' (also accepted in X-Forwarded-For, where some proxies write it). */
  UNKNOWN: 2,
  /** RFC 7239 §6.3 obfuscated identifier '_abc' (Forwarded only). */
  OBFUSCATED: 3,
} as const;
export type NodeCode = (typeof NODE)[keyof typeof NODE];

/** Item grammars: X-Forwarded-For / X-Real-IP items, or RFC 7239 node values (already unquoted). */
export const SYNTAX = {
  /** 'a.b.c.d', 'a.b.c.d:port', bare IPv6, '[v6]', '[v6]:port'. */
  LIST: 0,
  /** RFC 7239 §6: nodename [":" node-port]; IPv6 only in brackets; obfuscated ports allowed. */
  FORWARDED: 1,
} as const;
export type Syntax = (typeof SYNTAX)[keyof typeof SYNTAX];

/** Where parseNode() puts its answer. One per Trust instance, reused for every item. */
export class NodeResult {
  /** Address span in the buffer (without brackets or port). */
  addrStart = 0;
  addrEnd = 0;
  /** Port from the item, 0 when it had none (or an obfuscated one). */
  port = 0;
  /** The address as 128 bits, IPv4 as ::ffff:a.b.c.d. */
  readonly words = new Int32Array(4);
}

/** Writes an IPv4 value (from parseIPv4) into `out` as ::ffff:a.b.c.d. */
export function mapIPv4(value: number, out: Int32Array): void {
  out[0] = 0;
  out[1] = 0;
  out[2] = 0xffff;
  out[3] = value | 0;
}

/** Either strict family into `out`; returns 4, 6, or 0 when neither. */
export function parseIp(buf: Uint8Array, start: number, end: number, out: Int32Array): 0 | 4 | 6 {
  const v4 = parseIPv4(buf, start, end);
  if (v4 >= 0) {
    mapIPv4(v4, out);
    return 4;
  }
  return parseIPv6(buf, start, end, out) ? 6 : 0;
}

/** RFC 7239 §6.3: "_" 1*( ALPHA / DIGIT / "." / "_" / "-" ). */
function isObfuscated(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start < 2 || buf[start] !== 0x5f /* _ */) return false;
  for (let i = start + 1; i < end; i++) {
    const c = buf[i];
    const lower = c | 0x20;
    if ((lower >= 0x61 && lower <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f || c === 0x2d) continue;
    return false;
  }
  return true;
}

/** Case-insensitive 'unknown' (RFC 7239 §6.2). */
function isUnknown(buf: Uint8Array, start: number, end: number): boolean {
  return equalsLower(buf, start, end, 'unknown');
}

/** Port part after ':' — a number, or in Forwarded an obfuscated port (then 0). -1 when invalid. */
function nodePort(buf: Uint8Array, start: number, end: number, syntax: Syntax): number {
  if (syntax === SYNTAX.FORWARDED && isObfuscated(buf, start, end)) return 0;
  return parsePort(buf, start, end);
}

/**
 * Parses one list item / node value in buf[start, end) (already trimmed and unquoted).
 * On ADDRESS, `r` holds the address span, port and 128-bit words. Never throws.
 */
export function parseNode(buf: Uint8Array, start: number, end: number, syntax: Syntax, r: NodeResult): NodeCode {
  if (end <= start) return NODE.INVALID;
  if (isUnknown(buf, start, end)) return NODE.UNKNOWN;
  const first = buf[start];
  if (first === 0x5f /* _ */) {
    if (syntax !== SYNTAX.FORWARDED) return NODE.INVALID;
    let colon = start;
    while (colon < end && buf[colon] !== 0x3a) colon++;
    if (!isObfuscated(buf, start, colon)) return NODE.INVALID;
    if (colon < end && nodePort(buf, colon + 1, end, syntax) < 0) return NODE.INVALID;
    return NODE.OBFUSCATED;
  }
  if (first === 0x5b /* [ */) {
    let close = start + 1;
    while (close < end && buf[close] !== 0x5d /* ] */) close++;
    if (close === end || !parseIPv6(buf, start + 1, close, r.words)) return NODE.INVALID;
    let port = 0;
    if (close + 1 < end) {
      if (buf[close + 1] !== 0x3a) return NODE.INVALID;
      port = nodePort(buf, close + 2, end, syntax);
      if (port < 0) return NODE.INVALID;
    }
    r.addrStart = start + 1;
    r.addrEnd = close;
    r.port = port;
    return NODE.ADDRESS;
  }
  let colon = start;
  while (colon < end && buf[colon] !== 0x3a) colon++;
  if (colon === end) {
    const v4 = parseIPv4(buf, start, end);
    if (v4 < 0) return NODE.INVALID;
    mapIPv4(v4, r.words);
    r.addrStart = start;
    r.addrEnd = end;
    r.port = 0;
    return NODE.ADDRESS;
  }
  // A bare IPv6 is an X-Forwarded-For form only; RFC 7239 §6 requires brackets.
  if (syntax === SYNTAX.LIST && parseIPv6(buf, start, end, r.words)) {
    r.addrStart = start;
    r.addrEnd = end;
    r.port = 0;
    return NODE.ADDRESS;
  }
  const v4 = parseIPv4(buf, start, colon);
  if (v4 < 0) return NODE.INVALID;
  const port = nodePort(buf, colon + 1, end, syntax);
  if (port < 0) return NODE.INVALID;
  mapIPv4(v4, r.words);
  r.addrStart = start;
  r.addrEnd = colon;
  r.port = port;
  return NODE.ADDRESS;
}

/** 'fe80::1%eth0' → 'fe80::1'. Peers may carry a zone (link-local); it is dropped before matching. */
export function stripZone(address: string): string {
  const pct = address.indexOf('%');
  return pct < 0 ? address : address.slice(0, pct);
}

/**
 * Text form of 16 bytes of an IPv6 address at buf[offset], as Node prints remote
 * addresses: lowercase, the longest run (≥ 2) of zero groups compressed (RFC 5952 §4.2),
 * IPv4-mapped addresses as '::ffff:a.b.c.d'. Allocates the string (per connection).
 */
export function formatIPv6(buf: Uint8Array, offset: number): string {
  const g = GROUPS;
  for (let k = 0; k < 8; k++) g[k] = (buf[offset + 2 * k] << 8) | buf[offset + 2 * k + 1];
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${buf[offset + 12]}.${buf[offset + 13]}.${buf[offset + 14]}.${buf[offset + 15]}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (g[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && g[e] === 0) e++;
    if (e - k > bestLen) {
      bestStart = k;
      bestLen = e - k;
    }
    k = e;
  }
  let s = '';
  for (let k = 0; k < 8; k++) {
    if (k === bestStart) {
      s += '::';
      k += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += g[k].toString(16);
  }
  return s;
}
