// PROXY protocol v1 and v2 header parser (HAProxy's proxy-protocol.txt), for the
// first bytes of a connection when `proxyProtocol` is on. Runs once per connection,
// so the DONE result and its address strings are allocated; NEED_MORE and INVALID
// are shared frozen objects.
//
// The caller (the connection) keeps reading while NEED_MORE, closes without a word
// on INVALID (spec §2: "the receiver MUST NOT start processing the connection before
// it receives a complete and valid PROXY protocol header"; a wrong header is also
// how a client without the proxy in front shows up), and on DONE drops `consumed`
// bytes and adopts `sourceAddress` as the peer only when the TCP peer is trusted
// (see Trust.adoptProxyPeer).
import { equalsText } from '../http/ascii.js';
import { formatIPv6, parseIPv4, parseIPv6 } from './address.js';

/** What parseProxyHeader() concluded. */
export const PROXY_STATUS = {
  /** Not enough bytes yet; call again with more (from the same start). */
  NEED_MORE: 0,
  /** Not a valid PROXY header: close the connection without answering. */
  INVALID: 1,
  /** A complete header of `consumed` bytes. */
  DONE: 2,
} as const;
export type ProxyStatus = (typeof PROXY_STATUS)[keyof typeof PROXY_STATUS];

/** v2 command (v1 has none; it reports PROXY). LOCAL: the proxy's own connection (health checks), use the real endpoints. */
export const PROXY_COMMAND = {
  LOCAL: 0,
  PROXY: 1,
} as const;
export type ProxyCommand = (typeof PROXY_COMMAND)[keyof typeof PROXY_COMMAND];

/** Address family and transport (v1 UNKNOWN and v2 AF_UNSPEC are UNSPEC). */
export const PROXY_FAMILY = {
  UNSPEC: 0,
  TCP4: 1,
  TCP6: 2,
  UDP4: 3,
  UDP6: 4,
  UNIX_STREAM: 5,
  UNIX_DGRAM: 6,
} as const;
export type ProxyFamily = (typeof PROXY_FAMILY)[keyof typeof PROXY_FAMILY];

export interface ProxyResult {
  readonly status: ProxyStatus;
  /** Header length in bytes (DONE only; 0 otherwise). */
  readonly consumed: number;
  /** 1 or 2 (0 when not DONE). */
  readonly version: number;
  readonly command: ProxyCommand;
  readonly family: ProxyFamily;
  /**
   * The original client (TCP4/TCP6 with the PROXY command only; null for LOCAL,
   * UNKNOWN/UNSPEC, UNIX and UDP, where the real connection endpoints stay).
   */
  readonly sourceAddress: string | null;
  readonly sourcePort: number;
  readonly destinationAddress: string | null;
  readonly destinationPort: number;
  /**
   * v2 only: the PP2_TYPE_SSL TLV says the client connected over TLS (PP2_CLIENT_SSL;
   * HAProxy `send-proxy-v2-ssl`). Headers are not read from an adopted client peer,
   * so this is how the connection can know the scheme is https.
   */
  readonly ssl: boolean;
}

/** v1 line limit including CRLF (spec §2.1: "worst case … 107 characters"). */
export const PROXY_V1_MAX_LENGTH = 107;
/** v2 fixed part: 12-byte signature, version/command, family, 16-bit length. */
export const PROXY_V2_HEADER_LENGTH = 16;
/** The v2 signature (spec §2.2). */
export const PROXY_V2_SIGNATURE: Readonly<Uint8Array> = Uint8Array.of(0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a);

const V1_PREFIX = Uint8Array.of(0x50, 0x52, 0x4f, 0x58, 0x59, 0x20); // 'PROXY '

function fixed(status: ProxyStatus): ProxyResult {
  return Object.freeze({
    status,
    consumed: 0,
    version: 0,
    command: PROXY_COMMAND.PROXY,
    family: PROXY_FAMILY.UNSPEC,
    sourceAddress: null,
    sourcePort: 0,
    destinationAddress: null,
    destinationPort: 0,
    ssl: false,
  });
}

const NEED_MORE = fixed(PROXY_STATUS.NEED_MORE);
const INVALID = fixed(PROXY_STATUS.INVALID);

function done(
  consumed: number,
  version: number,
  command: ProxyCommand,
  family: ProxyFamily,
  src: string | null,
  srcPort: number,
  dst: string | null,
  dstPort: number,
  ssl = false,
): ProxyResult {
  return {
    status: PROXY_STATUS.DONE,
    consumed,
    version,
    command,
    family,
    sourceAddress: src,
    sourcePort: srcPort,
    destinationAddress: dst,
    destinationPort: dstPort,
    ssl,
  };
}

/**
 * Parses a PROXY protocol v1 or v2 header at buf[start, end). Never throws; call it
 * again from the same `start` with more bytes after NEED_MORE. Anything that is
 * neither 'PROXY ' nor the v2 signature is INVALID as soon as one byte differs.
 */
export function parseProxyHeader(buf: Uint8Array, start: number, end: number): ProxyResult {
  if (end <= start) return NEED_MORE;
  const first = buf[start];
  if (first === 0x50 /* P */) return parseV1(buf, start, end);
  if (first === 0x0d) return parseV2(buf, start, end);
  return INVALID;
}

function prefixMatches(buf: Uint8Array, start: number, end: number, prefix: Readonly<Uint8Array>): boolean {
  const n = Math.min(end - start, prefix.length);
  for (let k = 0; k < n; k++) if (buf[start + k] !== prefix[k]) return false;
  return true;
}

// ---------------------------------------------------------------------------
// v1: "PROXY" SP ( "TCP4" | "TCP6" ) SP src SP dst SP srcport SP dstport CRLF
//     "PROXY" SP "UNKNOWN" [ anything ] CRLF

function parseV1(buf: Uint8Array, start: number, end: number): ProxyResult {
  if (!prefixMatches(buf, start, end, V1_PREFIX)) return INVALID;
  const limit = Math.min(end, start + PROXY_V1_MAX_LENGTH);
  let cr = -1;
  for (let i = start + V1_PREFIX.length; i < limit; i++) {
    const c = buf[i];
    if (c === 0x0d) {
      cr = i;
      break;
    }
    if (c < 0x20 || c > 0x7e) return INVALID;
  }
  if (cr < 0) return end - start >= PROXY_V1_MAX_LENGTH ? INVALID : NEED_MORE;
  if (cr + 2 - start > PROXY_V1_MAX_LENGTH) return INVALID;
  if (cr + 1 >= end) return NEED_MORE;
  if (buf[cr + 1] !== 0x0a) return INVALID;
  const consumed = cr + 2 - start;
  let i = start + V1_PREFIX.length;
  const protoStart = i;
  while (i < cr && buf[i] !== 0x20) i++;
  if (equalsText(buf, protoStart, i, 'UNKNOWN')) {
    // Spec §2.1: the receiver ignores everything up to the CRLF and uses the real endpoints.
    return done(consumed, 1, PROXY_COMMAND.PROXY, PROXY_FAMILY.UNSPEC, null, 0, null, 0);
  }
  let v6: boolean;
  if (equalsText(buf, protoStart, i, 'TCP4')) v6 = false;
  else if (equalsText(buf, protoStart, i, 'TCP6')) v6 = true;
  else return INVALID;
  // Four fields, each after exactly one space.
  const f = FIELDS;
  for (let k = 0; k < 4; k++) {
    if (i >= cr || buf[i] !== 0x20) return INVALID;
    const s = ++i;
    while (i < cr && buf[i] !== 0x20) i++;
    if (i === s) return INVALID;
    f[2 * k] = s;
    f[2 * k + 1] = i;
  }
  if (i !== cr) return INVALID;
  const words = WORDS;
  for (let k = 0; k < 2; k++) {
    const ok = v6 ? parseIPv6(buf, f[2 * k], f[2 * k + 1], words) : parseIPv4(buf, f[2 * k], f[2 * k + 1]) >= 0;
    if (!ok) return INVALID;
  }
  const srcPort = v1Port(buf, f[4], f[5]);
  const dstPort = v1Port(buf, f[6], f[7]);
  if (srcPort < 0 || dstPort < 0) return INVALID;
  const src = latin1(buf, f[0], f[1]);
  const dst = latin1(buf, f[2], f[3]);
  return done(consumed, 1, PROXY_COMMAND.PROXY, v6 ? PROXY_FAMILY.TCP6 : PROXY_FAMILY.TCP4, src, srcPort, dst, dstPort);
}

const FIELDS = new Int32Array(8);
const WORDS = new Int32Array(4);

function latin1(buf: Uint8Array, s: number, e: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + s, e - s).latin1Slice(0, e - s);
}

/** Decimal 0-65535 without leading zeros (spec §2.1). */
function v1Port(buf: Uint8Array, s: number, e: number): number {
  if (e - s < 1 || e - s > 5 || (e - s > 1 && buf[s] === 0x30)) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v <= 65535 ? v : -1;
}

// ---------------------------------------------------------------------------
// v2: signature[12] ver_cmd fam len[2] addresses TLVs

function parseV2(buf: Uint8Array, start: number, end: number): ProxyResult {
  if (!prefixMatches(buf, start, end, PROXY_V2_SIGNATURE)) return INVALID;
  const avail = end - start;
  if (avail > 12) {
    const verCmd = buf[start + 12];
    // Version 2 in the high nibble; command LOCAL (0) or PROXY (1), others are refused (§2.2).
    if (verCmd >> 4 !== 2 || (verCmd & 0x0f) > 1) return INVALID;
  }
  if (avail > 13 && familyOf(buf[start + 13]) < 0) return INVALID;
  if (avail < PROXY_V2_HEADER_LENGTH) return NEED_MORE;
  const command = (buf[start + 12] & 0x0f) as ProxyCommand;
  const fam = buf[start + 13];
  const family = familyOf(fam) as ProxyFamily;
  const len = (buf[start + 14] << 8) | buf[start + 15];
  // The address block must fit in the announced length (TLVs, if any, follow it and are skipped).
  if (command === PROXY_COMMAND.PROXY && len < addressLength(fam)) return INVALID;
  const consumed = PROXY_V2_HEADER_LENGTH + len;
  if (avail < consumed) return NEED_MORE;
  if (command === PROXY_COMMAND.LOCAL) return done(consumed, 2, command, family, null, 0, null, 0);
  const a = start + PROXY_V2_HEADER_LENGTH;
  if (fam === 0x11) {
    const src = `${buf[a]}.${buf[a + 1]}.${buf[a + 2]}.${buf[a + 3]}`;
    const dst = `${buf[a + 4]}.${buf[a + 5]}.${buf[a + 6]}.${buf[a + 7]}`;
    const ssl = clientSsl(buf, a + 12, start + consumed);
    return done(consumed, 2, command, family, src, (buf[a + 8] << 8) | buf[a + 9], dst, (buf[a + 10] << 8) | buf[a + 11], ssl);
  }
  if (fam === 0x21) {
    const src = formatIPv6(buf, a);
    const dst = formatIPv6(buf, a + 16);
    const ssl = clientSsl(buf, a + 36, start + consumed);
    return done(consumed, 2, command, family, src, (buf[a + 32] << 8) | buf[a + 33], dst, (buf[a + 34] << 8) | buf[a + 35], ssl);
  }
  // UNSPEC, UDP and UNIX: nothing a TCP peer can be replaced with; the real endpoints stay.
  return done(consumed, 2, command, family, null, 0, null, 0);
}

const PP2_TYPE_SSL = 0x20;
const PP2_CLIENT_SSL = 0x01;

/**
 * Scans the TLVs in buf[p, end) (type, 16-bit length, value) for PP2_TYPE_SSL with
 * the PP2_CLIENT_SSL bit. Other TLVs are skipped; a TLV running past the header
 * ends the scan (the header length itself was already checked).
 */
function clientSsl(buf: Uint8Array, p: number, end: number): boolean {
  while (p + 3 <= end) {
    const len = (buf[p + 1] << 8) | buf[p + 2];
    if (p + 3 + len > end) return false;
    if (buf[p] === PP2_TYPE_SSL && len >= 1) return (buf[p + 3] & PP2_CLIENT_SSL) !== 0;
    p += 3 + len;
  }
  return false;
}

/** Family byte → PROXY_FAMILY, or -1 for the values the spec says receivers must reject. */
function familyOf(fam: number): number {
  switch (fam) {
    case 0x00:
      return PROXY_FAMILY.UNSPEC;
    case 0x11:
      return PROXY_FAMILY.TCP4;
    case 0x12:
      return PROXY_FAMILY.UDP4;
    case 0x21:
      return PROXY_FAMILY.TCP6;
    case 0x22:
      return PROXY_FAMILY.UDP6;
    case 0x31:
      return PROXY_FAMILY.UNIX_STREAM;
    case 0x32:
      return PROXY_FAMILY.UNIX_DGRAM;
    default:
      return -1;
  }
}

/** Bytes of the address block for a family byte (spec §2.2). */
function addressLength(fam: number): number {
  switch (fam >> 4) {
    case 1:
      return 12;
    case 2:
      return 36;
    case 3:
      return 216;
    default:
      return 0;
  }
}

/** What Trust.readProxy() read of a PROXY header, for the connection to apply. */
export interface ProxyRead {
  /** Header length (> 0), 0: more bytes needed, -1: close without an answer. */
  consumed: number;
  /** The peer the connection uses from now on. */
  peer: [string, number] | null;
  /** A trusted balancer terminated TLS in front (scheme https/wss). */
  secure: boolean;
}
