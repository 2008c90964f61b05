// The host a request addressed, as the trust stage resolved it, read as a byte span,
// and validated against the host grammar before anything compares it.
//
// Precedence (the same as scope.server): a trusted X-Forwarded-Host / Forwarded host=
// (scope.forwardedHost, validated by the trust stage), else the authority of an
// absolute-form request target (RFC 9112 §3.2.2: it wins over Host), else Host.
// The common case, an origin-form target with a Host header on a transport scope,
// is read in place from the received bytes: no string is made.
import { H } from '../parser/header-names.js';
import { Scope as TransportScope } from '../scope/scope.js';
import { parsePort } from '../trust/address.js';
import { isValidHost } from '../trust/values.js';
import type { Scope } from '../types.js';

const EMPTY = new Uint8Array(0);

/** What readHost() found. */
export const HOST = { NONE: 0, INVALID: 1, VALID: 2 } as const;
export type HostResult = (typeof HOST)[keyof typeof HOST];

/** The checked host of one request: spans into `buf`. Reused (one per middleware instance). */
export class HostSpan {
  buf: Uint8Array = EMPTY;
  start = 0;
  end = 0;
  /** Name without port and without one trailing dot; brackets included for IPv6. */
  nameEnd = 0;
  /** Explicit port, -1 when the host had none. */
  port = -1;
  /** Bracketed IPv6 literal; `words` holds its 128 bits. */
  ipv6 = false;
  readonly words = new Int32Array(4);
}

/**
 * Fills `out` with the request's host and checks it: RFC 3986 host [":" port] as
 * isValidHost() accepts it (reg-name of unreserved characters or a strict bracketed
 * IPv6 literal), plus DNS label rules: no empty label ('a..b', '.a'), except one
 * trailing dot. Returns NONE when the request names no host (HTTP/1.0 without Host),
 * INVALID when it is malformed ('evil.com#.example.com', '[::1]evil.com', 'a b',
 * 'user@host'), VALID with `out` filled.
 */
export function readHost(scope: Scope, out: HostSpan): HostResult {
  const s = scope as Partial<TransportScope>;
  const forwarded = s.forwardedHost;
  if (typeof forwarded === 'string') return checkString(forwarded, out);
  const raw = s.raw;
  if (raw !== undefined && raw !== null && typeof s.urlStart === 'number') {
    const buf = raw.buf;
    const u = s.urlStart;
    if (u < s.urlEnd! && buf[u] === 0x2f /* origin-form */) {
      const i = raw.indexOfId(H.HOST);
      if (i < 0) return HOST.NONE;
      return checkSpan(buf, raw.valueStart(i), raw.valueEnd(i), out) ? HOST.VALID : HOST.INVALID;
    }
    // Works on the transport scope and on a spread copy of it (it reads own fields only).
    return checkString(TransportScope.prototype.hostHeader.call(s as TransportScope), out);
  }
  return checkString(scope.headers.get('host'), out);
}

function checkString(host: string | null, out: HostSpan): HostResult {
  if (host === null) return HOST.NONE;
  // Non-ASCII does not survive latin1 bytes: refuse rather than compare a mangled host.
  if (Buffer.byteLength(host, 'utf8') !== host.length) return HOST.INVALID;
  const buf = Buffer.from(host, 'latin1');
  return checkSpan(buf, 0, buf.length, out) ? HOST.VALID : HOST.INVALID;
}

/** Validates buf[s, e) as a host and splits it into name and port. */
export function checkSpan(buf: Uint8Array, s: number, e: number, out: HostSpan): boolean {
  if (!isValidHost(buf, s, e, out.words)) return false;
  out.buf = buf;
  out.start = s;
  out.end = e;
  if (buf[s] === 0x5b /* [ */) {
    let close = s + 1;
    while (buf[close] !== 0x5d) close++;
    out.ipv6 = true;
    out.nameEnd = close + 1;
    out.port = close + 1 < e ? parsePort(buf, close + 2, e) : -1;
    return true;
  }
  out.ipv6 = false;
  let colon = s;
  while (colon < e && buf[colon] !== 0x3a) colon++;
  out.port = colon < e ? parsePort(buf, colon + 1, e) : -1;
  // DNS labels: none empty, one trailing dot allowed (and ignored).
  let nameEnd = colon;
  if (buf[nameEnd - 1] === 0x2e) nameEnd--;
  if (nameEnd === s || buf[s] === 0x2e) return false;
  for (let i = s + 1; i < nameEnd; i++) if (buf[i] === 0x2e && buf[i - 1] === 0x2e) return false;
  out.nameEnd = nameEnd;
  return true;
}

/** ASCII-lowercase equality of buf[s, s + text.length) and lowercase `text`. */
export function equalsLower(buf: Uint8Array, s: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    let c = buf[s + k];
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== text.charCodeAt(k)) return false;
  }
  return true;
}

/** buf[s, e) as a latin1 string (the host already passed the grammar check: ASCII). */
export function spanText(buf: Uint8Array, s: number, e: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1');
}
