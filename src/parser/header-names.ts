// Well-known header names, interned as small integers when a head completes so that
// later stages compare ids instead of bytes (undici interns the same way).
export const H = {
  OTHER: 0,
  HOST: 1,
  CONTENT_LENGTH: 2,
  TRANSFER_ENCODING: 3,
  CONNECTION: 4,
  UPGRADE: 5,
  EXPECT: 6,
  FORWARDED: 7,
  X_FORWARDED_FOR: 8,
  X_FORWARDED_PROTO: 9,
  X_FORWARDED_HOST: 10,
  X_FORWARDED_PORT: 11,
  X_FORWARDED_PREFIX: 12,
  X_REAL_IP: 13,
  CONTENT_TYPE: 14,
  COOKIE: 15,
  USER_AGENT: 16,
  ACCEPT: 17,
} as const;
export type HeaderId = (typeof H)[keyof typeof H];

/** Lowercase names indexed by id (index 0 unused). */
export const HEADER_NAMES: readonly string[] = [
  '',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'expect',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-real-ip',
  'content-type',
  'cookie',
  'user-agent',
  'accept',
];

// The names packed end to end, compared 4 bytes at a time through a DataView. The realistic
// request (18 lines, 7 well-known) took ~500 ns to classify with length buckets and byte
// compares, ~180 ns this way (in-process loop over its lines; docs/design.md, "Header names").
const PACKED = Buffer.from(HEADER_NAMES.join(''), 'latin1');
const PACKED_VIEW = new DataView(PACKED.buffer, PACKED.byteOffset, PACKED.length);
const OFFSET = new Uint16Array(HEADER_NAMES.length);
const LENGTH = new Uint8Array(HEADER_NAMES.length); // LENGTH[OTHER] = 0: never a name's length
const MIN_LENGTH = Math.min(...HEADER_NAMES.slice(1).map((n) => n.length));
const MAX_LENGTH = Math.max(...HEADER_NAMES.slice(1).map((n) => n.length));

/**
 * One candidate per slot: a perfect hash of the length and the last-but-one byte (ASCII
 * lowercase), checked at start-up. A line is compared only with the one name its slot holds.
 */
const SLOTS = new Uint8Array(64);
const slot = (len: number, lowerByte: number): number => (len + 11 * lowerByte) & 63;
for (let id = 1, at = 0; id < HEADER_NAMES.length; at += HEADER_NAMES[id].length, id++) {
  const name = HEADER_NAMES[id];
  OFFSET[id] = at;
  LENGTH[id] = name.length;
  const k = slot(name.length, name.charCodeAt(name.length - 2));
  if (SLOTS[k] !== 0) throw new Error(`header-names: pick another slot function for ${name}`);
  SLOTS[k] = id;
}

/**
 * Id of the name in the bytes [start, end) of `view` (ASCII case-insensitive), or H.OTHER.
 * Allocates nothing. `| 0x20` folds case: llhttp hands over token bytes only, and no token
 * byte but the letter's other case turns into a letter or '-' by it.
 */
export function headerId(view: DataView, start: number, end: number): number {
  const len = end - start;
  if (len < MIN_LENGTH || len > MAX_LENGTH) return H.OTHER;
  const id = SLOTS[slot(len, view.getUint8(end - 2) | 0x20)];
  if (LENGTH[id] !== len) return H.OTHER;
  const o = OFFSET[id];
  let i = 0;
  for (; i + 4 <= len; i += 4) if ((view.getInt32(start + i, true) | 0x20202020) !== PACKED_VIEW.getInt32(o + i, true)) return H.OTHER;
  for (; i < len; i++) if ((view.getUint8(start + i) | 0x20) !== PACKED[o + i]) return H.OTHER;
  return id;
}

/** Id for a name given as a string (start-up and framework lookups). */
export function headerIdOf(name: string): number {
  const lower = name.toLowerCase();
  const id = HEADER_NAMES.indexOf(lower);
  return id > 0 ? id : H.OTHER;
}
