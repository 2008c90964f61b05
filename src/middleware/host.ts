// The host a request addressed, as the trust stage resolved it, read as a byte span,
// and validated against the host grammar before anything compares it.
//
// Precedence (the same as scope.server): a trusted X-Forwarded-Host / Forwarded host=
// (scope.forwardedHost, validated by the trust stage), else the authority of an
// absolute-form request target (RFC 9112 §3.2.2: it wins over Host), else Host.
// The common case, an origin-form target with a Host header on a transport scope,
// is read in place from the received bytes: no string is made.
import { asciiScratch } from '../http/ascii.js';
import { HOST_MODE, hostEnd, parsePort } from '../http/host.js';
import { H } from '../parser/header-names.js';
import { Scope as TransportScope } from '../scope/scope.js';
import type { Scope } from '../types.js';

const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer);

/** What readHost() found. */
export const HOST = { NONE: 0, INVALID: 1, VALID: 2 } as const;
export type HostResult = (typeof HOST)[keyof typeof HOST];

/**
 * The checked host of one request: spans into `buf`, which is the received bytes or,
 * for a host that came as a string, the shared scratch of http/ascii asciiScratch()
 * (valid until its next use): read it synchronously. Reused (one per middleware instance).
 */
export class HostSpan {
  buf: Uint8Array = EMPTY;
  /** A view over `buf`, filled by hostFieldSpan() only. */
  view: DataView = EMPTY_VIEW;
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
 * Fills `out` with the request's host and checks it with the host grammar in its NAME
 * mode (http/host.ts: reg-name of unreserved characters or a strict bracketed IPv6
 * literal, DNS labels, an optional port up to 65535). Returns NONE when the request
 * names no host (HTTP/1.0 without Host), INVALID when it is malformed
 * ('evil.com#.example.com', '[::1]evil.com', 'a b', 'user@host', 'a..b'), VALID with
 * `out` filled.
 */
export function readHost(scope: Scope, out: HostSpan): HostResult {
  const forwarded = scope.forwardedHost;
  if (typeof forwarded === 'string') return checkString(forwarded, out);
  if (scope instanceof TransportScope) {
    const i = originHostIndex(scope);
    if (i === NOT_ORIGIN_FORM) return checkString(scope.authority, out);
    if (i < 0) return HOST.NONE;
    const raw = scope.raw;
    return checkSpan(raw.buf, raw.valueStart(i), raw.valueEnd(i), out) ? HOST.VALID : HOST.INVALID;
  }
  // A scope made elsewhere, or a spread copy of ours (which carries `authority` as a value).
  const authority = scope.authority;
  return checkString(authority !== undefined ? authority : scope.headers.get('host'), out);
}

const NOT_ORIGIN_FORM = -2;

/** The Host line of an origin-form request (the common case, where Host is the host); -1 when none, NOT_ORIGIN_FORM otherwise. */
function originHostIndex(scope: TransportScope): number {
  const u = scope.urlStart;
  if (u >= scope.urlEnd || scope.raw.buf[u] !== 0x2f /* origin-form */) return NOT_ORIGIN_FORM;
  return scope.raw.indexOfId(H.HOST);
}

/**
 * When the request's host is its Host field as received (a transport scope, origin-form
 * target, no trusted forwarded host), puts the field's bytes in out.buf/start/end (and a
 * view over them in out.view), unchecked, and returns true; false otherwise. For a cache
 * of hosts already judged.
 */
export function hostFieldSpan(scope: Scope, out: HostSpan): boolean {
  if (typeof scope.forwardedHost === 'string' || !(scope instanceof TransportScope)) return false;
  const i = originHostIndex(scope);
  if (i < 0) return false;
  const raw = scope.raw;
  out.buf = raw.buf;
  out.start = raw.valueStart(i);
  out.end = raw.valueEnd(i);
  out.view = raw.view();
  return true;
}

function checkString(host: string | null, out: HostSpan): HostResult {
  if (host === null) return HOST.NONE;
  // Non-ASCII is no host byte for byte: refuse rather than compare a mangled one.
  const buf = asciiScratch(host);
  if (buf === null) return HOST.INVALID;
  return checkSpan(buf, 0, host.length, out) ? HOST.VALID : HOST.INVALID;
}

/** Validates buf[s, e) as a host (HOST_MODE.NAME) and splits it into name and port. */
export function checkSpan(buf: Uint8Array, s: number, e: number, out: HostSpan): boolean {
  const end = hostEnd(buf, s, e, HOST_MODE.NAME, out.words);
  if (end < 0) return false;
  out.buf = buf;
  out.start = s;
  out.end = e;
  out.ipv6 = buf[s] === 0x5b /* [ */;
  out.port = end < e ? parsePort(buf, end + 1, e) : -1;
  // One trailing dot (the DNS root) is left out of the name.
  out.nameEnd = !out.ipv6 && buf[end - 1] === 0x2e ? end - 1 : end;
  return true;
}

/** buf[s, e) as a latin1 string (the host already passed the grammar check: ASCII). */
export function spanText(buf: Uint8Array, s: number, e: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1');
}
