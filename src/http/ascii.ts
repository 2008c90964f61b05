// ASCII helpers over byte ranges, shared by every stage. Nothing here allocates.

/**
 * buf[s, s + lower.length) equals `lower` ASCII case-insensitively; `lower` must be
 * lowercase. Only A-Z are folded: a plain `| 0x20` would also turn a control byte
 * into a punctuation mark ('\r' | 0x20 is '-'). The caller checks the bounds.
 */
export function lowerAt(buf: Uint8Array, s: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    let c = buf[s + k];
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/** buf[s, e) equals lowercase `lower`, ASCII case-insensitively (lengths compared first). */
export function equalsLower(buf: Uint8Array, s: number, e: number, lower: string): boolean {
  return e - s === lower.length && lowerAt(buf, s, lower);
}

/** buf[s, e) equals `text` byte for byte (each code unit one byte, as latin1): lengths compared first. */
export function equalsText(buf: Uint8Array, s: number, e: number, text: string): boolean {
  if (e - s !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (buf[s + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** Value of a hex digit (RFC 5234 HEXDIG, either case), or -1. */
export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

export function isHex(c: number): boolean {
  return hexValue(c) >= 0;
}

/** RFC 9110 §5.6.2 tchar, 1 per byte. */
export const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = TCHAR[c + 0x20] = 1;

export function isTchar(c: number): boolean {
  return TCHAR[c] === 1;
}

let scratch = new Uint8Array(512);

/**
 * `text` as bytes in a module-level scratch buffer, so the byte-range grammars here
 * read strings without allocating; null when `text` is not ASCII (a latin1 copy would
 * turn 'Ł' into 'A'). Valid until the next call: use it synchronously.
 */
export function asciiScratch(text: string): Uint8Array | null {
  const n = text.length;
  if (n > scratch.length) scratch = new Uint8Array(n);
  const b = scratch;
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c > 0x7f) return null;
    b[k] = c;
  }
  return b;
}

/** The first index in [s, e) that is not SP or HTAB (optional whitespace, RFC 9110 §5.6.3). */
export function trimStart(buf: Uint8Array, s: number, e: number): number {
  while (s < e && (buf[s] === 0x20 || buf[s] === 0x09)) s++;
  return s;
}

/** The end of [s, e) without trailing SP or HTAB. */
export function trimEnd(buf: Uint8Array, s: number, e: number): number {
  while (e > s && (buf[e - 1] === 0x20 || buf[e - 1] === 0x09)) e--;
  return e;
}
