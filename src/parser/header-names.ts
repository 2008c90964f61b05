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

const NAME_BYTES: Uint8Array[] = HEADER_NAMES.map((n) => Buffer.from(n, 'latin1'));

// Candidates bucketed by length: a name is compared only against names of its length.
const BY_LENGTH: number[][] = [];
for (let id = 1; id < NAME_BYTES.length; id++) {
  const len = NAME_BYTES[id].length;
  (BY_LENGTH[len] ??= []).push(id);
}

/** Id of the name in buf[start, end) (ASCII case-insensitive), or H.OTHER. Allocates nothing. */
export function headerId(buf: Uint8Array, start: number, end: number): number {
  const bucket = BY_LENGTH[end - start];
  if (bucket === undefined) return H.OTHER;
  for (let k = 0; k < bucket.length; k++) {
    const id = bucket[k];
    const name = NAME_BYTES[id];
    let i = 0;
    for (; i < name.length; i++) if ((buf[start + i] | 0x20) !== name[i]) break;
    if (i === name.length) return id;
  }
  return H.OTHER;
}

/** Id for a name given as a string (start-up and framework lookups). */
export function headerIdOf(name: string): number {
  const lower = name.toLowerCase();
  const id = HEADER_NAMES.indexOf(lower);
  return id > 0 ? id : H.OTHER;
}
