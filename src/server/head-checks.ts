// Byte-level checks on a request head that llhttp leaves to the server (RFC 9112 §3.2,
// §6.1): run on spans, no strings made.
import { lowerAt } from '../http/ascii.js';
import { HOST_MODE, hostEnd } from '../http/host.js';

/** '::ffff:10.0.0.1' → '10.0.0.1'; a zone ('fe80::1%eth0') is stripped. */
export function normalizePeer(addr: string): string {
  if (addr.startsWith('::ffff:') && addr.indexOf('.') > 0) return addr.slice(7);
  const zone = addr.indexOf('%');
  return zone >= 0 ? addr.slice(0, zone) : addr;
}

/** Content-Length digits (llhttp has validated them); saturates instead of overflowing. */
export function contentLength(buf: Buffer, s: number, e: number): number {
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
    if (n > Number.MAX_SAFE_INTEGER / 10) return Number.MAX_SAFE_INTEGER;
  }
  return n;
}

/** Host field value (RFC 9112 §3.2): the host grammar in its FIELD mode (http/host.ts). */
export function validHost(buf: Buffer, s: number, e: number): boolean {
  return hostEnd(buf, s, e, HOST_MODE.FIELD, null) >= 0;
}

/** The list ends with the coding 'chunked' (any case) after a ',' or whitespace. */
export function chunkedLast(buf: Buffer, s: number, e: number): boolean {
  if (e - s < 8) return false;
  if (!lowerAt(buf, e - 7, 'chunked')) return false;
  const c = buf[e - 8];
  return c === 0x2c || c === 0x20 || c === 0x09;
}
