// Trust-stage configuration: the option types, their defaults, and the parsing of
// the string forms that come from the CLI and the environment. Everything here runs
// once at start-up; nothing is parsed per request.
import { isHex } from '../http/ascii.js';

/**
 * Decides whether a hop may be trusted. `hop` counts from the server: 0 is the socket
 * (or PROXY-protocol) peer, 1 the rightmost address of the forwarding header, 2 the
 * one before it, … (the numbering of Express's proxy-addr). The address is the bare
 * address, without brackets, port or zone.
 */
export type TrustFunction = (address: string, hop: number) => boolean;

/**
 * Who is a trusted proxy:
 * - a list (array or comma string) of IPv4/IPv6 addresses, CIDRs ('10.0.0.0/8',
 *   'fd00::/8', '10.0.0.0/255.0.0.0'), the names 'loopback', 'linklocal', 'uniquelocal',
 *   or '*' for every peer;
 * - a number n: a hop count, the n nearest hops are proxies (0 trusts nothing);
 * - a function (address, hop) => boolean.
 */
export type TrustedProxies = string | readonly string[] | number | TrustFunction;

/** A forwarding header the trust stage can read, by its lowercase name. */
export type ForwardedHeaderName = 'forwarded' | 'x-forwarded-for' | 'x-forwarded-proto' | 'x-forwarded-host' | 'x-forwarded-port' | 'x-forwarded-prefix' | 'x-real-ip';

/** Every name `forwardedHeaders` accepts, in the order the docs list them. */
export const FORWARDED_HEADER_NAMES: readonly ForwardedHeaderName[] = [
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'forwarded',
  'x-real-ip',
];

/**
 * What is read when neither `forwardedHeaders` nor `proxy` says otherwise: exactly what
 * uvicorn reads (X-Forwarded-For and X-Forwarded-Proto), the two headers every common
 * proxy writes itself.
 */
export const DEFAULT_FORWARDED_HEADERS: readonly ForwardedHeaderName[] = ['x-forwarded-for', 'x-forwarded-proto'];

/** The proxies with a preset (see presets.ts). */
export type ProxyPreset = 'nginx' | 'haproxy' | 'caddy' | 'traefik' | 'aws-alb';

export interface TrustOptions {
  /**
   * Read forwarding headers at all (CLI `--no-proxy-headers` sets false). Default true:
   * they are still read only from trusted peers.
   */
  proxyHeaders?: boolean;
  /**
   * Trusted proxies (CLI `--forwarded-allow-ips`, env `FORWARDED_ALLOW_IPS`).
   * Default 'loopback': 127.0.0.0/8 and ::1 (also as IPv4-mapped ::ffff:127.x.y.z).
   */
  trustedProxies?: TrustedProxies;
  /**
   * The proxy in front (CLI `--proxy`, env `FASTERAPI_PROXY`): reads exactly the headers
   * that proxy overwrites in the configuration docs/behind-a-proxy.md gives for it.
   */
  proxy?: ProxyPreset;
  /**
   * The forwarding headers that are read (CLI `--forwarded-headers`, env
   * `FASTERAPI_FORWARDED_HEADERS`; an array or a comma string). List only headers your
   * proxy overwrites (or appends to, for the address lists): a header it passes through
   * untouched is the client's own words. Default: the `proxy` preset's set, else
   * X-Forwarded-For and X-Forwarded-Proto. One client-address header at most
   * (`x-forwarded-for`, `forwarded` or `x-real-ip`); `forwarded` (RFC 7239: for=, proto=,
   * host=) does not mix with `x-forwarded-for`/`-proto`/`-host`.
   */
  forwardedHeaders?: readonly ForwardedHeaderName[] | string;
  /** Static mount point (CLI `--root-path`), normalised: '/' → '', '/api/' → '/api'. */
  rootPath?: string;
  /** Connections start with a PROXY protocol v1/v2 header (CLI `--proxy-protocol`). Default false. */
  proxyProtocol?: boolean;
}

/** The default of `trustedProxies`: the loopback ranges, as uvicorn trusts 127.0.0.1 by default. */
export const DEFAULT_TRUSTED_PROXIES = 'loopback';

/** Options that existed before the per-header model, and what replaced each. */
const REMOVED_OPTIONS: Readonly<Record<string, string>> = {
  forwardedHost: "list 'x-forwarded-host' (and 'x-forwarded-port') in forwardedHeaders, or pick a proxy preset that overwrites them",
  realIpHeader: "list 'x-real-ip' in forwardedHeaders instead of 'x-forwarded-for'",
};

/** The old family values of forwardedHeaders, and what replaced each. */
const REMOVED_VALUES: Readonly<Record<string, string>> = {
  auto: "'auto' let the client choose which family was believed; list the headers your proxy overwrites, or set proxy",
  'x-forwarded': "list the X-Forwarded-* headers your proxy overwrites, e.g. 'x-forwarded-for,x-forwarded-proto', or set proxy",
};

/** Throws a TypeError naming the replacement when `options` uses a removed option. */
export function rejectRemovedOptions(options: object): void {
  for (const key of Object.keys(REMOVED_OPTIONS)) {
    if ((options as Record<string, unknown>)[key] !== undefined) throw new TypeError(`option ${key} was removed: ${REMOVED_OPTIONS[key]}`);
  }
}

/**
 * The `forwardedHeaders` option as a checked list of names (lowercase, no repeats), or
 * null when it is unset. Throws a TypeError on an unknown name, a removed family value,
 * or a combination that would read two sources for the same fact.
 */
export function parseForwardedHeaders(value: readonly string[] | string | undefined): ForwardedHeaderName[] | null {
  if (value === undefined) return null;
  const items = typeof value === 'string' ? value.split(',') : value;
  if (typeof value !== 'string' && !Array.isArray(value)) throw new TypeError('forwardedHeaders must be an array of header names or a comma string');
  const names: ForwardedHeaderName[] = [];
  for (const item of items) {
    if (typeof item !== 'string') throw new TypeError('forwardedHeaders must be an array of header names or a comma string');
    const name = item.trim().toLowerCase();
    if (name.length === 0) continue;
    if (Object.hasOwn(REMOVED_VALUES, name)) throw new TypeError(`forwardedHeaders '${name}' was removed: ${REMOVED_VALUES[name]}`);
    if (!(FORWARDED_HEADER_NAMES as readonly string[]).includes(name)) {
      throw new TypeError(`forwardedHeaders: unknown header '${item.trim()}' (one of ${FORWARDED_HEADER_NAMES.join(', ')})`);
    }
    if (!names.includes(name as ForwardedHeaderName)) names.push(name as ForwardedHeaderName);
  }
  const clients = names.filter((n) => n === 'forwarded' || n === 'x-forwarded-for' || n === 'x-real-ip');
  if (clients.length > 1) {
    throw new TypeError(`forwardedHeaders lists ${clients.join(' and ')}: read one client-address header, the one your proxy writes`);
  }
  if (names.includes('forwarded')) {
    const mixed = names.filter((n) => n === 'x-forwarded-proto' || n === 'x-forwarded-host');
    if (mixed.length > 0) throw new TypeError(`forwardedHeaders lists forwarded and ${mixed.join(', ')}: Forwarded carries proto= and host= itself`);
  }
  return names;
}

/**
 * Why a path may not be a root path, or null when it may: it must start with '/' and
 * contain only RFC 3986 pchar and '/', and no '..', '//', '\', control characters, or
 * percent-encoded '.', '/' or '\' (browsers resolve '%2e%2e' like '..').
 * Used for the static root path (throws) and X-Forwarded-Prefix (ignored when bad).
 */
export function rootPathProblem(buf: Uint8Array, start: number, end: number): string | null {
  if (start >= end || buf[start] !== 0x2f) return "must start with '/'";
  if (end - start > 1024) return 'is longer than 1024 bytes';
  let prev = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === 0x2f && prev === 0x2f) return "contains '//'";
    if (c === 0x2e && prev === 0x2e) return "contains '..'";
    if (c === 0x25 /* % */) {
      if (i + 2 >= end || !isHex(buf[i + 1]) || !isHex(buf[i + 2])) return "contains a '%' not followed by two hex digits";
      const hi = buf[i + 1];
      const lo = buf[i + 2] | 0x20;
      if ((hi === 0x32 && (lo === 0x65 || lo === 0x66)) || (hi === 0x35 && lo === 0x63)) return "contains an encoded '.', '/' or '\\'";
    } else if (!isPathChar(c)) {
      return c < 0x20 || c === 0x7f ? 'contains a control character' : `contains '${String.fromCharCode(c)}'`;
    }
    prev = c;
  }
  return null;
}

/** RFC 3986 §3.3 pchar (without pct-encoded, handled by the caller) plus '/'. ',' excluded: it separates list items. */
function isPathChar(c: number): boolean {
  if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) return true;
  if (c >= 0x30 && c <= 0x39) return true;
  switch (c) {
    case 0x2d: // -
    case 0x2e: // .
    case 0x5f: // _
    case 0x7e: // ~
    case 0x21: // !
    case 0x24: // $
    case 0x26: // &
    case 0x27: // '
    case 0x28: // (
    case 0x29: // )
    case 0x2a: // *
    case 0x2b: // +
    case 0x3b: // ;
    case 0x3d: // =
    case 0x3a: // :
    case 0x40: // @
    case 0x2f: // /
      return true;
    default:
      return false;
  }
}

/**
 * Normalises the static root path: '' and '/' → '', trailing slashes removed
 * ('/api/' → '/api'). Throws a clear error at start-up for anything that is not a path.
 */
export function normalizeRootPath(path: string | undefined): string {
  if (path === undefined || path === '') return '';
  let p = path;
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  if (p === '/') return '';
  const bytes = Buffer.from(p, 'latin1');
  const problem = Buffer.byteLength(p, 'utf8') !== bytes.length ? 'contains non-ASCII characters' : rootPathProblem(bytes, 0, bytes.length);
  if (problem !== null) throw new TypeError(`rootPath ${JSON.stringify(path)} ${problem}`);
  return p;
}

/**
 * The string form of `trustedProxies` (CLI `--forwarded-allow-ips`, env
 * `FORWARDED_ALLOW_IPS`): a comma list of addresses, CIDRs and names, '*', or a
 * non-negative integer hop count. An empty string trusts nothing. Entries are
 * validated when the matcher is compiled.
 */
export function parseTrustedProxies(value: string): TrustedProxies {
  const trimmed = value.trim();
  if (/^[0-9]+$/.test(trimmed)) {
    const n = Number(trimmed);
    if (!Number.isSafeInteger(n)) throw new TypeError(`hop count ${trimmed} is too large`);
    return n;
  }
  const list: string[] = [];
  for (const item of trimmed.split(',')) {
    const entry = item.trim();
    if (entry.length === 0) continue;
    if (/^[0-9]+$/.test(entry)) {
      throw new TypeError(`"${entry}" in ${JSON.stringify(value)}: a hop count cannot be combined with addresses`);
    }
    list.push(entry);
  }
  return list;
}

/**
 * Trust options from the environment, the way uvicorn reads them: `FORWARDED_ALLOW_IPS`
 * (see parseTrustedProxies). Variables that are unset leave the option unset (default).
 */
export function trustOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): TrustOptions {
  const options: TrustOptions = {};
  const ips = env.FORWARDED_ALLOW_IPS;
  if (ips !== undefined) options.trustedProxies = parseTrustedProxies(ips);
  return options;
}
