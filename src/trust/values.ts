// Validation of the non-address forwarded values, on byte ranges: scheme and port.
// (A forwarded host is checked by http/host.ts in its FORWARDED mode.)
import { equalsLower } from '../http/ascii.js';
import { parsePort } from '../http/host.js';

/** What a forwarded scheme says: not usable, plain, or TLS. */
export const SCHEME = {
  INVALID: 0,
  PLAIN: 1,
  SECURE: 2,
} as const;
export type SchemeCode = (typeof SCHEME)[keyof typeof SCHEME];

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

/** X-Forwarded-Port: a port 1-65535 (0 is not a port a client used), or -1. */
export function parseForwardedPort(buf: Uint8Array, s: number, e: number): number {
  const p = parsePort(buf, s, e);
  return p > 0 ? p : -1;
}
