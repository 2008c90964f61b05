// trustedProxies compiled once into a matcher.
//
// Start-up uses ipaddr.js to validate every entry (isValidFourPartDecimal,
// IPv6.isValid, parseCIDR, prefixLengthFromSubnetMask) and throws on anything it or
// the strict parser of address.ts refuses. Each range becomes 128-bit network and
// mask words in one Int32Array; per request a match is a few integer ANDs over
// words the header parser already produced, with no ipaddr.js objects (its parse()
// allocates an object and arrays per call). The test suite checks this against
// ipaddr.js's own match() for the same ranges.
import ipaddr from 'ipaddr.js';
import type { Logger } from '../types.js';
import { parseIp, stripZone, type NodeResult } from './address.js';
import { DEFAULT_TRUSTED_PROXIES, parseTrustedProxies, type TrustFunction, type TrustedProxies } from './options.js';

/** How a matcher decides. */
export const TRUST_KIND = {
  /** Nothing is trusted (empty list, hop count 0). */
  NONE: 0,
  /** '*': every peer and hop. */
  ALL: 1,
  /** A hop count: hops 0 … n-1 are trusted. */
  HOPS: 2,
  /** Address ranges. */
  RANGES: 3,
  /** A user function. */
  FUNCTION: 4,
} as const;
export type TrustKind = (typeof TRUST_KIND)[keyof typeof TRUST_KIND];

/** Express proxy-addr's named ranges. */
export const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  loopback: ['127.0.0.0/8', '::1/128'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** The start-up warning logged once for '*'. */
export const TRUST_ALL_WARNING =
  "trustedProxies '*' trusts every peer: anyone who can open a connection to this server " +
  'can send X-Forwarded-For / Forwarded / X-Forwarded-Proto / -Host / -Prefix and choose the client address, ' +
  'scheme, host and root path the application sees. Use it only when nothing but your proxy can reach this port.';

/** Distinct peers remembered by trustsPeer() before the cache is cleared. */
const PEER_CACHE_SIZE = 1024;

/** A compiled `trustedProxies`. Build it with compileMatcher(). */
export class ProxyMatcher {
  readonly kind: TrustKind;
  /** Hop count for HOPS, else 0. */
  readonly hops: number;
  readonly fn: TrustFunction | null;
  /** 8 words per range: network[4], mask[4]. */
  private readonly ranges: Int32Array;
  private readonly rangeCount: number;
  /** Human-readable list of what is trusted, for start-up logs. */
  readonly description: string;
  /**
   * Peer decisions for RANGES (the peer string is the same for every request of a
   * connection, and usually the same few proxies for all connections). Map.get on a
   * string allocates nothing; a miss parses the string once.
   */
  private readonly peerCache = new Map<string, boolean>();
  private readonly words = new Int32Array(4);
  private readonly scratch = Buffer.allocUnsafe(64);
  /** A unix-socket peer (no address) is a trusted proxy: the 'unix' entry, never implied by '*'. */
  unix = false;

  constructor(kind: TrustKind, hops: number, fn: TrustFunction | null, ranges: Int32Array, description: string) {
    this.kind = kind;
    this.hops = hops;
    this.fn = fn;
    this.ranges = ranges;
    this.rangeCount = ranges.length >>> 3;
    this.description = description;
  }

  /** Whether 128-bit `w` (as address.ts writes it) lies in one of the ranges. RANGES only. */
  matchWords(w: Int32Array): boolean {
    const r = this.ranges;
    for (let o = 0, end = this.rangeCount * 8; o < end; o += 8) {
      if ((w[3] & r[o + 7]) === r[o + 3] && (w[2] & r[o + 6]) === r[o + 2] && (w[1] & r[o + 5]) === r[o + 1] && (w[0] & r[o + 4]) === r[o]) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the item address.ts just parsed into `node` is trusted at `hop` (≥ 1).
   * Allocates only for FUNCTION, which needs the address as a string.
   */
  trustsNode(buf: Buffer, node: NodeResult, hop: number): boolean {
    switch (this.kind) {
      case TRUST_KIND.RANGES:
        return this.matchWords(node.words);
      case TRUST_KIND.HOPS:
        return hop < this.hops;
      case TRUST_KIND.ALL:
        return true;
      case TRUST_KIND.FUNCTION:
        return this.fn!(buf.latin1Slice(node.addrStart, node.addrEnd), hop) === true;
      default:
        return false;
    }
  }

  /**
   * Whether `address` (text, optionally with a zone, which is ignored) is trusted at
   * `hop` (0 = the socket peer). Invalid text is never trusted, except by ALL, HOPS
   * and a function, which decide without parsing.
   */
  trusts(address: string, hop: number): boolean {
    switch (this.kind) {
      case TRUST_KIND.NONE:
        return false;
      case TRUST_KIND.ALL:
        return true;
      case TRUST_KIND.HOPS:
        return hop < this.hops;
      case TRUST_KIND.FUNCTION:
        return this.fn!(stripZone(address), hop) === true;
      default: {
        const cached = this.peerCache.get(address);
        if (cached !== undefined) return cached;
        const result = this.parseAndMatch(address);
        if (this.peerCache.size >= PEER_CACHE_SIZE) this.peerCache.clear();
        this.peerCache.set(address, result);
        return result;
      }
    }
  }

  private parseAndMatch(address: string): boolean {
    const bare = stripZone(address);
    if (bare.length > this.scratch.length) return false;
    const n = this.scratch.latin1Write(bare, 0);
    if (n !== bare.length) return false;
    return parseIp(this.scratch, 0, n, this.words) !== 0 && this.matchWords(this.words);
  }
}

/**
 * Compiles `trustedProxies` (default 'loopback'). Throws a TypeError naming the entry
 * for anything that is not an address, CIDR, known name, '*' or hop count. Logs
 * TRUST_ALL_WARNING once through `logger` when '*' is used.
 */
export function compileMatcher(value: TrustedProxies | undefined, logger: Pick<Logger, 'warn'> | null): ProxyMatcher {
  if (value === undefined) value = DEFAULT_TRUSTED_PROXIES;
  if (typeof value === 'function') return new ProxyMatcher(TRUST_KIND.FUNCTION, 0, value, new Int32Array(0), 'function');
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`trustedProxies hop count must be a non-negative integer, got ${value}`);
    return new ProxyMatcher(value === 0 ? TRUST_KIND.NONE : TRUST_KIND.HOPS, value, null, new Int32Array(0), `${value} hop(s)`);
  }
  if (typeof value === 'string') {
    const parsed = parseTrustedProxies(value);
    if (typeof parsed === 'number') return compileMatcher(parsed, logger);
    value = parsed as string[];
  }
  if (!Array.isArray(value)) throw new TypeError(`trustedProxies must be a string, an array of strings, a number or a function`);
  const words: number[] = [];
  const names: string[] = [];
  let all = false;
  let unix = false;
  for (const raw of value as readonly unknown[]) {
    if (typeof raw !== 'string') throw new TypeError(`trustedProxies entries must be strings, got ${typeof raw}`);
    const entry = raw.trim();
    if (entry.length === 0) continue;
    if (entry === '*') {
      all = true;
      continue;
    }
    const lower = entry.toLowerCase();
    if (lower === 'unix') {
      unix = true;
      continue;
    }
    const cidrs = Object.hasOwn(NAMED_RANGES, lower) ? NAMED_RANGES[lower] : [entry];
    for (const cidr of cidrs) compileRange(cidr, entry, words);
    names.push(entry);
  }
  let m: ProxyMatcher;
  if (all) {
    logger?.warn(TRUST_ALL_WARNING);
    m = new ProxyMatcher(TRUST_KIND.ALL, 0, null, new Int32Array(0), unix ? '*, unix' : '*');
  } else if (words.length === 0) m = new ProxyMatcher(TRUST_KIND.NONE, 0, null, new Int32Array(0), unix ? 'unix' : 'nothing');
  else m = new ProxyMatcher(TRUST_KIND.RANGES, 0, null, Int32Array.from(words), unix ? [...names, 'unix'].join(', ') : names.join(', '));
  m.unix = unix;
  return m;
}

/** Appends network[4] + mask[4] for `cidr` to `out`; throws with `entry` named. */
function compileRange(cidr: string, entry: string, out: number[]): void {
  const invalid = (why: string): TypeError => new TypeError(`trustedProxies entry ${JSON.stringify(entry)} is not valid: ${why}`);
  if (cidr.includes('%')) throw invalid('IPv6 zones are not allowed');
  const slash = cidr.indexOf('/');
  const addr = slash < 0 ? cidr : cidr.slice(0, slash);
  let v4: boolean;
  if (ipaddr.IPv4.isValidFourPartDecimal(addr)) v4 = true;
  else if (ipaddr.IPv6.isValid(addr)) v4 = false;
  else if (ipaddr.IPv4.isValid(addr)) throw invalid('IPv4 addresses must be four decimal parts without leading zeros (a.b.c.d)');
  else throw invalid("expected an IPv4/IPv6 address, a CIDR, 'loopback', 'linklocal', 'uniquelocal', 'unix', '*' or a hop count");
  // The same strict parser as for header items, so config and headers agree
  // (ipaddr.js reads '::1.2.3.4' as '::ffff:1.2.3.4'; RFC 4291 does not).
  const w = new Int32Array(4);
  const bytes = Buffer.from(addr, 'latin1');
  if (parseIp(bytes, 0, bytes.length, w) !== (v4 ? 4 : 6)) throw invalid('not a strict address');
  const max = v4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const mask = cidr.slice(slash + 1);
    if (/^(0|[1-9][0-9]{0,2})$/.test(mask)) {
      bits = Number(mask);
      if (bits > max) throw invalid(`prefix length ${bits} is larger than ${max}`);
      // Cross-check with ipaddr.js's own CIDR parser.
      if (!(v4 ? ipaddr.IPv4.isValidCIDR(cidr) : ipaddr.IPv6.isValidCIDR(cidr))) throw invalid('not a CIDR');
    } else if (v4 && ipaddr.IPv4.isValidFourPartDecimal(mask)) {
      const len = ipaddr.IPv4.parse(mask).prefixLengthFromSubnetMask();
      if (len === null) throw invalid(`netmask ${mask} is not contiguous`);
      bits = len;
    } else {
      throw invalid('the prefix length must be a decimal number (or an IPv4 netmask)');
    }
  }
  if (v4) bits += 96; // IPv4 lives at ::ffff:0:0/96
  for (let k = 0; k < 4; k++) {
    const b = Math.min(32, Math.max(0, bits - 32 * k));
    const m = b === 0 ? 0 : b === 32 ? -1 : (-1 << (32 - b)) | 0;
    out.push(w[k] & m);
  }
  for (let k = 0; k < 4; k++) {
    const b = Math.min(32, Math.max(0, bits - 32 * k));
    out.push(b === 0 ? 0 : b === 32 ? -1 : (-1 << (32 - b)) | 0);
  }
}
