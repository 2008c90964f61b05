// Validation of the non-address forwarded values, on byte ranges: scheme, host, port.
import { parseIPv6, parsePort } from './address.js';

/** What a forwarded scheme says: not usable, plain, or TLS. */
export const SCHEME = {
  INVALID: 0,
  PLAIN: 1,
  SECURE: 2,
} as const;
export type SchemeCode = (typeof SCHEME)[keyof typeof SCHEME];

function equalsLower(buf: Uint8Array, s: number, e: number, lower: string): boolean {
  if (e - s !== lower.length) return false;
  for (let k = 0; k < lower.length; k++) if ((buf[s + k] | 0x20) !== lower.charCodeAt(k)) return false;
  return true;
}

/**
 * 'http' / 'ws' → PLAIN, 'https' / 'wss' → SECURE (ASCII case-insensitive), anything
 * else → INVALID ('javascript' is not a scheme we serve). ws/wss are accepted because
 * Traefik sends them for WebSocket requests; the scope type decides which name is shown.
 */
export function parseScheme(buf: Uint8Array, s: number, e: number): SchemeCode {
  switch (e - s) {
    case 4:
      return equalsLower(buf, s, e, 'http') ? SCHEME.PLAIN : SCHEME.INVALID;
    case 5:
      return equalsLower(buf, s, e, 'https') ? SCHEME.SECURE : SCHEME.INVALID;
    case 2:
      return equalsLower(buf, s, e, 'ws') ? SCHEME.PLAIN : SCHEME.INVALID;
    case 3:
      return equalsLower(buf, s, e, 'wss') ? SCHEME.SECURE : SCHEME.INVALID;
    default:
      return SCHEME.INVALID;
  }
}

/** Longest host accepted: a DNS name (253) plus ':65535'. */
export const MAX_HOST_LENGTH = 260;

/**
 * RFC 3986 §3.2.2 host [ ":" port ], a strict subset: IP-literal (bracketed strict
 * IPv6; IPvFuture refused), or a reg-name of unreserved characters (ALPHA DIGIT
 * '-' '.' '_' '~'; this also covers dotted IPv4). Percent-encoding and sub-delims,
 * which the RFC allows in reg-name but no DNS name uses, are refused: they only
 * serve header injection into generated URLs. The port, when present, is 1-5 digits
 * up to 65535 (an empty port is refused).
 */
export function isValidHost(buf: Uint8Array, s: number, e: number, words: Int32Array): boolean {
  if (e <= s || e - s > MAX_HOST_LENGTH) return false;
  let i = s;
  if (buf[s] === 0x5b /* [ */) {
    let close = s + 1;
    while (close < e && buf[close] !== 0x5d) close++;
    if (close === e || !parseIPv6(buf, s + 1, close, words)) return false;
    i = close + 1;
  } else {
    while (i < e) {
      const c = buf[i];
      const lower = c | 0x20;
      if ((lower >= 0x61 && lower <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e) {
        i++;
        continue;
      }
      break;
    }
    if (i === s) return false;
  }
  if (i === e) return true;
  return buf[i] === 0x3a /* : */ && parsePort(buf, i + 1, e) >= 0;
}

/** X-Forwarded-Port: a port 1-65535 (0 is not a port a client used), or -1. */
export function parseForwardedPort(buf: Uint8Array, s: number, e: number): number {
  const p = parsePort(buf, s, e);
  return p > 0 ? p : -1;
}
