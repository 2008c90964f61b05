// Byte-level checks on a request head that llhttp leaves to the server (RFC 9112 §3.2,
// §6.1): run on spans, no strings made.

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

/**
 * Host field value: empty, reg-name or IPv4 (unreserved / pct-encoded / sub-delims), or
 * an IP-literal in brackets, then an optional ':' port of digits (RFC 3986 §3.2.2-3).
 * Byte checks only: what the name means is the trust stage's and the app's business.
 */
export function validHost(buf: Buffer, s: number, e: number): boolean {
  let i = s;
  if (i < e && buf[i] === 0x5b /* [ */) {
    for (i++; i < e && buf[i] !== 0x5d /* ] */; i++) {
      const b = buf[i];
      const c = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
      if (!((c >= 0x30 && c <= 0x3a) || (c >= 0x61 && c <= 0x66) || c === 0x2e || c === 0x76 /* v */)) return false;
    }
    if (i === e) return false;
    i++;
  } else {
    for (; i < e && buf[i] !== 0x3a /* : */; i++) if (REG_NAME[buf[i]] !== 1) return false;
  }
  if (i === e) return true;
  if (buf[i] !== 0x3a) return false;
  for (i++; i < e; i++) if (buf[i] < 0x30 || buf[i] > 0x39) return false;
  return true;
}

/** The list ends with the coding 'chunked' (any case) after a ',' or whitespace. */
export function chunkedLast(buf: Buffer, s: number, e: number): boolean {
  if (e - s < 8) return false;
  for (let k = 0; k < 7; k++) if ((buf[e - 7 + k] | 0x20) !== 'chunked'.charCodeAt(k)) return false;
  const c = buf[e - 8];
  return c === 0x2c || c === 0x20 || c === 0x09;
}

/** 1 for the bytes of a reg-name: ALPHA DIGIT - . _ ~ % ! $ & ' ( ) * + , ; = */
const REG_NAME = (() => {
  const t = new Uint8Array(256);
  for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+,;=") t[ch.charCodeAt(0)] = 1;
  return t;
})();
