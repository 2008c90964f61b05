// Strings for byte spans that repeat from request to request (the request path): the last
// string made for the same bytes is handed out again instead of a new one. A repeated
// path then costs a byte compare, not a string and its garbage, and the router's Map finds
// its hash already computed on the string.
//
// Direct-mapped: a slot per hash of the span's length and two of its bytes, a full byte
// compare before a slot's string is reused, so a collision only costs a new string.

const SLOTS = 64; // a power of two
/** Longer spans are always sliced: they are rarer, and comparing them costs more. */
const MAX = 64;

const bytes = new Uint8Array(SLOTS * MAX);
const lengths = new Int32Array(SLOTS).fill(-1);
const strings: string[] = new Array<string>(SLOTS).fill('');

/** buf[start, end) as a latin1 string, the same string as last time for the same bytes. */
export function internedLatin1(buf: Buffer, start: number, end: number): string {
  const n = end - start;
  if (n > MAX || n === 0) return buf.latin1Slice(start, end);
  const slot = (n * 31 + buf[start + (n >> 1)] * 7 + buf[end - 1]) & (SLOTS - 1);
  const base = slot * MAX;
  if (lengths[slot] === n) {
    let i = 0;
    while (i < n && bytes[base + i] === buf[start + i]) i++;
    if (i === n) return strings[slot];
  }
  const s = buf.latin1Slice(start, end);
  for (let i = 0; i < n; i++) bytes[base + i] = buf[start + i];
  lengths[slot] = n;
  strings[slot] = s;
  return s;
}
