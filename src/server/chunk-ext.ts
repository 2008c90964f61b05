// Counting chunk extensions (RFC 9112 §7.1.1) against a byte limit of their own: undici's
// llhttp wasm build has no chunk-extension callback, so the connection hands this the
// framing bytes between body spans (chunk-size lines and CRLFs) of a chunked request.
// llhttp has validated them already; this only counts, it never decides what is valid.
import { isHex } from '../http/ascii.js';

/** Where the scan is in the framing between two data spans. */
export const LINE = {
  /** Before the chunk-size digits (the CRLF after data, or the end of the head). */
  BEFORE: 0,
  SIZE: 1,
  /** After ';' up to the CR that ends the chunk-size line. */
  EXT: 2,
  /** The chunk-size line has ended: data, or the trailer section, follows. */
  AFTER: 3,
} as const;

/** Extension bytes per request: node:http's kMaxChunkExtensionsSize (16 KiB; it answers 413). */
export const MAX_CHUNK_EXTENSIONS = 16 * 1024;
/** Hex digits of a 64-bit chunk size; llhttp accepts any number of leading zeros, counted past this. */
const SIZE_DIGITS = 16;

/** The per-request scan state (fields of the Exchange). */
export interface ChunkLineState {
  lineState: number;
  lineDigits: number;
  /** Extension bytes (after the first ';', up to CR) plus size digits past SIZE_DIGITS. */
  extBytes: number;
}

/**
 * Scans buf[start, end) of chunk framing, adding to `st.extBytes`; stops at the end of the
 * chunk-size line, so it may be handed bytes past it (trailers, the next request). Returns
 * the bytes it counted (they count toward maxBodySize too). The caller resets `lineState`
 * to BEFORE at each data span.
 */
export function countChunkExt(st: ChunkLineState, buf: Uint8Array, start: number, end: number): number {
  let state = st.lineState;
  if (state === LINE.AFTER || start >= end) return 0;
  let counted = 0;
  let i = start;
  for (; i < end && state !== LINE.AFTER; i++) {
    const c = buf[i];
    if (state === LINE.EXT) {
      if (c === 0x0d) state = LINE.AFTER;
      else counted++;
    } else if (isHex(c)) {
      state = LINE.SIZE;
      if (++st.lineDigits > SIZE_DIGITS) counted++;
    } else if (state === LINE.SIZE) {
      state = c === 0x3b /* ; */ ? LINE.EXT : LINE.AFTER;
    }
  }
  st.lineState = state;
  st.extBytes += counted;
  return counted;
}
