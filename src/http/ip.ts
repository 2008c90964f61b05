// Strict IP address literals over byte ranges (RFC 3986 §3.2.2 IPv4address and
// IPv6address, RFC 4291 §2.2). Nothing allocates: the 128 bits of an IPv6 address go
// into a caller-owned Int32Array as four signed words, big-endian word order.
//
// Strictness: '127.1', '0x7f.1', '2130706433' and '010.0.0.1' (octal to inet_aton)
// are not IPv4address (RFC 3986 dec-octet has no leading zero), and browsers and libc
// disagree about them, so they are refused. Zones ('%eth0') are refused: a zone is
// meaningful only on the host that wrote it.
import { hexValue } from './ascii.js';

// Scratch for IPv6 groups before '::' expansion; module-level, parsing is synchronous.
const GROUPS = new Uint16Array(8);

/**
 * Strict dotted four-part decimal IPv4 in buf[start, end): each part 1-3 digits,
 * no leading zero, at most 255. Returns the address as an unsigned 32-bit number,
 * or -1 when the range is not such an address.
 */
export function parseIPv4(buf: Uint8Array, start: number, end: number): number {
  if (end - start < 7 || end - start > 15) return -1;
  let value = 0;
  let parts = 0;
  let i = start;
  for (;;) {
    const partStart = i;
    let part = 0;
    while (i < end && buf[i] >= 0x30 && buf[i] <= 0x39) {
      part = part * 10 + (buf[i] - 0x30);
      i++;
    }
    const digits = i - partStart;
    if (digits === 0 || digits > 3 || part > 255) return -1;
    if (digits > 1 && buf[partStart] === 0x30) return -1; // '010' would be octal to inet_aton
    value = value * 256 + part;
    parts++;
    if (parts === 4) return i === end ? value : -1;
    if (i >= end || buf[i] !== 0x2e /* . */) return -1;
    i++;
  }
}

/**
 * Strict IPv6 (RFC 4291 §2.2) in buf[start, end), without brackets or zone: 1-4 hex
 * digits per group, at most one '::' standing for at least one group, an optional
 * trailing strict dotted IPv4. Writes the 128 bits into `out` and returns true,
 * or returns false (then `out` is garbage).
 */
export function parseIPv6(buf: Uint8Array, start: number, end: number, out: Int32Array): boolean {
  const len = end - start;
  if (len < 2 || len > 45) return false;
  const g = GROUPS;
  let n = 0; // groups written to g
  let gap = -1; // index in g where '::' stands
  let i = start;
  if (buf[i] === 0x3a /* : */) {
    if (buf[i + 1] !== 0x3a) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    let j = i;
    let v = 0;
    while (j < end) {
      const h = hexValue(buf[j]);
      if (h < 0) break;
      v = (v << 4) | h;
      j++;
      if (j - i > 4) break;
    }
    if (j < end && buf[j] === 0x2e /* . */) {
      // Embedded IPv4 (RFC 4291 §2.2 form 3): must be the last 32 bits.
      if (n > 6) return false;
      const v4 = parseIPv4(buf, i, end);
      if (v4 < 0) return false;
      g[n++] = v4 >>> 16;
      g[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    const digits = j - i;
    if (digits === 0 || digits > 4 || n === 8) return false;
    g[n++] = v;
    if (j === end) {
      i = end;
      break;
    }
    if (buf[j] !== 0x3a) return false;
    j++;
    if (j < end && buf[j] === 0x3a) {
      if (gap >= 0) return false; // a second '::'
      gap = n;
      j++;
    } else if (j === end) {
      return false; // a single trailing ':'
    }
    i = j;
  }
  if (gap < 0) {
    if (n !== 8) return false;
  } else if (n > 7) {
    return false; // '::' must stand for at least one group
  }
  // Expand into words: groups before the gap, zeros, groups after the gap.
  const tail = gap < 0 ? 0 : n - gap;
  const head = n - tail;
  for (let w = 0; w < 4; w++) {
    const hi = groupAt(2 * w, head, tail);
    const lo = groupAt(2 * w + 1, head, tail);
    out[w] = (hi << 16) | lo;
  }
  return true;
}

function groupAt(k: number, head: number, tail: number): number {
  if (k < head) return GROUPS[k];
  const fromEnd = 8 - k;
  if (fromEnd <= tail) return GROUPS[head + tail - fromEnd];
  return 0;
}
